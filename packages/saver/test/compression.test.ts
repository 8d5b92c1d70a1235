import { describe, expect, it } from 'vitest';
import { decompress } from 'zstd-napi';
import { frameLevel, LineCompressor, type CompressedLines } from '../src/compression.js';
import type { ConnectionFile } from '../src/connection-file.js';

describe('frameLevel', () => {
  it('compresses frames at most at level 1 when compaction rewrites the files, at the level asked when it does not', () => {
    expect(frameLevel(3, true)).toBe(1);
    expect(frameLevel(19, true)).toBe(1);
    expect(frameLevel(-5, true)).toBe(-5); // a faster level asked stays
    expect(frameLevel(3, false)).toBe(3);
    expect(frameLevel(19, false)).toBe(19);
  });

  it('gives one frame per connection that decodes to its buffered lines', () => {
    const frames: CompressedLines[] = [];
    const c = new LineCompressor(frameLevel(3, true), 0, () => 0, (f) => frames.push(f));
    const conn = { lines: [], lineRecords: 0, dirtySince: 0, file: {} } as unknown as ConnectionFile;
    const lines = ['{"a":1}\n', '{"b":2}\n'].map((l) => Buffer.from(l));
    for (const l of lines) c.queue(conn, l, 1);
    c.compressAll();
    expect(frames).toHaveLength(1);
    expect(decompress(frames[0]!.bytes).toString()).toBe('{"a":1}\n{"b":2}\n');
  });
});
