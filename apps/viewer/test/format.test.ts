import { describe, expect, it } from 'vitest';
import { formatAxis, formatExact } from '../src/page/format.js';

describe('page number formatting', () => {
  it('axis ticks get an SI suffix and enough decimals to differ', () => {
    expect(formatAxis([0, 500_000, 1_000_000], 500_000)).toEqual(['0', '0.5M', '1M']);
    expect(formatAxis([0.3106, 0.3107, 0.3108], 0.0001)).toEqual(['0.3106', '0.3107', '0.3108']);
    expect(formatAxis([0, 0.5, 1], 0.5)).toEqual(['0', '0.5', '1']);
    expect(formatAxis([1_000_000_000, 2_000_000_000], 1e9)).toEqual(['1G', '2G']);
  });
  it('hover values are exact: integers in full, fractions to the given decimals', () => {
    expect(formatExact(14024706)).toBe('14,024,706');
    expect(formatExact(12.345)).toBe('12.345');
    expect(formatExact(1.2345678912, 9)).toBe('1.234567891');
    expect(formatExact(null)).toBe('–');
  });
});
