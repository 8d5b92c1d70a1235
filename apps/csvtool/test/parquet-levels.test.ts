import fc from 'fast-check';
import { ByteWriter } from 'hyparquet-writer';
import { writeRleBitPackedHybrid } from 'hyparquet-writer/src/encoding.js';
import { describe, expect, it } from 'vitest';
import { writeDefinitionLevels } from '../src/parquet-levels.js';

// The definition-level encoder driven by where the levels change
// (parquet-levels.ts) against hyparquet-writer's, which compares level after
// level: the same bytes for any levels, runs long and short, at any length.

/** Where each level differs from the one before (the page writer passes the runs' bounds, which may include 0 and the length). */
function changes(levels: Uint8Array, withEnds: boolean): number[] {
  const at: number[] = withEnds ? [0] : [];
  for (let i = 1; i < levels.length; i++) if (levels[i] !== levels[i - 1]) at.push(i);
  if (withEnds) at.push(levels.length);
  return at;
}

function bytesOf(write: (w: ByteWriter) => number): { bytes: Uint8Array; n: number } {
  const w = new ByteWriter(16);
  const n = write(w);
  return { bytes: new Uint8Array(w.getBytes()), n };
}

/** Levels as runs of random lengths (short ones make bit-packed groups, long ones RLE runs). */
const levels = fc
  .array(fc.record({ value: fc.constantFrom(0, 1), length: fc.oneof(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 300 })) }), { maxLength: 40 })
  .map((runs) => Uint8Array.from(runs.flatMap((r) => Array<number>(r.length).fill(r.value))));

describe('definition levels from their changes == hyparquet-writer RLE/bit-packed hybrid', () => {
  it('on random runs of levels', () => {
    fc.assert(
      fc.property(levels, fc.boolean(), (l, withEnds) => {
        const ours = bytesOf((w) => writeDefinitionLevels(w, l, changes(l, withEnds)));
        const theirs = bytesOf((w) => writeRleBitPackedHybrid(w, l, 1));
        expect(ours.bytes).toEqual(theirs.bytes);
        expect(ours.n).toBe(theirs.n);
      }),
      { numRuns: 2000 },
    );
  });

  it('on a row group with a few NULL rows (header records) and on all NULL', () => {
    for (const l of [Uint8Array.from({ length: 4896 }, (_, i) => (i % 634 < 3 ? 0 : 1)), new Uint8Array(4896), new Uint8Array(5)]) {
      expect(bytesOf((w) => writeDefinitionLevels(w, l, changes(l, false))).bytes).toEqual(bytesOf((w) => writeRleBitPackedHybrid(w, l, 1)).bytes);
    }
  });
});
