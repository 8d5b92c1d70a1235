#!/usr/bin/env node
// The query socket's cost (issue 14), measured live: a private network
// namespace, BUSY connections whose clients write every 500 ms (daemon-load.mjs;
// twice as many sockets), the BUILT Collector + Saver + FlowTable wired as
// apps/tcp-info wires them. Measures, in one process:
//   - CPU per polling cycle with the query socket off and on (listening, no
//     client), in alternating windows of WINDOW cycles (PAIRS pairs, in the
//     order off-on, on-off, …), so that drift of a contended machine falls on
//     both alike;
//     after SETTLE cycles each, and SETTLE_ON_MS after the query thread
//     started (its start and V8's one-off collections after it are not measured);
//     the ratio's mean with its 95 % confidence interval over the pairs, for
//     the whole process tree and for the polling thread alone (schedstat, ns),
//     and the batches the polling thread answered meanwhile (must be 0);
//   - in each "on" window, the CPU of the query thread itself (schedstat of its
//     thread id) and of every thread but the polling one: what turning the
//     socket on adds, measured where it can be added, without the polling
//     thread's window-to-window spread (~10 %) that the ratio carries;
//   - the polling interval's median over 10 s without queries, then over 10 s of
//     RATE queries per second (query-load.mjs in CLIENTS separate processes,
//     RATE/CLIENTS each, not counted), then 10 s without again; the queries
//     answered per second; the polling thread's CPU per query.
// Usage (root): node bench/src/query-live.mjs [--busy 1000] [--window 300] [--settle 50] [--settle-on-ms 20000] [--pairs 8] [--rate 1000] [--clients 2] [--json]
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { addVethPair, arg, builtPackage } from './live-args.mjs';
import { perCycle, readTreeCpu } from './process-tree-cpu.mjs';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const PKG = builtPackage;

if (process.argv[2] === '--inner') await inner(JSON.parse(process.argv[3]));
else await outer();

async function outer() {
  if (process.getuid?.() !== 0) {
    console.error('query-live.mjs needs root (network namespaces); skipped');
    process.exit(0);
  }
  const s = { busy: Number(arg('busy', 1000)), window: Number(arg('window', 300)), settle: Number(arg('settle', 50)), settleOnMs: Number(arg('settle-on-ms', 20_000)), pairs: Number(arg('pairs', 8)), rate: Number(arg('rate', 1000)), clients: Number(arg('clients', 2)) };
  const ns = `tcpinfo-qbench-${process.pid}`;
  const ip = (...a) => execFileSync('ip', a, { stdio: 'pipe' });
  const tmp = mkdtempSync(join(tmpdir(), 'tcpinfo-qbench-'));
  ip('netns', 'add', ns);
  try {
    addVethPair(ns);
    const out = execFileSync('ip', ['netns', 'exec', ns, process.execPath, fileURLToPath(import.meta.url), '--inner', JSON.stringify({ ...s, tmp })], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 16 * 1024 * 1024,
    });
    const result = JSON.parse(out.trim().split('\n').pop());
    if (process.argv.includes('--json')) console.log(JSON.stringify(result));
    else console.log(JSON.stringify(result, null, 2));
  } finally {
    execFileSync('ip', ['netns', 'delete', ns], { stdio: 'pipe' });
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The polling thread's run time (ms; /proc schedstat, ns, kernel time included). */
function mainThreadMs() {
  return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
}


/** A thread's run time (ms; /proc schedstat, ns), or NaN once it has ended. */
function threadMs(tid) {
  try {
    return Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return Number.NaN;
  }
}

/** Mean of the per-pair ratios, their standard deviation, and the 95 % confidence interval of the mean. */
function meanCi(xs) {
  // Two-sided 95 % quantiles of Student's t for 1…30 degrees of freedom (then ~1.96).
  const T95 = [12.71, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : Number.NaN;
  const half = n > 1 ? (T95[n - 2] ?? 1.96) * (sd / Math.sqrt(n)) : Number.NaN;
  return { n, mean, sd, ci95: [mean - half, mean + half] };
}

function mean(xs) {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/**
 * What the socket adds, as a share of CPU per cycle with it off: the query
 * thread's own CPU, and the change in every thread but the polling one (the
 * query thread included, V8's helpers, the write thread, the relay).
 */
function addedShare(windows, others, queryThread) {
  const off = mean(windows.off);
  return {
    queryThreadShare: mean(queryThread) / off,
    otherThreadsShare: (mean(others.on) - mean(others.off)) / off,
  };
}

function median(xs) {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function inner(s) {
  const { InetDiagSocket, ExclusionRules } = await import(PKG('netlink'));
  const { createAnonymizer } = await import(PKG('inetdiag'));
  const { Collector } = await import(PKG('collector'));
  const { Saver } = await import(PKG('saver'));
  const { createMetrics } = await import(PKG('metrics'));
  const { FlowTable, QueryServer, summarizeClosed } = await import(PKG('query'));

  const notOurs = [];
  const load = spawn(process.execPath, [join(HERE, 'daemon-load.mjs'), '--count', String(s.busy), '--every', '500'], { stdio: ['pipe', 'pipe', 'inherit'] });
  notOurs.push(load.pid);
  await new Promise((resolve, reject) => {
    load.once('exit', (c) => reject(new Error(`load generator exited (${c})`)));
    createInterface({ input: load.stdout }).once('line', resolve);
  });

  const out = mkdtempSync(join(s.tmp, 'out-'));
  const metrics = createMetrics();
  const flows = new FlowTable({ retentionMs: 10_000, onClosed: (f) => summarizeClosed(f) });
  // Records written, counted: a cycle's work grows with its length (clients write
  // every 500 ms), so CPU per record is also reported, less sensitive to slow cycles.
  let records = 0;
  const onRecord = flows.onRecord.bind(flows);
  flows.onRecord = (uuid, record) => {
    records++;
    onRecord(uuid, record);
  };
  const saver = new Saver({ outputDir: out, uuidPrefix: 'qbench_1700000000_unsafe', metrics, records: flows });
  const collector = new Collector({ saver, metrics, exclude: new ExclusionRules(), anonymizer: createAnonymizer('none'), intervalMs: 10, socket: InetDiagSocket.open() });
  const starts = [];
  const original = collector.cycle.bind(collector);
  const waiters = [];
  collector.cycle = async () => {
    starts.push(performance.now());
    for (const w of waiters.splice(0)) if (starts.length >= w.at) w.resolve();
      else waiters.push(w);
    await original();
  };
  /** Resolves when `n` more cycles have started. */
  const cycles = (n) => new Promise((resolve) => waiters.push({ at: starts.length + n, resolve }));
  const stop = new AbortController();
  const running = collector.run(stop.signal);
  await cycles(300); // warm-up: every connection open, files started
  process.stderr.write(`query-live: ${flows.openCount} flows after warm-up; measuring off/on windows…\n`);

  const sockPath = join(s.tmp, 'query.sock');
  let server;
  const windows = { off: [], on: [] };
  const mainWindows = { off: [], on: [] };
  const perRecordUs = { off: [], on: [] };
  const othersWindows = { off: [], on: [] };
  const queryThreadWindows = [];
  let batchesWithoutClient = 0;
  for (let p = 0; p < s.pairs; p++) {
    // off-on, then on-off, …: a drift over the run (warm-up, other load) does not favour one side.
    for (const mode of p % 2 === 0 ? ['off', 'on'] : ['on', 'off']) {
      if (mode === 'on') {
        server = new QueryServer(flows);
        await server.listen(sockPath);
      }
      // Not what is measured: the query thread's start (module loading, then
      // one collection in each isolate by V8's memory reducer ~6 and ~10 s
      // later: ~80 ms of CPU in all, once) and the previous thread's end.
      // SETTLE cycles first either way, and SETTLE_ON_MS after a start.
      if (mode === 'on') await new Promise((r) => setTimeout(r, s.settleOnMs));
      await cycles(s.settle);
      const before = readTreeCpu(notOurs);
      const main0 = mainThreadMs();
      const batches0 = server?.stats.batches ?? 0;
      const records0 = records;
      const queryTid = server?.thread?.tid;
      const query0 = queryTid === undefined ? 0 : threadMs(queryTid);
      await cycles(s.window);
      const used = perCycle(before, readTreeCpu(notOurs), s.window);
      const cpu = used.totalMs;
      windows[mode].push(cpu);
      othersWindows[mode].push(used.threadsMs.others + used.childrenMs);
      if (mode === 'on') queryThreadWindows.push(queryTid === undefined ? Number.NaN : (threadMs(queryTid) - query0) / s.window);
      perRecordUs[mode].push((cpu * s.window * 1000) / (records - records0));
      mainWindows[mode].push((mainThreadMs() - main0) / s.window);
      if (mode === 'on') {
        batchesWithoutClient += server.stats.batches - batches0;
        await server.close();
        server = undefined;
      }
    }
  }

  // Polling interval median: 10 s without queries, then 10 s of RATE queries/s.
  process.stderr.write(`query-live: CPU/cycle off ${windows.off.map((x) => x.toFixed(2))} on ${windows.on.map((x) => x.toFixed(2))} ms; interval medians…\n`);
  const ratios = windows.on.map((on, i) => on / windows.off[i]);
  const mainRatios = mainWindows.on.map((on, i) => on / mainWindows.off[i]);
  const recordRatios = perRecordUs.on.map((on, i) => on / perRecordUs.off[i]);
  server = new QueryServer(flows);
  await server.listen(sockPath);
  const intervals = (from, to) => starts.slice(from + 1, to).map((t, i) => t - starts[from + i]);
  let from = starts.length;
  let t = performance.now();
  let m = mainThreadMs();
  await new Promise((r) => setTimeout(r, 10_000));
  const quiet = median(intervals(from, starts.length));
  const quietMainPerSecond = (mainThreadMs() - m) / ((performance.now() - t) / 1000);
  from = starts.length;
  t = performance.now();
  m = mainThreadMs();
  const batches0 = server.stats.batches;
  // CLIENTS processes, RATE/CLIENTS each, different UUIDs first: one Node
  // process's HTTP client alone may not keep up with RATE on a busy machine.
  const clientOuts = await Promise.all(Array.from({ length: s.clients }, (_, i) => {
    const client = spawn(process.execPath, [join(HERE, 'query-load.mjs'), sockPath, String(s.rate / s.clients), '10', '16', String(i * 97)], { stdio: ['ignore', 'pipe', 'inherit'] });
    notOurs.push(client.pid);
    return new Promise((resolve, reject) => {
      client.once('exit', (c) => c !== 0 && reject(new Error(`query load exited (${c})`)));
      createInterface({ input: client.stdout }).once('line', (line) => resolve(JSON.parse(line)));
    });
  }));
  const busy = median(intervals(from, starts.length));
  const queries = { sent: 0, ok: 0, notFound: 0, failed: 0, elapsedMs: 0 };
  for (const c of clientOuts) {
    for (const k of ['sent', 'ok', 'notFound', 'failed']) queries[k] += c[k];
    queries.elapsedMs = Math.max(queries.elapsedMs, c.elapsedMs);
  }
  queries.clients = s.clients;
  queries.answeredPerSecond = queries.ok / (queries.elapsedMs / 1000);
  const mainMsPerQuery = (mainThreadMs() - m - (quietMainPerSecond * (performance.now() - t)) / 1000) / queries.ok;
  const batches = server.stats.batches - batches0;
  // Quiet again: the medians before and after bracket the one with queries.
  from = starts.length;
  await new Promise((r) => setTimeout(r, 10_000));
  const quietAfter = median(intervals(from, starts.length));
  const openFlows = flows.openCount;
  await server.close();
  stop.abort();
  load.stdin.end();
  await running;
  rmSync(out, { recursive: true, force: true });
  console.log(JSON.stringify({
    openFlows, busyConnections: s.busy,
    cpuPerCycleMs: windows, ratioOnOff: ratios, ratio: meanCi(ratios),
    mainThreadMsPerCycle: mainWindows, mainRatio: meanCi(mainRatios),
    cpuPerRecordUs: perRecordUs, perRecordRatio: meanCi(recordRatios),
    batchesWithoutClient, load: loadavg(),
    otherThreadsMsPerCycle: othersWindows, queryThreadMsPerCycle: queryThreadWindows,
    added: addedShare(windows, othersWindows, queryThreadWindows),
    intervalMedianMs: { quiet, queries: busy, quietAfter }, queries, mainThreadMsPerQuery: mainMsPerQuery, batches,
  }));
  process.exit(0);
}
