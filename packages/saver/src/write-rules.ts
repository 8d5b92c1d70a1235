import { constants } from 'node:fs';
import { dirname } from 'node:path';
import type { AppendOutcome, AppendRequest, BatchAnswer, SettleRequest, WriteBatch, WriteThreadConfig } from './write-protocol.js';

/**
 * The rules of writing the saver's files, in one place: the write thread
 * (write-thread.ts) is nothing but this class over `node:fs`, and tests drive
 * it in-process over a real directory or over a file system that fails on
 * purpose (`SyncFs`).
 *
 * - Descriptors of recently written files stay open (LRU, at most
 *   `maxOpenFiles`): a busy connection's flush is one write.
 * - A kept descriptor is re-checked against its path after `recheckMs` (a file
 *   deleted under us would otherwise swallow writes).
 * - On (re)open the size is compared with the size last written successfully
 *   ({@link reconcileSize}): a torn tail is cut off, a deleted or truncated file
 *   starts again with its header frame.
 * - A failed write is cut back at once to the size before it (a file with
 *   nothing written is removed), so the file on disk is a valid zstd stream of
 *   complete frames at every moment, whatever happens next (retry, SIGTERM,
 *   kill -9).
 * - Only regular files of ours are written ({@link openFlags}): O_NOFOLLOW (a
 *   symlink planted at a predictable name is refused, its target untouched),
 *   O_EXCL when a file is created (nothing that already exists at a new name
 *   is written into, hard links included), O_NONBLOCK (a FIFO cannot block the
 *   thread), and fstat must say regular file.
 */
export class WriteRules {
  /** path -> kept descriptor, least recently used first (Map order). */
  readonly #open = new Map<string, { fd: number; checkedAt: number }>();
  /** Files we created whose removal after a failed first write failed: reopened without O_EXCL. */
  readonly #ours = new Set<string>();

  constructor(
    private readonly fs: SyncFs,
    private readonly config: WriteThreadConfig,
  ) {}

  /** Descriptors open now. */
  get openFiles(): number {
    return this.#open.size;
  }

  /** Performs one batch: releases, then the appends in order, then settles. */
  handle(batch: WriteBatch): BatchAnswer {
    if (batch.releaseAll) this.releaseAll();
    for (const path of batch.release) this.release(path);
    const results = batch.appends.map((a) => this.append(a, batch.bytes, batch.now));
    for (const s of batch.settle) this.settle(s);
    return { results, openFiles: this.#open.size };
  }

  /** Appends the request's frames; never throws. */
  append(req: AppendRequest, bytes: ArrayBufferLike, now: number): AppendOutcome {
    const data = new Uint8Array(bytes, req.data[0], req.data[1]);
    const kept = this.#open.get(req.path);
    if (kept !== undefined) {
      this.#open.delete(req.path);
      if (!mustRecheck(kept.checkedAt, now, this.config.recheckMs)) {
        this.#open.set(req.path, kept); // now the most recently used
        return this.#write(req.path, kept.fd, req.goodSize, [data], false);
      }
      // Time to check that the path still is our file: reopen it below.
      this.#closeQuietly(kept.fd);
    }
    let fd: number;
    try {
      fd = this.#openFile(req.path, req.goodSize);
    } catch (err) {
      return failure(err, isRefusal(err));
    }
    this.#open.set(req.path, { fd, checkedAt: now });
    this.#trim();
    let found: number;
    try {
      const st = this.fs.fstatSync(fd);
      if (!st.isFile()) {
        this.release(req.path);
        return failure(Object.assign(new Error(`${req.path} is not a regular file`), { code: NOT_REGULAR_FILE }), true);
      }
      if (this.config.fileMode !== undefined) this.fs.fchmodSync(fd, this.config.fileMode);
      found = st.size;
    } catch (err) {
      this.release(req.path);
      return failure(err, false);
    }
    const { keep, restart } = reconcileSize(req.goodSize, found);
    if (keep !== found) {
      try {
        this.fs.ftruncateSync(fd, keep);
      } catch (err) {
        this.release(req.path);
        return failure(err, false);
      }
    }
    const parts = restart ? [new Uint8Array(bytes, req.header[0], req.header[1]), data] : [data];
    return this.#write(req.path, fd, keep, parts, restart);
  }

  /**
   * Leaves a file whose frames could not all be written in a valid state (at
   * exit): cut back to `goodSize` if a torn tail is left, removed if nothing
   * of it was written and we created it. Never follows a symlink, never throws.
   */
  settle(req: SettleRequest): void {
    this.release(req.path);
    let fd: number;
    try {
      fd = this.fs.openSync(req.path, SETTLE_FLAGS, 0);
    } catch {
      return; // gone, or not ours to touch
    }
    try {
      const st = this.fs.fstatSync(fd);
      if (!st.isFile()) return;
      if (req.goodSize === 0) {
        if (this.#ours.has(req.path)) {
          this.fs.unlinkSync(req.path);
          this.#ours.delete(req.path);
        }
      } else if (st.size > req.goodSize) {
        this.fs.ftruncateSync(fd, req.goodSize);
      }
    } catch {
      // Nothing more can be done at exit; a reader still finds every complete frame before the tail.
    } finally {
      this.#closeQuietly(fd);
    }
  }

  /** Closes the path's descriptor (file finished: rotation, close, before compaction). */
  release(path: string): void {
    const kept = this.#open.get(path);
    if (kept === undefined) return;
    this.#open.delete(path);
    this.#closeQuietly(kept.fd);
  }

  /** Closes every descriptor. */
  releaseAll(): void {
    for (const path of [...this.#open.keys()]) this.release(path);
  }

  #openFile(path: string, goodSize: number): number {
    const flags = openFlags(goodSize, this.#ours.has(path));
    const mode = this.config.fileMode ?? DEFAULT_FILE_MODE;
    try {
      return this.fs.openSync(path, flags, mode);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      this.fs.mkdirSync(dirname(path), { recursive: true });
      return this.fs.openSync(path, flags, mode);
    }
  }

  /** Writes `parts` at the end of the file (which is `base` bytes long); on failure cuts it back to `base`. */
  #write(path: string, fd: number, base: number, parts: readonly Uint8Array[], restarted: boolean): AppendOutcome {
    let size = base;
    try {
      for (const part of parts) {
        let off = 0;
        while (off < part.length) off += this.fs.writeSync(fd, part, off, part.length - off);
        size += part.length;
      }
    } catch (err) {
      this.#cut(fd, path, base);
      this.release(path);
      return failure(err, false);
    }
    this.#ours.delete(path);
    return { ok: true, size, restarted };
  }

  /** Cuts a torn tail off at once; a file left empty is removed (it would have no header). */
  #cut(fd: number, path: string, size: number): void {
    try {
      this.fs.ftruncateSync(fd, size);
      if (size > 0) return;
      this.fs.unlinkSync(path);
      this.#ours.delete(path);
    } catch {
      // The next open's size check (or settle at exit) cuts it; an empty file of ours is reopened without O_EXCL.
      if (size === 0) this.#ours.add(path);
    }
  }

  #trim(): void {
    for (const path of this.#open.keys()) {
      if (this.#open.size <= this.config.maxOpenFiles) break;
      this.release(path);
    }
  }

  #closeQuietly(fd: number): void {
    try {
      this.fs.closeSync(fd);
    } catch {
      // A failed close of a descriptor we are done with changes nothing.
    }
  }
}

/** The part of `node:fs` the rules use (synchronous: the write thread only ever waits for the disk). */
export interface SyncFs {
  openSync(path: string, flags: number, mode: number): number;
  fstatSync(fd: number): { readonly size: number; isFile(): boolean };
  ftruncateSync(fd: number, len: number): void;
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  closeSync(fd: number): void;
  mkdirSync(path: string, options: { recursive: true }): unknown;
  unlinkSync(path: string): void;
  fchmodSync(fd: number, mode: number): void;
}

/** Error code of a refusal: the path exists and is not a regular file of ours. */
export const NOT_REGULAR_FILE = 'NOT_REGULAR_FILE';

/** Mode given to open(2) when no file mode is configured: the umask applies, as for the original. */
export const DEFAULT_FILE_MODE = 0o644;

const BASE_FLAGS = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK;
const SETTLE_FLAGS = constants.O_WRONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/**
 * Flags to open a file with. A new file (nothing written yet) is created with
 * O_EXCL: whatever already sits at its name was not made by us. A file we
 * have written to (or created and failed to remove) may be reopened.
 */
export function openFlags(goodSize: number, ours: boolean): number {
  return goodSize === 0 && !ours ? BASE_FLAGS | constants.O_EXCL : BASE_FLAGS;
}

/** A kept descriptor must be checked against its path again. */
export function mustRecheck(checkedAt: number, now: number, recheckMs: number): boolean {
  return now - checkedAt >= recheckMs;
}

/**
 * What to do with a file found `found` bytes long when `goodSize` bytes were
 * last written successfully: keep `keep` bytes (cut the rest) and, when the
 * file lost bytes we wrote (deleted or truncated under us), start it again
 * with its header.
 */
export function reconcileSize(goodSize: number, found: number): { keep: number; restart: boolean } {
  if (found >= goodSize) return { keep: goodSize, restart: false }; // equal, or a torn tail to cut off
  return { keep: 0, restart: true };
}

/** Errors of open(2) that mean the path is something we must not write into. */
function isRefusal(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  // ELOOP: a symlink (O_NOFOLLOW); EEXIST: something at a new file's name (O_EXCL);
  // EISDIR: a directory; ENXIO: a FIFO without a reader (O_NONBLOCK).
  return code === 'ELOOP' || code === 'EEXIST' || code === 'EISDIR' || code === 'ENXIO';
}

function failure(err: unknown, refused: boolean): AppendOutcome {
  const e = err as NodeJS.ErrnoException;
  return { ok: false, code: refused ? NOT_REGULAR_FILE : (e.code ?? 'EIO'), message: String(e.message), refused };
}
