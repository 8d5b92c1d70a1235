import { close, constants, fstat, ftruncate, mkdir, open, write } from 'node:fs';
import { dirname } from 'node:path';
import type { AppendResult } from './frame-file.js';

const APPEND_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND;

/** A file the writer appends to; the saver's `FileProgress` fits. */
export interface FrameTarget {
  /** Absolute path. */
  readonly path: string;
  /** Size as last written successfully: beyond it is a torn write. */
  readonly sizeOnDisk: number;
  /** Open descriptor kept by the writer, -1 when closed. */
  fd: number;
  /** When the descriptor was last checked against the path (ms). */
  checkedAt: number;
  /** A write is in progress (the descriptor must not be evicted). */
  busy: boolean;
}

/** Options of a {@link FrameWriter}. */
export interface FrameWriterOptions {
  /** Descriptors kept open at most (default 1024), least recently used closed first. */
  readonly maxOpenFiles?: number;
  /** A kept descriptor is checked against its path (deleted? truncated?) after this long (default 5000 ms). */
  readonly recheckMs?: number;
  readonly now?: () => number;
}

/**
 * Appends complete zstd frames to files, keeping the descriptors of recently
 * written files open (bounded, LRU) so that a busy connection costs one write
 * per flush instead of open, fstat, write and close (4 calls through libuv's
 * pool). The bound keeps the daemon far below its descriptor limit whatever the
 * number of connections.
 *
 * Same guarantees as {@link appendFrames}: a torn tail is cut off, a file
 * deleted or truncated under us starts again with `restart()` (its header). A
 * kept descriptor is re-checked every `recheckMs` (a deleted file would
 * otherwise swallow writes silently) and after any error.
 */
export class FrameWriter {
  readonly #max: number;
  readonly #recheckMs: number;
  readonly #now: () => number;
  /** Targets with an open descriptor, least recently used first. */
  readonly #lru = new Set<FrameTarget>();

  constructor(options: FrameWriterOptions = {}) {
    this.#max = options.maxOpenFiles ?? 1024;
    this.#recheckMs = options.recheckMs ?? 5000;
    this.#now = options.now ?? Date.now;
  }

  /** Descriptors currently open. */
  get openFiles(): number {
    return this.#lru.size;
  }

  /** Appends `data` to `target`; rejects with the system error (the descriptor is then closed). */
  append(target: FrameTarget, data: Uint8Array, restart: () => Uint8Array): Promise<AppendResult> {
    target.busy = true;
    return new Promise<AppendResult>((resolve, reject) => {
      const fail = (err: NodeJS.ErrnoException) => {
        this.#drop(target);
        reject(err);
      };
      const succeed = (result: AppendResult) => resolve(result);
      if (target.fd >= 0) {
        this.#lru.delete(target);
        this.#lru.add(target);
        if (this.#now() - target.checkedAt < this.#recheckMs) {
          writeAll(target.fd, data, (e) => (e ? fail(e) : succeed({ size: target.sizeOnDisk + data.length, restarted: false })));
          return;
        }
        // Time to check that the path still is our file: reopen it and let the checks below decide.
        this.#drop(target);
      }
      this.#openAndCheck(target, data, restart, succeed, fail);
    }).finally(() => {
      target.busy = false;
      // Descriptors that could not be evicted while their writes ran go now.
      if (this.#lru.size > this.#max) this.#trim(undefined);
    });
  }

  /** Closes the target's descriptor, if open (before rotation, compaction, shutdown). */
  release(target: FrameTarget): void {
    this.#drop(target);
  }

  /** Closes every descriptor. */
  releaseAll(): void {
    for (const t of [...this.#lru]) this.#drop(t);
  }

  /** Closes every descriptor (the same as {@link releaseAll}; for the saver's writer interface). */
  async close(): Promise<void> {
    this.releaseAll();
  }

  #drop(target: FrameTarget): void {
    if (target.fd >= 0) {
      close(target.fd, () => {});
      target.fd = -1;
    }
    this.#lru.delete(target);
  }

  #keep(target: FrameTarget, fd: number): void {
    target.fd = fd;
    target.checkedAt = this.#now();
    this.#lru.add(target);
    if (this.#lru.size > this.#max) this.#trim(target);
  }

  /** Closes least recently used descriptors (not busy, not `keep`) down to the bound. */
  #trim(keep: FrameTarget | undefined): void {
    for (const victim of this.#lru) {
      if (this.#lru.size <= this.#max) break;
      if (victim !== keep && !victim.busy) this.#drop(victim);
    }
  }

  #openAndCheck(
    target: FrameTarget,
    data: Uint8Array,
    restart: () => Uint8Array,
    succeed: (r: AppendResult) => void,
    fail: (e: NodeJS.ErrnoException) => void,
  ): void {
    const goodSize = target.sizeOnDisk;
    const opened = (err: NodeJS.ErrnoException | null, fd: number) => {
      if (err) return fail(err);
      this.#keep(target, fd);
      const append = (base: number, restarted: boolean) => {
        const done = (e: NodeJS.ErrnoException | null) => (e ? fail(e) : succeed({ size: base + data.length, restarted }));
        if (!restarted) return writeAll(fd, data, done);
        const head = restart();
        base += head.length;
        writeAll(fd, head, (e) => (e ? fail(e) : writeAll(fd, data, done)));
      };
      if (goodSize === 0) return append(0, false);
      fstat(fd, (e, st) => {
        if (e) return fail(e);
        if (st.size === goodSize) return append(goodSize, false);
        // Larger: a torn write to cut off. Smaller: deleted or truncated under us.
        const keep = st.size > goodSize ? goodSize : 0;
        ftruncate(fd, keep, (e2) => (e2 ? fail(e2) : append(keep, keep === 0)));
      });
    };
    open(target.path, APPEND_FLAGS, 0o644, (err, fd) => {
      if (err?.code !== 'ENOENT') return opened(err, fd);
      mkdir(dirname(target.path), { recursive: true }, (e) => (e ? fail(e) : open(target.path, APPEND_FLAGS, 0o644, opened)));
    });
  }
}

/** Writes all of `bytes` (O_APPEND descriptor), looping over short writes. */
function writeAll(fd: number, bytes: Uint8Array, cb: (err: NodeJS.ErrnoException | null) => void): void {
  let off = 0;
  const more = () =>
    write(fd, bytes, off, bytes.length - off, null, (e, n) => {
      if (e) return cb(e);
      off += n;
      if (off < bytes.length) more();
      else cb(null);
    });
  more();
}
