import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Float64Column } from '../src/column.js';

describe('Float64Column', () => {
  it('holds exactly what was pushed, in order, across growth; hasValue means a non-NaN value', () => {
    const value = fc.oneof(fc.double(), fc.constant(Number.NaN));
    fc.assert(
      fc.property(fc.array(value, { maxLength: 300 }), (pushed) => {
        const column = new Float64Column();
        for (const v of pushed) column.push(v);
        expect(column.length).toBe(pushed.length);
        expect(column.hasValue).toBe(pushed.some((v) => !Number.isNaN(v)));
        expect(Array.from(column.values())).toEqual(pushed);
        expect(column.values().length).toBe(pushed.length);
      }),
    );
  });

  it('values() is trimmed, and pushing afterwards still appends', () => {
    const column = new Float64Column();
    for (let i = 0; i < 17; i++) column.push(i);
    expect(column.values().buffer.byteLength).toBe(17 * 8);
    column.push(17);
    expect(Array.from(column.values())).toEqual(Array.from({ length: 18 }, (_, i) => i));
  });

  it('leading gaps take no buffer; the first value brings them in as NaN', () => {
    const column = new Float64Column();
    for (let i = 0; i < 40; i++) column.push(Number.NaN);
    expect([column.length, column.hasValue, Array.from(column.values()).every(Number.isNaN)]).toEqual([40, false, true]);
    column.push(3);
    const values = column.values();
    expect([values.length, values[39], values[40]]).toEqual([41, Number.NaN, 3]);
  });
});
