import { constants } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';

const APPEND_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND;

/** What {@link appendFrames} found and did. */
export interface AppendResult {
  /** The file's size after the append: the new known-good size. */
  readonly size: number;
  /**
   * The file had shrunk below the known-good size (deleted or truncated under
   * us): it was emptied and `restart` written before `data`.
   */
  readonly restarted: boolean;
}

/**
 * Appends complete zstd frames to `path` (absolute) without keeping the file
 * open, so the saver needs no descriptor per connection (10,000 connections
 * would not fit the process's descriptor limit next to the sockets).
 *
 * `goodSize` is the size the saver last wrote successfully. A larger file
 * carries the torn tail of a failed write (ENOSPC mid-frame): it is cut back
 * first, so the file stays a valid zstd stream. A smaller file was deleted or
 * truncated behind our back: it is emptied and `restart()` (the header frame)
 * goes first, so the file is again self-describing. A missing directory is
 * created once. Rejects with the system error (ENOSPC, EACCES, …).
 */
export async function appendFrames(
  path: string,
  data: Uint8Array,
  goodSize: number,
  restart: () => Uint8Array,
): Promise<AppendResult> {
  let fh;
  try {
    fh = await open(path, APPEND_FLAGS, 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    await mkdir(dirname(path), { recursive: true });
    fh = await open(path, APPEND_FLAGS, 0o644);
  }
  try {
    let restarted = false;
    let base = goodSize;
    if (goodSize > 0) {
      const { size } = await fh.stat();
      if (size > goodSize) {
        await fh.truncate(goodSize);
      } else if (size < goodSize) {
        if (size > 0) await fh.truncate(0);
        restarted = true;
        base = 0;
      }
    }
    if (restarted) {
      const head = restart();
      await fh.writeFile(head);
      base += head.length;
    }
    await fh.writeFile(data);
    return { size: base + data.length, restarted };
  } finally {
    await fh.close();
  }
}
