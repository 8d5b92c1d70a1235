import { describe, expect, it } from 'vitest';
import { ConnectionStarts, formatDuration } from '../src/index.js';

describe('ConnectionStarts', () => {
  it('gives the duration of a seen open, once', () => {
    const s = new ConnectionStarts();
    s.opened('a', 1_000_000_000n);
    expect(s.closed('a', 4_500_000_000n)).toBe(3_500_000_000n);
    expect(s.closed('a', 5_000_000_000n)).toBeUndefined();
    expect(s.size).toBe(0);
  });

  it('forgets the oldest entry beyond its bound', () => {
    const s = new ConnectionStarts(2);
    s.opened('a', 1n);
    s.opened('b', 2n);
    s.opened('c', 3n);
    expect(s.size).toBe(2);
    expect(s.closed('a', 10n)).toBeUndefined();
    expect(s.closed('c', 10n)).toBe(7n);
  });
});

describe('formatDuration', () => {
  it.each([
    [0n, '0.000 s'],
    [3_444_999_999n, '3.444 s'],
    [86_400_000_000_000n * 365n, '31536000.000 s'],
    [-1_500_000_000n, '-1.500 s'],
  ])('%s ns → %s', (ns, text) => expect(formatDuration(ns)).toBe(text));
});
