import { describe, expect, it } from 'vitest';
import { TCPI_BYTES_RECEIVED_OFFSET, TCPI_BYTES_SENT_OFFSET } from '@tcpinfo/tcp';
import { snapshotPayload, tcpInfoWith } from '@tcpinfo/testing';
import { ByteTotals } from '../src/byte-totals.js';

/** A payload with a MEMINFO attribute, then INFO of `infoLength` bytes holding the two counters. */
function snapshot(sent: bigint, received: bigint, infoLength = 280): Buffer {
  const counters: Record<number, bigint> = infoLength >= 208 ? { [TCPI_BYTES_SENT_OFFSET]: sent, [TCPI_BYTES_RECEIVED_OFFSET]: received } : {};
  return snapshotPayload({}, tcpInfoWith(counters, infoLength), { meminfo: true });
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
