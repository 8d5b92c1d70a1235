import { describe, expect, it } from 'vitest';
import { firstFreeSequence, MAX_SEQUENCE } from '../src/paths.js';

describe('firstFreeSequence', () => {
  it('gives the first sequence from `from` on that is not taken, -1 when none up to the five-digit limit is', () => {
    const taken = (set: number[]) => (seq: number) => set.includes(seq);
    expect(firstFreeSequence(0, taken([]))).toBe(0);
    expect(firstFreeSequence(0, taken([0]))).toBe(1);
    expect(firstFreeSequence(0, taken([0, 1, 3]))).toBe(2);
    expect(firstFreeSequence(2, taken([0, 2]))).toBe(3);
    expect(firstFreeSequence(MAX_SEQUENCE, taken([]))).toBe(MAX_SEQUENCE);
    expect(firstFreeSequence(MAX_SEQUENCE - 1, () => true)).toBe(-1);
  });
});
