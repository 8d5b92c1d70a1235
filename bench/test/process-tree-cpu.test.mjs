// The bench's arithmetic on CPU readings (no root, no clock): the floor that
// brackets the daemon's window is the mean of the floor before and after it.
import { describe, expect, it } from 'vitest';
import { meanPerCycle, perCycle } from '../src/process-tree-cpu.mjs';

const reading = (user, system, children, main, others, tids) => ({ user, system, children, threads: { main, others }, tids });

describe('meanPerCycle', () => {
  it('averages every field of two splits, per thread too', () => {
    const before = { byThread: { 0: 4, 3: 1 }, userMs: 2, systemMs: 4, totalMs: 6, childrenMs: 0.5, threadsMs: { main: 5, others: 1 } };
    const after = { byThread: { 0: 6, 3: 2 }, userMs: 3, systemMs: 6.5, totalMs: 9.5, childrenMs: 0.25, threadsMs: { main: 8, others: 1.5 } };
    expect(meanPerCycle(before, after)).toEqual({
      byThread: { 0: 5, 3: 1.5 }, userMs: 2.5, systemMs: 5.25, totalMs: 7.75, childrenMs: 0.375, threadsMs: { main: 6.5, others: 1.25 },
    });
  });

  it('counts a thread seen on one side only as 0 on the other', () => {
    const one = { byThread: { 0: 4, 7: 2 }, userMs: 1, systemMs: 1, totalMs: 2, childrenMs: 0, threadsMs: { main: 4 } };
    const other = { byThread: { 0: 4 }, userMs: 1, systemMs: 1, totalMs: 2, childrenMs: 0, threadsMs: { main: 4, others: 1 } };
    const m = meanPerCycle(one, other);
    expect(m.byThread).toEqual({ 0: 4, 7: 1 });
    expect(m.threadsMs).toEqual({ main: 4, others: 0.5 });
  });

  it('equals one perCycle over both windows when they have as many cycles', () => {
    // Two windows of 100 cycles (readings in µs), measured apart: the mean of their
    // per-cycle splits is the split of their concatenation.
    const a0 = reading(0, 0, 0, 0, 0, { 1: 0 });
    const a1 = reading(200_000, 500_000, 10_000, 650_000, 50_000, { 1: 650_000 });
    const b0 = reading(900_000, 1_400_000, 20_000, 2_000_000, 100_000, { 1: 2_000_000 });
    const b1 = reading(1_160_000, 2_030_000, 40_000, 2_800_000, 190_000, { 1: 2_800_000 });
    const m = meanPerCycle(perCycle(a0, a1, 100), perCycle(b0, b1, 100));
    expect(m.userMs).toBeCloseTo((200 + 260) / 200, 12);
    expect(m.systemMs).toBeCloseTo((500 + 630) / 200, 12);
    expect(m.totalMs).toBeCloseTo(m.userMs + m.systemMs, 12);
    expect(m.childrenMs).toBeCloseTo((10 + 20) / 200, 12);
    expect(m.threadsMs).toEqual({ main: (650 + 800) / 200, others: (50 + 90) / 200 });
  });
});
