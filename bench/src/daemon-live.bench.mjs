// The collector daemon's performance budget (issue 4) inside `pnpm bench`: runs
// daemon-live.mjs (real connections in a private network namespace, the built
// Collector + Saver) at sizes that keep the suite to a few minutes, and reports
// each scenario as CPU per polling cycle against the bare-dump floor measured in
// the same run (before and after the daemon's window, their mean: the VM's speed
// drifts). Needs root (skipped otherwise, with a notice).
// BENCH_DAEMON_IDLE / BENCH_DAEMON_BUSY (connections; sockets are twice that)
// and BENCH_DAEMON_CYCLES change the sizes.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const IDLE = Number(process.env.BENCH_DAEMON_IDLE ?? 5000);
const BUSY = Number(process.env.BENCH_DAEMON_BUSY ?? 1000);
const CYCLES = Number(process.env.BENCH_DAEMON_CYCLES ?? 500);
const script = fileURLToPath(new URL('./daemon-live.mjs', import.meta.url));

/** Budgets of issues 4 and 16, as checks on one scenario's figures; each returns [label, met]. */
const BUDGETS = {
  idle: (r) => [
    [`CPU ≤ 1.25 × floor (${(1.25 * r.floorCpuMs).toFixed(2)} ms)`, r.daemonCpuMs <= 1.25 * r.floorCpuMs],
    ['RSS < 300 MB', r.rssBytes < 300e6],
    ['shutdown ≤ 2 s', r.shutdownMs <= 2000],
    ['first frames ≤ 1 s', r.notes.allFirstFramesOnDiskMs <= 1000],
  ],
  busy: (r) => [
    [`CPU ≤ 1.3 × floor (${(1.3 * r.floorCpuMs).toFixed(2)} ms)`, r.daemonCpuMs <= 1.3 * r.floorCpuMs],
    ['interval median 10 ms ± 5%', Math.abs(r.intervalMedianMs - 10) <= 0.5],
    ['size ≤ 1.05 × zstd -3', r.sizeRatio <= 1.05],
  ],
};

const split = (x) => `${x.userMs.toFixed(2)}/${x.systemMs.toFixed(2)}`;

function scenarioCase(name, results) {
  return {
    name: `daemon, ${name}`,
    unit: 'cycles',
    async measureAsync() {
      const r = (await results).find((x) => x.name === name);
      if (r === undefined) throw new Error(`no result for scenario ${name}`);
      // Correctness first: a daemon that is fast by not writing must fail.
      if (r.notes.filesStarted !== r.notes.openConnections && name === 'idle') throw new Error(`${r.notes.filesStarted} files for ${r.notes.openConnections} connections`);
      if (r.notes.writeErrors > 0 || r.notes.dropped > 0) throw new Error(`write errors ${r.notes.writeErrors}, dropped records ${r.notes.dropped}`);
      if (r.sizeRatio !== undefined && !(r.sizeRatio <= 1.05)) throw new Error(`compressed size ${r.sizeRatio.toFixed(3)} × zstd -3`);
      // On disk (daemon-live.mjs decoded every file and parsed every line): a file per socket, each a header and snapshots.
      const f = r.notes.files;
      if (f.files < r.notes.filesStarted || f.headers !== f.files || f.lines < 2 * f.files) throw new Error(`files on disk ${JSON.stringify(f)} for ${r.notes.filesStarted} started`);
      if (r.notes.filesStarted < r.sockets - 2) throw new Error(`${r.notes.filesStarted} files for ${r.sockets} sockets`);
      const verdicts = BUDGETS[name](r).map(([label, met]) => `${label}: ${met ? 'met' : 'NOT met'}`);
      const figures = [
        `${r.sockets} sockets`,
        `CPU/cycle ${r.daemonCpuMs.toFixed(2)} ms vs floor ${r.floorCpuMs.toFixed(2)} ms (×${(r.daemonCpuMs / r.floorCpuMs).toFixed(2)}; floor before / after the window ${r.notes.floorBeforeSplitMs.totalMs.toFixed(2)} / ${r.notes.floorAfterSplitMs.totalMs.toFixed(2)} ms)`,
        `user/sys ${split(r.notes.daemonSplitMs)} ms vs floor's ${split(r.notes.floorSplitMs)} ms, children ${r.notes.daemonSplitMs.childrenMs.toFixed(2)} ms`,
        `interval median ${r.intervalMedianMs.toFixed(2)} ms, p99 ${r.intervalP99Ms.toFixed(2)} ms`,
        `RSS ${(r.rssBytes / 1e6).toFixed(0)} MB`,
        `first frames on disk ${r.notes.allFirstFramesOnDiskMs} ms`,
        ...(r.shutdownMs !== undefined ? [`shutdown ${r.shutdownMs.toFixed(0)} ms`] : []),
        ...(r.sizeRatio !== undefined ? [`size ×${r.sizeRatio.toFixed(3)} of zstd -3`] : []),
      ];
      // ns/item is CPU time per polling cycle (both threads and kernel), the budget's unit.
      return { items: r.cycles, elapsedMs: r.cycles * r.intervalMedianMs, nsPerItem: r.daemonCpuMs * 1e6, notes: [...figures, ...verdicts].join('; ') };
    },
  };
}

function run() {
  const out = execFileSync(
    process.execPath,
    [script, '--idle', String(IDLE), '--busy', String(BUSY), '--cycles', String(CYCLES), '--json'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 },
  );
  return JSON.parse(out.trim().split('\n').pop());
}

export function cases() {
  if (process.getuid?.() !== 0) {
    process.stderr.write('*** daemon-live.bench: SKIPPED, needs root for a network namespace (run pnpm bench as root) ***\n');
    return [];
  }
  // One run measures both scenarios (and their floors); the cases read its results.
  const results = Promise.resolve().then(run);
  return [scenarioCase('idle', results), scenarioCase('busy', results)];
}
