// Measuring loop and result table shared by every *.bench.mjs suite.
import { performance } from 'node:perf_hooks';

/**
 * @typedef {object} BenchCase
 * @property {string} name          what one operation is
 * @property {() => unknown} run    performs one operation and returns its result
 * @property {(result: unknown) => void} check  throws unless `result` is right
 * @property {number} [items]       items one operation handles (default 1), e.g. 10000 sockets per cycle
 * @property {string} [unit]        what an item is ("records", "lines", "sockets"; default "ops")
 */

const DEFAULT_TIME_MS = Number(process.env.BENCH_TIME_MS ?? 1000);

/**
 * Runs one case: checks the result of a first call, warms up, then calls
 * `run` in rounds until `timeMs` have passed, and checks the last result again
 * (so a case cannot get fast by going wrong).
 * @param {BenchCase} benchCase
 */
export function measure(benchCase, timeMs = DEFAULT_TIME_MS) {
  const { run, check } = benchCase;
  check(run());
  const warmupEnd = performance.now() + Math.min(200, timeMs / 4);
  while (performance.now() < warmupEnd) run();

  let calls = 0;
  let batch = 1;
  let last;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < timeMs) {
    for (let i = 0; i < batch; i++) last = run();
    calls += batch;
    elapsed = performance.now() - start;
    if (elapsed < timeMs / 20) batch *= 2; // keep clock reads rare for fast cases
  }
  check(last);
  const items = calls * (benchCase.items ?? 1);
  return { items, elapsedMs: elapsed, nsPerItem: (elapsed * 1e6) / items, perSecond: items / (elapsed / 1000) };
}

/** Formats rows as an aligned text table (first row: headers). */
export function formatTable(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  const line = (r) => r.map((cell, c) => (c < 2 ? String(cell).padEnd(widths[c]) : String(cell).padStart(widths[c]))).join('  ');
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

/** 1234567.8 → "1,234,568" */
export function formatCount(n) {
  return Math.round(n).toLocaleString('en-US');
}
