import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { downsample, lowerBound, nearestIndex, upperBound } from '../src/page/downsample.js';

/** Sorted x values (duplicates allowed, as snapshots may share a timestamp) and series of the same length with gaps. */
const connection = fc.integer({ min: 1, max: 400 }).chain((n) =>
  fc.record({
    x: fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: n, maxLength: n }).map((a) => a.sort((p, q) => p - q)),
    ys: fc.array(fc.array(fc.option(fc.integer({ min: -1000, max: 1000 }), { nil: null }), { minLength: n, maxLength: n }), { minLength: 1, maxLength: 4 }),
    buckets: fc.integer({ min: 1, max: 100 }),
  }),
);

const extremes = (values: readonly (number | null)[]) => {
  const v = values.filter((a): a is number => a !== null);
  return v.length === 0 ? null : [Math.min(...v), Math.max(...v)];
};

describe('downsample (min/max per pixel)', () => {
  it('keeps every series extreme, draws at most two points per bucket plus the edges, and only real samples', () => {
    fc.assert(
      fc.property(connection, ({ x, ys, buckets }) => {
        const from = x[0]!;
        const to = x.at(-1)!;
        const d = downsample(x, ys, from, to, buckets);
        expect(d.x.length).toBeLessThanOrEqual(Math.max(x.length, 2 * buckets + 2));
        for (let i = 1; i < d.x.length; i++) expect(d.x[i]!).toBeGreaterThanOrEqual(d.x[i - 1]!);
        ys.forEach((y, s) => {
          expect(d.ys[s]).toHaveLength(d.x.length);
          expect(extremes(d.ys[s]!)).toEqual(extremes(y));
          // Each drawn point is a sample that exists: its value occurs at that x.
          d.x.forEach((xv, i) => {
            const v = d.ys[s]![i];
            if (v === null || v === undefined) return;
            const sameBucketValues = y.filter((_, j) => Math.abs(x[j]! - xv) <= (to - from) / buckets);
            expect(sameBucketValues).toContain(v);
          });
        });
      }),
    );
  });

  it('returns small inputs unchanged', () => {
    const x = [0, 1, 2, 3];
    const y = [5, null, 7, 1];
    expect(downsample(x, [y], 0, 3, 100)).toEqual({ x, ys: [y] });
  });

  it('reduces 10,000 samples to two per bucket, in time order within the bucket', () => {
    const x = Array.from({ length: 10_000 }, (_, i) => i);
    // A spike up then down inside every 100-sample bucket: max before min.
    const y = x.map((i) => (i % 100 === 10 ? 1000 : i % 100 === 90 ? -1000 : 0));
    const d = downsample(x, [y], 0, 9999, 100);
    expect(d.x.length).toBeLessThanOrEqual(202);
    expect(d.ys[0]!.slice(0, 2)).toEqual([1000, -1000]);
  });

  it('zoomed in, draws the visible range plus one neighbour each side', () => {
    const x = Array.from({ length: 1000 }, (_, i) => i / 10);
    const y = x.map((v) => v * 2);
    const d = downsample(x, [y], 20, 30, 500);
    expect(d.x[0]).toBeCloseTo(19.9);
    expect(d.x.at(-1)).toBeCloseTo(30.1);
    expect(d.x).toHaveLength(103);
  });
});

describe('nearestIndex (hover reads the full arrays)', () => {
  it('finds a sample no farther than any other', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 200 }).map((a) => a.sort((p, q) => p - q)),
        fc.double({ min: -2e6, max: 2e6, noNaN: true }),
        (x, v) => {
          const i = nearestIndex(x, v);
          const best = Math.min(...x.map((a) => Math.abs(a - v)));
          expect(Math.abs(x[i]! - v)).toBe(best);
        },
      ),
    );
  });

  it('bounds agree with a linear scan', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 })).map((a) => a.sort((p, q) => p - q)), fc.integer({ min: -5, max: 55 }), (x, v) => {
        expect(lowerBound(x, v)).toBe(x.filter((a) => a < v).length);
        expect(upperBound(x, v)).toBe(x.filter((a) => a <= v).length);
      }),
    );
  });
});
