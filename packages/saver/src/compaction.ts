import { constants } from 'node:fs';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { CompressStream, DecompressStream } from 'zstd-napi';
import { SaverError } from './errors.js';
import { DEFAULT_FILE_MODE } from './write-rules.js';

/** Options of {@link compactFile}. */
export interface CompactOptions {
  /** Stops the rewrite (shutdown budget spent): the file stays as it was. */
  readonly signal?: AbortSignal;
  /** Exact mode of the rewritten file; undefined: 0644 under the umask, as the saver's files. */
  readonly fileMode?: number | undefined;
}

const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
const TEMP_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

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
 *
 * Never follows a symlink: the file is read with O_NOFOLLOW and must be a
 * regular file, the temporary `<path>.compacting` is created with O_EXCL (a
 * symlink or anything else planted at its name is refused with a
 * {@link SaverError} `NOT_REGULAR_FILE` and left alone).
 */
export async function compactFile(path: string, level: number, options: CompactOptions = {}): Promise<void> {
  const tmp = `${path}.compacting`;
  let src: FileHandle | undefined;
  let dst: FileHandle | undefined;
  let renamed = false;
  try {
    src = await open(path, READ_FLAGS).catch(refuseIf('ELOOP', path));
    if (!(await src.stat()).isFile()) throw new SaverError('NOT_REGULAR_FILE', `${path} is not a regular file`);
    dst = await open(tmp, TEMP_FLAGS, options.fileMode ?? DEFAULT_FILE_MODE).catch(refuseIf('EEXIST', tmp));
    if (options.fileMode !== undefined) await dst.chmod(options.fileMode);
    await pipeline(
      // The streams close their handles when done (pipeline waits for that); finally closes them otherwise.
      src.createReadStream({ highWaterMark: 64 * 1024 }),
      new DecompressStream(),
      new CompressStream({ compressionLevel: level }),
      dst.createWriteStream(),
      ...(options.signal ? [{ signal: options.signal }] : []),
    );
    await rename(tmp, path);
    renamed = true;
  } catch (err) {
    // Only a temporary we created is removed; whatever was planted at its name stays untouched.
    if (dst !== undefined && !renamed) await unlink(tmp).catch(() => undefined);
    throw err;
  } finally {
    await src?.close().catch(() => undefined);
    await dst?.close().catch(() => undefined);
  }
}

/** Turns the open(2) error meaning "something not ours is at this name" into a refusal. */
function refuseIf(code: string, path: string): (err: NodeJS.ErrnoException) => never {
  return (err) => {
    if (err.code === code || err.code === 'ELOOP') throw new SaverError('NOT_REGULAR_FILE', `${path}: ${err.message}`);
    throw err;
  };
}
