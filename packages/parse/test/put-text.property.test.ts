import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { putInt, putUint, putUint64 } from '../src/csv/put-text.js';

// The digit writers under the CSV rows and JSON lines: exactly String(n), every
// digit count (each side of every power of ten) included.
const text = (write: (buf: Uint8Array, pos: number) => number): string => {
  const buf = new Uint8Array(40).fill(0x78);
  const end = write(buf, 3);
  expect(buf[2]).toBe(0x78); // nothing before the position
  expect(buf[end]).toBe(0x78); // nothing after the end returned
  return Buffer.from(buf.subarray(3, end)).toString('latin1');
};

describe('putUint and putInt', () => {
  it('write String(n) at every power of ten, one each side of it, and the ends of the range', () => {
    const edges = [0, 1, 9, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER];
    for (let p = 10; p <= 1e15; p *= 10) edges.push(p - 1, p, p + 1);
    for (const n of edges) {
      expect(text((b, at) => putUint(b, at, n))).toBe(String(n));
      expect(text((b, at) => putInt(b, at, -n))).toBe(String(-n));
    }
  });

  it('write String(n) for any safe integer', () => {
    fc.assert(
      fc.property(fc.oneof(fc.nat(), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER })), (n) => {
        expect(text((b, at) => putInt(b, at, n))).toBe(String(n));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('putUint64', () => {
  const u64 = (lo: number, hi: number) => text((b, at) => putUint64(b, at, lo, hi));
  const reference = (lo: number, hi: number) => ((BigInt(hi) << 32n) | BigInt(lo)).toString();

  it('writes the decimal of hi:lo at the edges: 2^53 each side, each power of ten from 10^15, 2^64 - 1', () => {
    const values = [0n, 1n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 2n, 2n ** 64n - 1n];
    for (let p = 10n ** 15n; p < 2n ** 64n; p *= 10n) values.push(p - 1n, p, p + 1n);
    for (const v of values) {
      const lo = Number(v & 0xffffffffn);
      const hi = Number(v >> 32n);
      expect(u64(lo, hi)).toBe(v.toString());
    }
  });

  it('writes the same value again, and a value after another, each its own decimal (the digits of the last are kept)', () => {
    const max = [0xffffffff, 0xffffffff] as const;
    const other = [12345, 0x80000000] as const;
    for (const [lo, hi] of [max, max, other, max, other, other, [0, 0x200000], max] as const) expect(u64(lo, hi)).toBe(reference(lo, hi));
  });

  it('writes the decimal of any 64-bit value', () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), fc.oneof(fc.nat({ max: 0xffffffff }), fc.constantFrom(0x1fffff, 0x200000, 0x200001, 0xffffffff)), (lo, hi) => {
        expect(u64(lo, hi)).toBe(reference(lo, hi));
        expect(u64(lo, hi)).toBe(reference(lo, hi)); // again: from the kept digits
      }),
      { numRuns: 5000 },
    );
  });
});
