import { createReadStream, createWriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { CompressStream, DecompressStream } from 'zstd-napi';

/**
 * Rewrites a finished file of many small frames as one zstd frame (level
 * `level`), through a temporary file and an atomic rename, so a crash leaves
 * either the old or the new file. Streams in chunks: the polling loop is never
 * blocked for long and memory stays bounded whatever the file's size.
 *
 * Why: the saver writes a complete frame per connection every second for
 * durability, and small independent frames compress 3–18 times worse than
 * the original's one `zstd -3` stream (each frame starts without history).
 * Compacting a finished file brings it back to the original's size.
 */
export async function compactFile(path: string, level: number, signal?: AbortSignal): Promise<void> {
  const tmp = `${path}.compacting`;
  try {
    await pipeline(
      createReadStream(path, { highWaterMark: 64 * 1024 }),
      new DecompressStream(),
      new CompressStream({ compressionLevel: level }),
      createWriteStream(tmp),
      { signal },
    );
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}
