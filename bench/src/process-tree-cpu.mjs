// CPU time of this process's whole tree: every thread of this process (the
// polling thread, the saver's write thread, V8's GC helpers, libuv's pool) and
// every descendant process (the destroy-notification relay), so that work moved
// out of the main thread, or out of the process, is still counted.
//
// This process: getrusage (process.cpuUsage, microseconds, all threads).
// Descendants alive: /proc/PID/stat utime + stime (clock ticks, all their threads)
// plus their cutime + cstime (their own reaped children). Descendants that ended
// and were reaped: this process's cutime + cstime. Ticks are 10 ms at CLK_TCK 100:
// over a window of seconds the error is a tick or two per process.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const TICK_US = 1e6 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/** utime, stime, cutime, cstime (ticks) and comm of /proc/<pid>[/task/<tid>]/stat. */
function stat(path) {
  const text = readFileSync(`${path}/stat`, 'utf8');
  const close = text.lastIndexOf(')');
  const comm = text.slice(text.indexOf('(') + 1, close);
  // Fields after "comm)": state is field 3, utime 14, stime 15, cutime 16, cstime 17.
  const f = text.slice(close + 2).split(' ');
  return { comm, utime: Number(f[11]), stime: Number(f[12]), cutime: Number(f[13]), cstime: Number(f[14]) };
}

/** Direct children of `pid` (every thread's children list). */
function childrenOf(pid) {
  const out = [];
  let tids;
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out; // ended meanwhile
  }
  for (const tid of tids) {
    try {
      for (const c of readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ')) if (c !== '') out.push(Number(c));
    } catch {
      // thread ended meanwhile
    }
  }
  return out;
}

/**
 * A reading of the tree's CPU time in microseconds: `user`, `system` (totals),
 * `children` (descendants' share of the totals), `threads` (this process's
 * main thread and its other threads, user + system). `exclude`: pids whose subtree is not counted
 * (the load generator, a child of this process too).
 */
export function readTreeCpu(exclude = []) {
  const self = process.cpuUsage();
  const me = stat('/proc/self');
  let childUser = me.cutime * TICK_US;
  let childSystem = me.cstime * TICK_US;
  const stack = childrenOf(process.pid).filter((p) => !exclude.includes(p));
  while (stack.length > 0) {
    const pid = stack.pop();
    let s;
    try {
      s = stat(`/proc/${pid}`);
    } catch {
      continue; // ended between listing and reading: its time joins cutime once reaped
    }
    childUser += (s.utime + s.cutime) * TICK_US;
    childSystem += (s.stime + s.cstime) * TICK_US;
    stack.push(...childrenOf(pid));
  }
  // Node names none of its threads ("node" all), so: the main thread, and the others.
  const threads = { main: 0, others: 0 };
  const tids = {};
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const t = stat(`/proc/self/task/${tid}`);
      threads[Number(tid) === process.pid ? 'main' : 'others'] += (t.utime + t.stime) * TICK_US;
      tids[tid] = (t.utime + t.stime) * TICK_US;
    } catch {
      // thread ended meanwhile
    }
  }
  return { user: self.user + childUser, system: self.system + childSystem, children: childUser + childSystem, threads, tids };
}

/** CPU ms per cycle between two readings: user, system, total, children, and per thread name. */
export function perCycle(before, after, cycles) {
  const ms = (us) => us / 1000 / cycles;
  const threads = {};
  for (const [name, us] of Object.entries(after.threads)) threads[name] = round(ms(us - (before.threads[name] ?? 0)));
  // Each thread's share by thread id (ids grow with creation: V8's platform workers
  // come first, then libuv's pool, then worker threads such as the saver's write thread).
  const byThread = {};
  for (const [tid, us] of Object.entries(after.tids ?? {})) {
    const v = round(ms(us - (before.tids?.[tid] ?? 0)));
    if (v > 0) byThread[Number(tid) - process.pid] = v;
  }
  return {
    byThread,
    userMs: ms(after.user - before.user),
    systemMs: ms(after.system - before.system),
    totalMs: ms(after.user - before.user + after.system - before.system),
    childrenMs: ms(after.children - before.children),
    threadsMs: threads,
  };
}

/**
 * The mean of two `perCycle` results over the same number of cycles (each field,
 * per thread too; a thread missing from one counts 0 there). The daemon bench
 * brackets its window with a floor before and one after: on this VM the speed
 * drifts by 10-20 % over minutes, and the mean of both sides is what the window
 * between them is compared with.
 */
export function meanPerCycle(a, b) {
  const mean = (x = 0, y = 0) => (x + y) / 2;
  // Per thread rounded as perCycle rounds it; totals exact, as perCycle gives them.
  const byKey = (x = {}, y = {}) => Object.fromEntries([...new Set([...Object.keys(x), ...Object.keys(y)])].map((k) => [k, round(mean(x[k], y[k]))]));
  return {
    byThread: byKey(a.byThread, b.byThread),
    userMs: mean(a.userMs, b.userMs),
    systemMs: mean(a.systemMs, b.systemMs),
    totalMs: mean(a.totalMs, b.totalMs),
    childrenMs: mean(a.childrenMs, b.childrenMs),
    threadsMs: byKey(a.threadsMs, b.threadsMs),
  };
}

function round(x) {
  return Math.round(x * 1000) / 1000;
}
