import type { ByteWriter } from 'hyparquet-writer';

/**
 * A column's definition levels (bit width 1) in the RLE/bit-packed hybrid
 * encoding, byte for byte as hyparquet-writer's writeRleBitPackedHybrid
 * writes them (a run of 8 or more equal levels as an RLE run; else groups of
 * 8 levels bit-packed until such a run starts), but with each run's length
 * taken from where the levels change, which the page writer already knows
 * (the runs of non-NULL rows), instead of comparing level after level: that
 * scan was ~3.5% of --format=parquet's CPU, nearly every column of a row group
 * having a few NULL rows (header records' rows). parquet-levels.test.ts holds
 * this to hyparquet-writer's encoder on random levels.
 */

/**
 * Writes `levels` (0 or 1 each); `changes` are the ascending positions where
 * a level differs from the one before (0 and `levels.length` may be among
 * them). Returns the bytes written.
 */
export function writeDefinitionLevels(writer: ByteWriter, levels: Uint8Array, changes: readonly number[]): number {
  const start = writer.offset;
  const n = levels.length;
  let next = 0;
  let packedGroups = 0;
  let packedStart = 0;
  for (let i = 0; i < n; ) {
    while (next < changes.length && changes[next]! <= i) next++;
    const runEnd = next < changes.length ? changes[next]! : n;
    if (runEnd - i >= 8) {
      if (packedGroups > 0) writeBitPacked(writer, levels, packedStart, packedGroups);
      packedGroups = 0;
      writer.appendVarInt((runEnd - i) << 1);
      writer.appendUint8(levels[i]!);
      i = runEnd;
    } else {
      if (packedGroups === 0) packedStart = i;
      packedGroups++;
      i += 8;
    }
  }
  if (packedGroups > 0) writeBitPacked(writer, levels, packedStart, packedGroups);
  return writer.offset - start;
}

/** `groups` groups of 8 levels from `from`, one byte each (first level in the lowest bit; 0 past the end). */
function writeBitPacked(writer: ByteWriter, levels: Uint8Array, from: number, groups: number): void {
  writer.appendVarInt((groups << 1) | 1);
  for (let g = 0; g < groups; g++) {
    let byte = 0;
    for (let k = 0; k < 8; k++) byte |= (levels[from + 8 * g + k] ?? 0) << k;
    writer.appendUint8(byte);
  }
}
