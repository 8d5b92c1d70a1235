import { describe, expect, it } from 'vitest';
import { ByteTotals } from '../src/byte-totals.js';

/** A payload with a MEMINFO attribute, then INFO of `infoLength` bytes holding the two counters. */
function snapshot(sent: bigint, received: bigint, infoLength = 280): Buffer {
  const b = Buffer.alloc(72 + 20 + 4 + infoLength);
  b.writeUInt16LE(20, 72); // INET_DIAG_MEMINFO, 16 bytes
  b.writeUInt16LE(1, 74);
  b.writeUInt16LE(4 + infoLength, 92);
  b.writeUInt16LE(2, 94);
  if (infoLength >= 208) {
    b.writeBigUInt64LE(sent, 96 + 200);
    b.writeBigUInt64LE(received, 96 + 128);
  }
  return b;
}

describe('ByteTotals', () => {
  it('sums 64-bit counters exactly, across the 32-bit boundary and past 2^53', () => {
    const t = new ByteTotals();
    const big = 0xffff_ffff_ffff_fff0n;
    t.add(snapshot(big, 5n));
    t.add(snapshot(0x1_ffff_ffffn, 0xffff_ffffn));
    expect(t.sent).toBe(big + 0x1_ffff_ffffn);
    expect(t.received).toBe(5n + 0xffff_ffffn);
    for (let i = 0; i < 70_000; i++) t.add(snapshot(0xffff_ffffn, 0n)); // low sums carry past 2^48
    expect(t.sent).toBe(big + 0x1_ffff_ffffn + 70_000n * 0xffff_ffffn);
    t.reset();
    expect(t.sent).toBe(0n);
  });

  it('counts nothing for a tcp_info too short for the counters or a snapshot without one', () => {
    const t = new ByteTotals();
    t.add(snapshot(1n, 1n, 200));
    t.add(snapshot(1n, 1n).subarray(0, 92));
    expect([t.sent, t.received]).toEqual([0n, 0n]);
  });
});
