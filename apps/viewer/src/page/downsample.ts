/**
 * Min/max downsampling for drawing, run in the report page. Pure and
 * DOM-free so the tests can check it directly.
 */

/** The points to draw: a subset of the input's x values, each series' value at them. */
export interface Downsampled {
  readonly x: number[];
  readonly ys: (number | null)[][];
}

/** First index whose x is >= v (x sorted ascending); x.length when none. */
export function lowerBound(x: readonly number[], v: number): number {
  let lo = 0;
  let hi = x.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose x is > v (x sorted ascending); x.length when none. */
export function upperBound(x: readonly number[], v: number): number {
  let lo = 0;
  let hi = x.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the x value nearest to v (x sorted ascending, not empty); the earlier one on a tie. */
export function nearestIndex(x: readonly number[], v: number): number {
  const i = lowerBound(x, v);
  if (i === 0) return 0;
  if (i === x.length) return x.length - 1;
  return v - x[i - 1]! <= x[i]! - v ? i - 1 : i;
}

/**
 * The samples of [from, to] (plus one neighbour each side, so lines reach the
 * edges) reduced to at most two points per bucket of `buckets` equal-width
 * buckets, i.e. per pixel column: the bucket's first and last x, carrying each
 * series' minimum and maximum in the order they occurred. Every extreme of every
 * series survives, so the drawing looks the same as with all points; inputs
 * with no more than two points per bucket come back unchanged.
 */
export function downsample(x: readonly number[], ys: readonly (readonly (number | null)[])[], from: number, to: number, buckets: number): Downsampled {
  const lo = Math.max(0, lowerBound(x, from) - 1);
  const hi = Math.min(x.length, upperBound(x, to) + 1);
  const n = Math.max(1, Math.floor(buckets));
  if (hi - lo <= 2 * n || !(to > from)) return { x: x.slice(lo, hi), ys: ys.map((y) => y.slice(lo, hi)) };
  const outX: number[] = [];
  const outYs: (number | null)[][] = ys.map(() => []);
  const width = (to - from) / n;
  const bucketOf = (v: number) => (v < from ? -1 : v > to ? n : Math.min(n - 1, Math.floor((v - from) / width)));
  let start = lo;
  while (start < hi) {
    const b = bucketOf(x[start]!);
    let end = start + 1;
    while (end < hi && bucketOf(x[end]!) === b) end++;
    emitBucket(x, ys, start, end, outX, outYs);
    start = end;
  }
  return { x: outX, ys: outYs };
}

/** Appends samples [start, end) as one point, or two: first and last x with each series' extremes in time order. */
function emitBucket(x: readonly number[], ys: readonly (readonly (number | null)[])[], start: number, end: number, outX: number[], outYs: (number | null)[][]): void {
  if (end - start === 1) {
    outX.push(x[start]!);
    ys.forEach((y, s) => outYs[s]!.push(y[start] ?? null));
    return;
  }
  outX.push(x[start]!, x[end - 1]!);
  ys.forEach((y, s) => {
    let minAt = -1;
    let maxAt = -1;
    for (let i = start; i < end; i++) {
      const v = y[i];
      if (v === null || v === undefined) continue;
      if (minAt < 0 || v < y[minAt]!) minAt = i;
      if (maxAt < 0 || v > y[maxAt]!) maxAt = i;
    }
    const out = outYs[s]!;
    if (minAt < 0) out.push(null, null);
    else if (minAt <= maxAt) out.push(y[minAt]!, y[maxAt]!);
    else out.push(y[maxAt]!, y[minAt]!);
  });
}
