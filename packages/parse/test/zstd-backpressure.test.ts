import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { compress } from 'zstd-napi';
import { readLineBatches } from '../src/input.js';

/** Lets the event loop run `turns` times (I/O and the decompressor's callbacks included). */
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}

describe('reading .zst input', () => {
  it('decompresses only as fast as the consumer takes lines (bounded memory for slow consumers)', async () => {
    // 48 MB of lines that barely compress, so the compressed bytes pulled from the
    // source measure how far decompression ran ahead of the consumer.
    const lines = Array.from({ length: 48 * 1024 }, () => randomBytes(768).toString('base64'));
    const compressed = compress(Buffer.from(lines.join('\n') + '\n'), { compressionLevel: 1 });
    let pulled = 0;
    const source = Readable.from(
      (function* () {
        for (let at = 0; at < compressed.length; at += 64 * 1024) {
          const chunk = compressed.subarray(at, at + 64 * 1024);
          pulled += chunk.length;
          yield chunk;
        }
      })(),
    );
    const it = readLineBatches(source)[Symbol.asyncIterator]();
    const first = await it.next();
    expect(first.done).toBe(false);
    // The consumer stops taking lines: decompression must stop soon after.
    let before = -1;
    while (pulled !== before) {
      before = pulled;
      await turns(50);
    }
    expect(pulled).toBeLessThan(16 * 1024 * 1024);
    // And it all arrives once the consumer goes on.
    let count = first.value!.length;
    for (let r = await it.next(); !r.done; r = await it.next()) count += r.value.length;
    expect(count).toBe(lines.length);
  });
});
