#!/usr/bin/env node
// CPU per query of the query socket (issue 14), with no root and no polling:
// the BUILT FlowTable + QueryServer over CONNECTIONS flows made from a recorded
// 6.18 kernel message, asked RATE times a second for SECONDS seconds by
// query-load.mjs (a separate process, not counted). Two figures per answer:
// the main thread's CPU (the thread that polls in the daemon: its schedstat run
// time, ns, kernel included) is what a query takes from polling; the process's
// (every thread: the query thread's HTTP and answers, GC) is what it costs the
// machine.
// --churn gives every flow a new snapshot every 500 ms (as daemon-load.mjs's
// busy connections do), so that an answer cached per snapshot is mostly cold
// when queries go round-robin over the flows; without it every snapshot stays
// and repeated queries find their answer cached.
// Profile with: node --cpu-prof --cpu-prof-dir=/tmp/prof bench/src/query-cost.mjs
// Usage: node bench/src/query-cost.mjs [--connections 2000] [--rate 1000] [--seconds 10] [--gap 5 (batchGapMs)] [--churn] [--json]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ArchivalRecord, GoTime } from '@tcpinfo/netlink';
import { FlowTable, QueryServer } from '@tcpinfo/query';
import { loadPayloads } from './fixtures.mjs';
import { arg } from './live-args.mjs';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const n = Number(arg('connections', 2000));
const rate = Number(arg('rate', 1000));
const seconds = Number(arg('seconds', 10));
const churn = process.argv.includes('--churn');

const payloads = loadPayloads().filter((p) => p.length > 400);
const uuid = (i) => `bench_1700000000_unsafe_${i.toString(16).toUpperCase().padStart(16, '0')}`;
const flows = new FlowTable();
let nanos = 1_700_000_000_000_000_000n;
const feed = (from, to) => {
  const ts = GoTime.fromUnixNanos((nanos += 10_000_000n));
  for (let i = from; i < to; i++) flows.onRecord(uuid(i), ArchivalRecord.fromMessage(payloads[i % payloads.length], ts));
};
feed(0, n);

const tmp = mkdtempSync(join(tmpdir(), 'tcpinfo-qcost-'));
const server = new QueryServer(flows, { batchGapMs: Number(arg('gap', 5)) });
await server.listen(join(tmp, 'query.sock'));
// 1/50 of the flows every 10 ms: each one a new snapshot every 500 ms.
let next = 0;
const step = Math.ceil(n / 50);
const churner = churn
  ? setInterval(() => {
      feed(next, Math.min(n, next + step));
      next = next + step >= n ? 0 : next + step;
    }, 10)
  : undefined;
// The churn's own CPU, measured alone first, is taken off.
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
/** The main thread's run time (ms), from /proc/self/task/<pid>/schedstat (ns). */
const mainMs = () => Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
const idle0 = cpuMs();
const idleMain0 = mainMs();
await new Promise((r) => setTimeout(r, 2000));
const idlePerSecond = (cpuMs() - idle0) / 2;
const idleMainPerSecond = (mainMs() - idleMain0) / 2;

const wakes = () => Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(readFileSync(`/proc/self/task/${process.pid}/status`, 'utf8'))[1]);
const wakes0 = wakes();
const cpu0 = cpuMs();
const main0 = mainMs();
const stats0 = server.stats;
const split0 = process.cpuUsage();
const t0 = performance.now();
const client = spawn(process.execPath, [join(HERE, 'query-load.mjs'), join(tmp, 'query.sock'), String(rate), String(seconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
const line = await new Promise((resolve, reject) => {
  client.once('exit', (c) => c !== 0 && reject(new Error(`query load exited (${c})`)));
  createInterface({ input: client.stdout }).once('line', resolve);
});
const cpu = cpuMs() - cpu0 - (idlePerSecond * (performance.now() - t0)) / 1000;
const main = mainMs() - main0 - (idleMainPerSecond * (performance.now() - t0)) / 1000;
const batches = server.stats.batches - stats0.batches;
const mainWakes = wakes() - wakes0;
const split = process.cpuUsage(split0);
const q = JSON.parse(line);
clearInterval(churner);
await server.close();
rmSync(tmp, { recursive: true, force: true });
if (q.failed > 0 || q.notFound > 0 || q.ok !== q.sent) throw new Error(`queries: ${line}`);
const result = { connections: n, churn, asked: rate, answered: q.ok, achievedPerSecond: q.ok / (q.elapsedMs / 1000), cpuMsPerQuery: cpu / q.ok, mainThreadMsPerQuery: main / q.ok, asksPerBatch: q.ok / batches, mainWakesPerBatch: mainWakes / batches, userMsPerQuery: split.user / 1000 / q.ok, systemMsPerQuery: split.system / 1000 / q.ok, idleCpuMsPerSecond: idlePerSecond, idleMainThreadMsPerSecond: idleMainPerSecond };
console.log(process.argv.includes('--json') ? JSON.stringify(result) : result);
