#!/usr/bin/env node
// The daemon's performance budget (issue 4), measured live: a private network
// namespace, real connections (daemon-load.mjs), the BUILT packages wired as
// apps/tcp-info wires them (Collector + Saver + metrics). Per scenario it
// measures, in one process and one run:
//   - the floor: bare inet_diag dumps (IPv6 then IPv4, our InetDiagSocket, no
//     processing), paced at 10 ms like the daemon, measured twice, before the
//     daemon runs and after it stopped (the same load still running, the same
//     socket, the same number of cycles), and reported as the mean of both: the
//     floor brackets the daemon's window. On this VM the speed drifts by 10-20 %
//     over minutes and the floor's system time alone ranged 4.5-6.3 ms per busy
//     cycle between runs of one build, so a floor taken only before (~20 s
//     earlier) biased the ratio either way; before / after show the drift;
//   - the collector: CPU per cycle as a marginal cost (CPU between cycle W and
//     cycle W+C, divided by C: start-up and file creation are excluded), the
//     polling interval's median and p99, RSS;
//   - shutdown with every connection open (SIGTERM path: the daemon stops
//     before the floor after): its time (idle), the files compacted or skipped;
//   - busy scenario: compressed size of the finished files vs `zstd -3` of
//     the same JSONL (the files as SIGTERM left them, most not compacted
//     within its budget, in the notes; then each compacted as the daemon
//     compacts a closed connection's file: sizeRatio).
// Usage (root): node bench/src/daemon-live.mjs [--idle 5000] [--busy 1000] [--cycles 1000] [--only idle|busy] [--json]
// (--idle/--busy are connections: twice as many sockets.) Build first (pnpm build).
// --json prints the results as one JSON array instead of the table (daemon-live.bench.mjs uses it).
// Files go to a fresh tmpfs mounted for the run, so the figures are the daemon's and
// not the history of the machine's disk (on this VM's much-churned ext4 /tmp, creating
// a file cost 50-1,700 µs in the kernel's inode allocator: `recently_deleted` scans);
// --out-dir DIR writes under DIR instead.
// BENCH_CPU_PROF_DIR=/tmp/prof writes a V8 CPU profile of each scenario's measured window there
// (with BENCH_HEAP_PROFILE=1: a sampling heap profile instead, every allocation counted, collected or not).
// BENCH_NODE_FLAGS="--max-semi-space-size=4" passes V8/Node flags to the measured process,
// which runs with the daemon's own V8 flags (apps/tcp-info gc-tuning.ts) unless BENCH_DEFAULT_GC=1.
// BENCH_GC_TRACE=/tmp/gc runs it with --trace-gc and writes its output, with marks at the
// phases (floor, daemon, window, windowend, floorafter) and memory every 5 cycles, to /tmp/gc-<scenario>.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { decompress } from 'zstd-napi';
import { formatTable } from './harness.mjs';
import { addVethPair, arg, builtPackage } from './live-args.mjs';
import { meanPerCycle, perCycle, readTreeCpu } from './process-tree-cpu.mjs';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const PKG = builtPackage;

/** Where the GC trace goes (BENCH_GC_TRACE), and its marks. */
const gcTrace = process.env.BENCH_GC_TRACE;
const mark = (what) => {
  if (gcTrace) console.log(`MARK ${what} ${performance.now().toFixed(0)}`);
};

/** Profiles a window of this process when BENCH_CPU_PROF_DIR is set. */
const profiler = process.env.BENCH_CPU_PROF_DIR ? await makeProfiler(process.env.BENCH_CPU_PROF_DIR) : undefined;

async function makeProfiler(dir) {
  const { Session } = await import('node:inspector');
  const { mkdirSync, writeFileSync } = await import('node:fs');
  mkdirSync(dir, { recursive: true }); // a profile taken over minutes is not lost to a missing folder
  const session = new Session();
  session.connect();
  const post = (method) => new Promise((resolve, reject) => session.post(method, (e, r) => (e ? reject(e) : resolve(r))));
  return {
    start: async () => {
      await post('Profiler.enable');
      await post('Profiler.start');
    },
    startHeap: async () => {
      await post('HeapProfiler.enable');
      await new Promise((resolve, reject) => session.post('HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true }, (e) => (e ? reject(e) : resolve())));
    },
    stopHeap: async (name) => {
      const { profile } = await post('HeapProfiler.stopSampling');
      writeFileSync(join(dir, `daemon-${name}.heapprofile`), JSON.stringify(profile));
    },
    stop: async (name) => {
      const { profile } = await post('Profiler.stop');
      writeFileSync(join(dir, `daemon-${name}.cpuprofile`), JSON.stringify(profile));
    },
  };
}

/** CPU per cycle of the last `paced` run (process-tree-cpu.mjs perCycle). */
let pacedSplit;
/** Pids not counted as the daemon's (the load generator). */
const notOurs = [];

if (process.argv[2] === '--inner') {
  await inner(JSON.parse(process.argv[3]));
} else {
  await outer();
}

async function outer() {
  if (process.getuid?.() !== 0) {
    console.error('daemon-live.mjs needs root (network namespaces); skipped');
    process.exit(0);
  }
  const cycles = Number(arg('cycles', 1000));
  const scenarios = [
    { name: 'idle', connections: Number(arg('idle', 5000)), every: 0, cycles },
    { name: 'busy', connections: Number(arg('busy', 1000)), every: 500, cycles },
  ].filter((s) => arg('only', s.name) === s.name);
  const ns = `tcpinfo-bench-${process.pid}`;
  const ip = (...a) => execFileSync('ip', a, { stdio: 'pipe' });
  let outDir = arg('out-dir', undefined);
  let tmpfs;
  if (outDir === undefined) {
    tmpfs = mkdtempSync(join(tmpdir(), 'tcpinfo-bench-tmpfs-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4g', 'tcpinfo-bench', tmpfs]);
    outDir = tmpfs;
  }
  ip('netns', 'add', ns);
  try {
    addVethPair(ns);
    const results = [];
    for (const s of scenarios) {
      process.stderr.write(`scenario ${s.name}: ${s.connections} connections (${2 * s.connections} sockets)…\n`);
      const flags = [...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean), ...(gcTrace ? ['--trace-gc'] : [])];
      const out = execFileSync('ip', ['netns', 'exec', ns, process.execPath, ...flags, fileURLToPath(import.meta.url), '--inner', JSON.stringify({ ...s, outDir })], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
        maxBuffer: 64 * 1024 * 1024,
      });
      if (gcTrace) writeFileSync(`${gcTrace}-${s.name}`, out);
      results.push(JSON.parse(out.trim().split('\n').pop()));
    }
    if (process.argv.includes('--json')) console.log(JSON.stringify(results));
    else printTable(results);
  } finally {
    execFileSync('ip', ['netns', 'delete', ns], { stdio: 'pipe' });
    if (tmpfs !== undefined) {
      execFileSync('umount', [tmpfs]);
      rmSync(tmpfs, { recursive: true, force: true });
    }
  }
}

function printTable(results) {
  const ms = (x) => x.toFixed(2);
  const split = (x) => `${ms(x.userMs)} / ${ms(x.systemMs)}`;
  const rows = [['scenario', 'sockets', 'floor ms CPU/cycle', 'floor before / after', 'floor user / sys', 'daemon ms CPU/cycle', 'daemon user / sys', 'of which children', 'ratio', 'interval median ms', 'interval p99 ms', 'RSS MB', 'shutdown ms', 'size vs zstd -3']];
  for (const r of results) {
    rows.push([
      r.name, r.sockets, ms(r.floorCpuMs), `${ms(r.notes.floorBeforeSplitMs.totalMs)} / ${ms(r.notes.floorAfterSplitMs.totalMs)}`, split(r.notes.floorSplitMs), ms(r.daemonCpuMs), split(r.notes.daemonSplitMs), ms(r.notes.daemonSplitMs.childrenMs),
      (r.daemonCpuMs / r.floorCpuMs).toFixed(2),
      ms(r.intervalMedianMs), ms(r.intervalP99Ms), (r.rssBytes / 1e6).toFixed(0),
      r.shutdownMs === undefined ? '' : r.shutdownMs.toFixed(0), r.sizeRatio == null ? '' : r.sizeRatio.toFixed(3),
    ]);
  }
  console.log(`node ${process.version}; ${results[0]?.cycles} cycles measured per row (marginal: after warm-up); CPU of the whole process tree (all threads, the relay child), load generator excluded; floor: mean of one before and one after the daemon's window`);
  console.log(formatTable(rows));
  for (const r of results) console.log(`${r.name}: ${JSON.stringify(r.notes)}`);
}

async function inner(s) {
  const { InetDiagSocket, ExclusionRules } = await import(PKG('netlink'));
  const { buildInetDiagReqV2, AF_INET, AF_INET6, createAnonymizer } = await import(PKG('inetdiag'));
  const { Collector } = await import(PKG('collector'));
  const { Saver, compactFile } = await import(PKG('saver'));
  const { createMetrics } = await import(PKG('metrics'));
  // The daemon's process-wide V8 flags, as its entry point (bin.ts) sets them;
  // BENCH_DEFAULT_GC=1 leaves V8's defaults, for before/after comparisons.
  const { tuneGarbageCollector } = await import(new URL('../../apps/tcp-info/dist/index.js', import.meta.url).href);
  if (!process.env.BENCH_DEFAULT_GC) tuneGarbageCollector();

  const load = spawn(process.execPath, [join(HERE, 'daemon-load.mjs'), '--count', String(s.connections), '--every', String(s.every)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  notOurs.push(load.pid);
  const ready = JSON.parse(await new Promise((resolve, reject) => {
    load.once('exit', (c) => reject(new Error(`load generator exited (${c})`)));
    createInterface({ input: load.stdout }).once('line', resolve);
  }));
  const notes = {};

  // 1. The floor: bare dumps, paced like the daemon. Measured again after the
  // daemon stopped (step 3), on the same socket with the same load.
  mark('floor');
  const socket = InetDiagSocket.open();
  const requests = [buildInetDiagReqV2({ family: AF_INET6 }), buildInetDiagReqV2({ family: AF_INET })];
  let seen = 0;
  const noop = () => void seen++;
  let floorDatagrams = 0;
  const floorCycle = async () => {
    for (const r of requests) floorDatagrams += (await socket.dump(r, noop)).datagrams;
  };
  /** One floor measurement: CPU per cycle, sockets and datagrams per dump cycle. */
  const floor = async () => {
    seen = 0;
    floorDatagrams = 0;
    await paced(floorCycle, 100, s.cycles);
    return { split: pacedSplit, sockets: seen / (100 + s.cycles), datagrams: floorDatagrams / (100 + s.cycles) };
  };
  const before = await floor();
  notes.socketsPerDumpCycle = before.sockets;

  // 2. The collector and saver, as apps/tcp-info wires them.
  mark('daemon');
  const out = mkdtempSync(join(s.outDir, 'tcpinfo-bench-out-'));
  const metrics = createMetrics();
  const saver = new Saver({ outputDir: out, uuidPrefix: 'bench_1700000000_unsafe', metrics });
  const collector = new Collector({
    saver, metrics, exclude: new ExclusionRules(), anonymizer: createAnonymizer('none'), intervalMs: 10, socket,
  });
  const starts = [];
  const originalCycle = collector.cycle.bind(collector);
  let window;
  let windowResolve;
  const windowDone = new Promise((r) => (windowResolve = r));
  const warmup = 300;
  collector.cycle = async () => {
    const n = starts.length;
    starts.push(performance.now());
    if (gcTrace && n % 5 === 0) {
      const mu = process.memoryUsage();
      console.log(`MEM ${n} ${performance.now().toFixed(0)} heapUsed=${(mu.heapUsed / 1e6).toFixed(1)} external=${(mu.external / 1e6).toFixed(1)} arrayBuffers=${(mu.arrayBuffers / 1e6).toFixed(1)}`);
    }
    if (n === warmup) {
      if (process.env.BENCH_HEAP_PROFILE) await profiler?.startHeap();
      else await profiler?.start();
      mark('window');
      window = { cpu: readTreeCpu(notOurs), t: performance.now(), framesWritten: saver.stats.framesWritten };
    }
    if (n === warmup + s.cycles) {
      if (process.env.BENCH_HEAP_PROFILE) await profiler?.stopHeap(s.name);
      else await profiler?.stop(s.name);
      mark('windowend');
      window.cpu = perCycle(window.cpu, readTreeCpu(notOurs), s.cycles);
      window.rss = process.memoryUsage().rss;
      window.frames = saver.stats.framesWritten - window.framesWritten;
      windowResolve();
    }
    await originalCycle();
  };
  const stop = new AbortController();
  const running = collector.run(stop.signal);
  // Durability: how long from the first cycle's start (collection; not the destroy
  // listener's start-up before it) until every connection's first frame is on disk.
  const allOnDisk = (async () => {
    // Each connection's first frame holds its header and first snapshot: once as many frames as
    // sockets are written (and, when idle, nothing more is pending), every first frame is on disk.
    while (saver.stats.framesWritten < s.connections * 2 || (s.every === 0 && saver.pendingBytes > 0)) {
      await new Promise((r) => setTimeout(r, 20));
    }
    notes.allFirstFramesOnDiskMs = Math.round(performance.now() - starts[0]);
  })();
  await windowDone;
  await Promise.race([allOnDisk, new Promise((r) => setTimeout(r, 1))]);
  const daemonCpuMs = window.cpu.totalMs;
  notes.daemonSplitMs = window.cpu;
  const intervals = [];
  for (let i = warmup + 1; i <= warmup + s.cycles; i++) intervals.push(starts[i] - starts[i - 1]);
  intervals.sort((a, b) => a - b);
  notes.framesPerCycle = window.frames / s.cycles;
  notes.openConnections = saver.openConnections;
  notes.filesStarted = saver.stats.filesStarted;
  notes.writeErrors = saver.stats.writeErrors;
  notes.dropped = saver.stats.recordsDropped;

  if (s.every !== 0) notes.snapshotsPerSecond = (await counter(metrics, 'tcpinfo_snapshot_total')) / ((performance.now() - starts[0]) / 1000);

  // 3. Stop the daemon with every connection open (the SIGTERM path: end all,
  // write all, compact within budget), then the floor again with the load still
  // running. The collector shares the socket (a second dump at once fails BUSY),
  // so it stops first; it closes only a socket it opened, not this one.
  const t0 = performance.now();
  stop.abort();
  await running;
  const stopMs = performance.now() - t0;
  notes.compactedAtShutdown = saver.stats.filesCompacted;
  notes.compactionSkippedAtShutdown = saver.stats.compactionsSkipped;
  mark('floorafter');
  const after = await floor();
  notes.socketsPerDumpCycleAfter = after.sockets;
  notes.floorDatagramsPerCycle = (before.datagrams + after.datagrams) / 2;
  notes.floorBeforeSplitMs = before.split;
  notes.floorAfterSplitMs = after.split;
  notes.floorSplitMs = meanPerCycle(before.split, after.split);
  const floorCpuMs = notes.floorSplitMs.totalMs;
  load.stdin.end();

  let shutdownMs;
  let sizeRatio;
  if (s.every === 0) {
    shutdownMs = stopMs; // the budget's: 10,000 sockets open
  } else {
    notes.shutdownMs = Math.round(stopMs);
    // The files as SIGTERM left them (valid, most of them not compacted: the
    // shutdown's 1 s compaction budget covers a few hundred of 2,000 busy files),
    // then each compacted as the daemon compacts a file whose connection closed
    // (its compactFile, at the Saver's default level 3, which this bench keeps):
    // the size of finished files, as measured when the load closed its
    // connections before the daemon stopped (before the floor after existed).
    notes.filesAsLeftAtShutdown = verifyFiles(out);
    const sizes = compressedSizes(out);
    notes.sizeRatioAsLeftAtShutdown = sizes.ours / sizes.reference;
    for (const p of zstFiles(out)) await compactFile(p, 3);
    sizeRatio = zstFiles(out).reduce((sum, p) => sum + statSync(p).size, 0) / sizes.reference;
  }
  // What is on disk: every file decodes, every line is JSON, one file per connection.
  notes.files = verifyFiles(out);
  rmSync(out, { recursive: true, force: true });
  console.log(JSON.stringify({
    name: s.name, sockets: Math.round(notes.socketsPerDumpCycle), cycles: s.cycles, floorCpuMs, daemonCpuMs,
    intervalMedianMs: intervals[Math.floor(intervals.length / 2)], intervalP99Ms: intervals[Math.floor(intervals.length * 0.99)],
    rssBytes: window.rss, shutdownMs, sizeRatio, notes,
  }));
    process.exit(0);
}

/**
 * Runs `cycle` on a 10 ms grid (no backlog), returns marginal CPU ms per cycle over `cycles` after `warm`,
 * counted as the daemon's is (the whole process tree but the load generator).
 */
async function paced(cycle, warm, cycles) {
  let next = performance.now();
  let cpu;
  for (let i = 0; i < warm + cycles; i++) {
    if (i === warm) cpu = readTreeCpu(notOurs);
    await cycle();
    next += 10;
    const wait = next - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    else next = performance.now();
  }
  pacedSplit = perCycle(cpu, readTreeCpu(notOurs), cycles);
  return pacedSplit.totalMs;
}

async function counter(metrics, name) {
  const text = await metrics.registry.getSingleMetricAsString(name);
  return Number(/ (\d+(?:\.\d+)?)$/m.exec(text)?.[1] ?? 0);
}

/** Every .jsonl.zst file under `dir` decoded in full, each line parsed: counts, or a throw naming the bad file. */
function verifyFiles(dir) {
  const r = { files: 0, lines: 0, headers: 0 };
  for (const p of zstFiles(dir)) {
    let text;
    try {
      text = decompress(readFileSync(p)).toString('utf8');
    } catch (err) {
      throw new Error(`${p}: does not decode: ${err.message}`);
    }
    if (!text.endsWith('\n')) throw new Error(`${p}: does not end with a whole line`);
    for (const line of text.slice(0, -1).split('\n')) {
      let value;
      try {
        value = JSON.parse(line);
      } catch {
        throw new Error(`${p}: line ${r.lines + 1} is not JSON: ${line.slice(0, 80)}`);
      }
      r.lines++;
      if (value.Metadata?.UUID !== undefined) r.headers++;
    }
    r.files++;
  }
  return r;
}

function zstFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.jsonl.zst')) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** Our bytes and `zstd -3` bytes of the same JSONL, over every file written. */
function compressedSizes(dir) {
  let ours = 0;
  let reference = 0;
  for (const p of zstFiles(dir)) {
    ours += statSync(p).size;
    const plain = execFileSync('zstd', ['-dc', p]);
    reference += execFileSync('zstd', ['-3', '-c'], { input: plain }).length;
  }
  return { ours, reference };
}
