import type { TcpInfoMetrics } from '@tcpinfo/metrics';
import type { ByteBudget } from './byte-budget.js';
import type { ConnectionFile, FileProgress, PendingFrame } from './connection-file.js';
import type { AppendOutcome } from './write-protocol.js';
import type { WriteThreadClient } from './write-thread-client.js';

/** Pause after a failed write before its retry (ms). */
const RETRY_AFTER_MS = 1000;

/** Counters the scheduler keeps (part of the saver's stats). */
export interface WriteStats {
  framesWritten: number;
  bytesWritten: number;
  /** Writes that failed (a write failing again on its retries counts once). */
  writeErrors: number;
  recordsDropped: number;
}

/** What the scheduler needs from the saver. */
export interface WriteSchedulerOptions {
  readonly client: WriteThreadClient;
  readonly budget: ByteBudget;
  readonly now: () => number;
  readonly maxConcurrentWrites: number;
  readonly headerFrame: (file: FileProgress) => Uint8Array;
  /** The last frame of a finished file is on disk (or dropped). */
  readonly onFileDone: (file: FileProgress) => void;
  readonly stats: WriteStats;
  readonly metrics: TcpInfoMetrics | undefined;
  readonly logError: (line: string) => void;
}

/**
 * Hands compressed frames to the write thread: each connection's frames in
 * order, one write at a time per connection, at most `maxConcurrentWrites`
 * connections at once (FIFO for the rest), the next write starting as soon as
 * one ends (so a backlog drains at disk speed). A failed write pauses its
 * connection for a second (retried from {@link retryDue}); its frames stay
 * queued, so writing resumes when the disk recovers. A refused path (not a
 * regular file of ours) loses its frames at once: retrying cannot help.
 */
export class WriteScheduler {
  /** Connections with frames waiting to be written or retried. */
  readonly #unwritten = new Set<ConnectionFile>();
  /** Connections with frames, not writing, not pausing after an error: waiting for a write slot (FIFO). */
  readonly #waiting = new Set<ConnectionFile>();
  #writes = 0;

  constructor(private readonly o: WriteSchedulerOptions) {}

  /** Queues a frame of the connection's file; starts its write when a slot is free. */
  enqueue(conn: ConnectionFile, frame: PendingFrame): void {
    frame.file.framesQueued++;
    conn.frames.push(frame);
    this.#unwritten.add(conn);
    if (conn.writing === undefined && conn.retryAt <= this.o.now()) {
      this.#waiting.add(conn);
      this.pump();
    }
  }

  /** Connections pausing after an error whose pause is over go back to the queue. */
  retryDue(): void {
    // Connections neither writing nor waiting are pausing after an error.
    if (this.#unwritten.size <= this.#writes + this.#waiting.size) return;
    const now = this.o.now();
    for (const conn of this.#unwritten) if (conn.writing === undefined && conn.retryAt <= now) this.#waiting.add(conn);
  }

  /** Starts waiting writes while slots are free; called whenever a write ends, so the queue drains at disk speed. */
  pump(): void {
    while (this.#writes < this.o.maxConcurrentWrites) {
      const next = this.#waiting.values().next();
      if (next.done) return;
      const conn = next.value;
      this.#waiting.delete(conn);
      if (conn.writing === undefined && conn.frames.length > 0) this.#startWriting(conn);
    }
  }

  /**
   * Starts every queued write, retrying paused ones now when `retryNow`, and
   * resolves when they have ended; true when nothing is left unwritten.
   */
  async writeQueued(retryNow: boolean): Promise<boolean> {
    for (const conn of this.#unwritten) {
      if (conn.writing !== undefined) continue;
      if (retryNow) conn.retryAt = 0;
      this.#waiting.add(conn);
    }
    this.pump();
    const writing = [...this.#unwritten].map((c) => c.writing).filter((w): w is Promise<void> => w !== undefined);
    await Promise.all(writing);
    return this.#unwritten.size === 0;
  }

  /** Some connection has frames still to write. */
  get busy(): boolean {
    return this.#unwritten.size > 0;
  }

  /** Every connection still to write is pausing after a failure until after now. */
  get allPausing(): boolean {
    const now = this.o.now();
    for (const c of this.#unwritten) if (c.writing !== undefined || c.retryAt <= now) return false;
    return true;
  }

  /**
   * Gives up on every frame not written (at exit): counts their records as
   * dropped and returns the files concerned, to be settled on disk.
   */
  abandon(): { files: Set<FileProgress>; bytes: number; records: number } {
    const files = new Set<FileProgress>();
    let bytes = 0;
    let records = 0;
    for (const conn of this.#unwritten) {
      for (const f of conn.frames) {
        files.add(f.file);
        bytes += f.bytes.length;
        records += f.records;
      }
    }
    if (records > 0) {
      this.o.stats.recordsDropped += records;
      this.o.metrics?.droppedRecords.labels('unwritten_at_exit').inc(records);
    }
    return { files, bytes, records };
  }

  #startWriting(conn: ConnectionFile): void {
    this.#writes++;
    conn.writing = this.#writeFrames(conn).finally(() => {
      this.#writes--;
      conn.writing = undefined;
      if (conn.frames.length > 0 && conn.retryAt <= this.o.now()) this.#waiting.add(conn);
      this.pump();
    });
  }

  /** Writes a connection's frames in order, batching those of one file; stops at the first failure. */
  async #writeFrames(conn: ConnectionFile): Promise<void> {
    while (conn.frames.length > 0) {
      const file = conn.frames[0]!.file;
      let n = 1;
      while (n < conn.frames.length && conn.frames[n]!.file === file) n++;
      const bytes = n === 1 ? conn.frames[0]!.bytes : Buffer.concat(conn.frames.slice(0, n).map((f) => f.bytes));
      const outcome = await this.o.client.append(file, bytes, () => this.o.headerFrame(file));
      if (!outcome.ok && !outcome.refused) {
        this.#failed(conn, file, outcome);
        return;
      }
      const written = conn.frames.splice(0, n);
      file.framesQueued -= n;
      this.o.budget.release(bytes.length);
      if (outcome.ok) {
        conn.failing = false;
        if (outcome.restarted) {
          file.framesOnDisk = 1;
          this.o.metrics?.errors.labels('file_vanished').inc();
          this.o.logError(`tcp-info: ${file.path} vanished or shrank under us; started it again with its header`);
        }
        file.sizeOnDisk = outcome.size;
        file.framesOnDisk += n;
        this.o.stats.framesWritten += n;
        this.o.stats.bytesWritten += bytes.length;
      } else {
        this.#refused(file, written, outcome.message);
      }
      if (file.finished && file.framesQueued === 0) this.o.onFileDone(file);
    }
    this.#unwritten.delete(conn);
  }

  /** A write failed (the thread cut the torn tail back already): pause the connection, count the failure once. */
  #failed(conn: ConnectionFile, file: FileProgress, outcome: AppendOutcome & { ok: false }): void {
    conn.retryAt = this.o.now() + RETRY_AFTER_MS;
    if (conn.failing) return; // a retry of the same write: already counted and logged
    conn.failing = true;
    this.o.stats.writeErrors++;
    this.o.metrics?.errors.labels(`write_${outcome.code}`).inc();
    this.o.logError(`tcp-info: writing ${file.path}: ${outcome.message}; will retry`);
  }

  /** The path is not a regular file of ours: its frames are dropped, the refusal counted once per file. */
  #refused(file: FileProgress, frames: readonly PendingFrame[], message: string): void {
    let records = 0;
    for (const f of frames) records += f.records;
    this.o.stats.recordsDropped += records;
    this.o.metrics?.droppedRecords.labels('not_regular_file').inc(records);
    if (file.refused) return;
    file.refused = true;
    this.o.metrics?.errors.labels('not_regular_file').inc();
    this.o.logError(`tcp-info: refusing to write ${file.path}: not a regular file of ours (${message}); its records are dropped`);
  }
}
