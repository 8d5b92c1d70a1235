import { join } from 'node:path';
import { Compressor } from 'zstd-napi';
import { ArchivalRecord, GoTime } from '@tcpinfo/netlink';
import { SIZEOF_INET_DIAG_MSG } from '@tcpinfo/inetdiag';
import type { TcpInfoMetrics } from '@tcpinfo/metrics';
import { compactFile } from './compaction.js';
import { ConnectionFile, FileProgress, type PendingFrame } from './connection-file.js';
import type { FlowEventSink, RecordSink } from './events.js';
import { FrameWriter } from './frame-writer.js';
import { ThreadFrameWriter } from './thread-frame-writer.js';
import { connectionFilePath, datePath } from './paths.js';
import { rateLimitedLog } from './rate-limited-log.js';
import { uuidFromCookie } from './uuid.js';

/** Options of a {@link Saver}. */
export interface SaverOptions {
  /** Root of the output tree (`-output`). */
  readonly outputDir: string;
  /** UUID prefix (the prefix file's content, or the default). */
  readonly uuidPrefix: string;
  readonly metrics?: TcpInfoMetrics;
  readonly events?: FlowEventSink;
  /** Gets every record written and every close (the query socket's feed). */
  readonly records?: RecordSink;
  /** Life of one file of a connection (default 10 minutes, SPEC §5). */
  readonly rotationMs?: number;
  /**
   * A record is compressed and handed to the disk at most this long after it
   * was queued (default 800 ms, checked every cycle), so it is on disk, as a complete zstd frame,
   * well within a second.
   */
  readonly flushAfterMs?: number;
  /**
   * Most compressed bytes waiting for the disk (default 64 MiB). When a new
   * frame would exceed it, the frame is dropped: its records are counted in
   * `tcpinfo_dropped_records_total{reason="write_queue_full"}` and the file
   * stays valid (it just misses those snapshots). Polling never waits.
   */
  readonly maxPendingBytes?: number;
  /** Appends handed to the write thread and not yet answered (default 2048): bounds one batch's work. */
  readonly maxConcurrentWrites?: number;
  /**
   * Descriptors of recently written files kept open (default 4096, least
   * recently used closed first): a busy connection then costs one write per
   * flush. Far below the process's descriptor limit whatever the connection count.
   */
  readonly maxOpenFiles?: number;
  /**
   * Write files from one worker thread with synchronous calls, a batch of appends
   * per message (default true), instead of one libuv request per file.
   */
  readonly writeThread?: boolean;
  /** zstd level (default 3, as the original's zstd processes). */
  readonly compressionLevel?: number;
  /**
   * Rewrite each finished file of several frames as one frame (default true):
   * per-second frames compress 3–18 times worse than one stream, compaction
   * brings files back to the original's `zstd -3` size. See compaction.ts.
   */
  readonly compact?: boolean;
  /** Wall clock in ms (tests inject one). */
  readonly now?: () => number;
  /** Log sink (default: console.error). */
  readonly log?: (line: string) => void;
}

/** What the saver keeps of one connection, on its key (opaque to the layers above). */
export type ConnectionState = ConnectionFile;

/** A connection as the saver needs it (a `CacheEntry<ConnectionState>` fits). */
export interface ConnectionKey {
  /** Low 32 bits of the cookie. */
  readonly lo: number;
  /** High 32 bits of the cookie. */
  readonly hi: number;
  /** Saver state lives here (a cache entry's `state` field); undefined until the first write. */
  state: ConnectionState | undefined;
}

/** Counters of a saver, for logs, tests and benchmarks. */
export interface SaverStats {
  filesStarted: number;
  framesWritten: number;
  bytesWritten: number;
  writeErrors: number;
  recordsDropped: number;
  filesCompacted: number;
  compactionsSkipped: number;
}

/**
 * Writes each connection's records into its own zstd-compressed JSONL files
 * (SPEC §5): date directories, header records, 10-minute rotation. Never blocks
 * the caller on the disk: records are buffered per connection, compressed into a
 * complete zstd frame at most `flushAfterMs` later (from {@link tick}), and
 * appended asynchronously (open, append, close: no descriptor is held per
 * connection). A torn write (ENOSPC mid-frame) is cut off before the retry, a
 * file deleted under us starts again with its header; failures are counted in
 * `tcpinfo_error_total`, logged at most once a second and retried a second
 * later, so writing resumes when the disk recovers. Finished files of several
 * frames are compacted into one frame in the background.
 */
export class Saver {
  readonly #opts: Required<Omit<SaverOptions, 'metrics' | 'events' | 'records'>> & Pick<SaverOptions, 'metrics' | 'events' | 'records'>;
  readonly #compressor = new Compressor();
  readonly #writer: FrameWriter | ThreadFrameWriter;
  /** Connections with lines to compress, in the order they became dirty (so oldest first). */
  readonly #dirty = new Set<ConnectionFile>();
  /** Connections with frames waiting to be written or retried. */
  readonly #unwritten = new Set<ConnectionFile>();
  /** Connections with frames, not writing, not pausing after an error: waiting for a write slot (FIFO). */
  readonly #waiting = new Set<ConnectionFile>();
  readonly #logError: (line: string) => void;
  readonly #compactionQueue: string[] = [];
  #compaction: Promise<void> | undefined;
  /** When the compaction loop stops taking files (ms): none while running; closeAll sets one. */
  #compactionDeadline = Infinity;
  #compactionAbort: AbortController | undefined;
  #closing = false;
  #pendingBytes = 0;
  #writes = 0;
  #open = 0;
  readonly stats: SaverStats = {
    filesStarted: 0, framesWritten: 0, bytesWritten: 0, writeErrors: 0,
    recordsDropped: 0, filesCompacted: 0, compactionsSkipped: 0,
  };

  constructor(options: SaverOptions) {
    this.#opts = {
      rotationMs: 10 * 60 * 1000,
      flushAfterMs: 800,
      maxPendingBytes: 64 * 1024 * 1024,
      maxConcurrentWrites: 2048,
      maxOpenFiles: 4096,
      compressionLevel: 3,
      compact: true,
      writeThread: true,
      now: Date.now,
      log: (line) => console.error(line),
      ...options,
    };
    this.#compressor.setParameters({ compressionLevel: this.#opts.compressionLevel });
    const writerOptions = { maxOpenFiles: this.#opts.maxOpenFiles, now: this.#opts.now };
    this.#writer = this.#opts.writeThread ? new ThreadFrameWriter(writerOptions) : new FrameWriter(writerOptions);
    this.#logError = rateLimitedLog(this.#opts.log, 1000, this.#opts.now);
  }

  /** Connections whose file is open. */
  get openConnections(): number {
    return this.#open;
  }

  /** Batches handed to the write thread so far (0 without one), for benchmarks. */
  get writeBatches(): number {
    return this.#writer instanceof ThreadFrameWriter ? this.#writer.batches : 0;
  }

  /** File descriptors kept open for recently written files (at most `maxOpenFiles`). */
  get openFiles(): number {
    return this.#writer.openFiles;
  }

  /** Compressed bytes not yet on disk. */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /**
   * Queues a snapshot of a connection (a changed or first snapshot). The first
   * one opens the connection (and announces it with the un-anonymized
   * `rawIdm`); a snapshot after the file's expiry starts the next file.
   */
  write(key: ConnectionKey, record: ArchivalRecord, rawIdm: Uint8Array): void {
    this.writeLine(key, record.toJSONLine(), record.timestamp, rawIdm);
    this.#opts.records?.onRecord((key.state as ConnectionFile).uuid, record);
  }

  /** {@link write} with the record already encoded (`line`, no newline) and its timestamp. */
  writeLine(key: ConnectionKey, line: string, timestamp: GoTime, rawIdm: Uint8Array): void {
    const now = this.#opts.now();
    let conn = key.state;
    if (conn === undefined) {
      const uuid = uuidFromCookie(this.#opts.uuidPrefix, key.hi, key.lo);
      conn = new ConnectionFile(uuid, timestamp, now, this.#opts.rotationMs);
      key.state = conn;
      this.#open++;
      this.#opts.metrics?.openConnections.inc();
      this.#opts.metrics?.flowEvents.labels('open').inc();
      this.#opts.events?.onFlowEvent({ kind: 'open', timestamp, uuid, id: Uint8Array.prototype.slice.call(rawIdm, 0, SIZEOF_INET_DIAG_MSG) });
    }
    if (conn.file !== undefined && now > conn.expiresAt) {
      // Rotation: the rest of the old file goes out now, then it is finished.
      this.#compress(conn);
      this.#finishFile(conn, conn.file);
      conn.file = undefined;
      conn.expiresAt += this.#opts.rotationMs;
    }
    if (conn.file === undefined) this.#startFile(conn, now);
    this.#queueLine(conn, line, 1);
    this.#opts.metrics?.snapshots.inc();
  }

  /** The connection has closed: announce it, flush its file now, then compact it. */
  close(key: ConnectionKey, timestamp: GoTime): void {
    const conn = key.state;
    if (conn === undefined || conn.closed) return;
    conn.closed = true;
    key.state = undefined;
    this.#open--;
    this.#opts.metrics?.openConnections.dec();
    this.#opts.metrics?.flowEvents.labels('close').inc();
    // Before the event: a sidecar asking about the connection on its close event finds it closed.
    this.#opts.records?.onClose(conn.uuid, timestamp);
    this.#opts.events?.onFlowEvent({ kind: 'close', timestamp, uuid: conn.uuid });
    this.#compress(conn);
    if (conn.file !== undefined) this.#finishFile(conn, conn.file);
    conn.file = undefined;
  }

  /**
   * Compresses the lines of connections whose oldest line is due, and retries
   * failed writes whose pause is over. Call after every polling cycle; cheap
   * when nothing is due.
   */
  tick(): void {
    const now = this.#opts.now();
    const due = now - this.#opts.flushAfterMs;
    for (const conn of this.#dirty) {
      if (conn.dirtySince > due) break;
      this.#compress(conn);
    }
    // Connections neither writing nor waiting are pausing after an error: retry those whose pause is over.
    if (this.#unwritten.size > this.#writes + this.#waiting.size) {
      for (const conn of this.#unwritten) if (conn.writing === undefined && conn.retryAt <= now) this.#waiting.add(conn);
    }
    this.#pump();
  }

  /**
   * Compresses every buffered line now and hands the frames to the disk,
   * without waiting. For bursts: the collector calls it after its first cycle,
   * so the files of every connection found at start-up are written at once
   * instead of `flushAfterMs` later, and are on disk within the durability budget.
   */
  flushNow(): void {
    for (const conn of this.#dirty) this.#compress(conn);
    this.#pump();
  }

  /**
   * Compresses every buffered line and resolves once every frame is written
   * (or failed once). For tests and benchmarks; the daemon relies on {@link tick}.
   */
  async flush(): Promise<void> {
    for (const conn of [...this.#dirty]) this.#compress(conn);
    for (;;) {
      for (const conn of this.#unwritten) if (conn.writing === undefined) this.#waiting.add(conn);
      this.#pump();
      const writing = [...this.#unwritten].map((c) => c.writing).filter((w): w is Promise<void> => w !== undefined);
      if (writing.length === 0) return;
      await Promise.all(writing);
      if ([...this.#unwritten].every((c) => c.retryAt > this.#opts.now())) return;
    }
  }

  /**
   * Closes every connection (announcing each), compresses everything and waits
   * for every write; failed writes are retried until `deadlineMs` has passed.
   * Then compacts finished files for what remains of `compactionBudgetMs`
   * (default 1000 ms from the call): files not compacted by then stay valid
   * multi-frame files.
   */
  async closeAll(timestamp: GoTime = GoTime.now(), keys: Iterable<ConnectionKey> = [], deadlineMs = 1500, compactionBudgetMs = 1000): Promise<void> {
    const start = Date.now();
    this.#closing = true;
    for (const key of keys) this.close(key, timestamp);
    for (const conn of [...this.#dirty]) this.#compress(conn);
    const end = start + deadlineMs;
    for (;;) {
      for (const conn of this.#unwritten) {
        if (conn.writing === undefined) {
          conn.retryAt = 0;
          this.#waiting.add(conn);
        }
      }
      this.#pump();
      const writing = [...this.#unwritten].map((c) => c.writing).filter((w): w is Promise<void> => w !== undefined);
      if (this.#unwritten.size === 0 || Date.now() > end) break;
      await Promise.race([Promise.any(writing.length > 0 ? writing : [Promise.resolve()]), new Promise((r) => setTimeout(r, 50))]);
    }
    if (this.#pendingBytes > 0) this.#opts.log(`tcp-info: ${this.#pendingBytes} compressed bytes could not be written at exit`);
    this.#writer.releaseAll();
    await this.#drainCompaction(start + compactionBudgetMs);
    await this.#writer.close();
  }

  #startFile(conn: ConnectionFile, now: number): void {
    const seq = conn.nextSequence++;
    // The first file is dated by the connection's start, later ones by when they open.
    const dateMs = seq === 0 ? conn.startTime.unixMillis() : now;
    const path = join(this.#opts.outputDir, connectionFilePath(datePath(dateMs), conn.uuid, seq));
    const header = new ArchivalRecord({ metadata: { UUID: conn.uuid, Sequence: seq, StartTime: conn.startTime } }).toJSONLine() + '\n';
    conn.file = new FileProgress(path, header);
    this.#queueLine(conn, header.slice(0, -1), 0);
    this.stats.filesStarted++;
    this.#opts.metrics?.newFiles.inc();
  }

  #queueLine(conn: ConnectionFile, line: string, records: number): void {
    if (conn.lines.length === 0) {
      conn.dirtySince = this.#opts.now();
      this.#dirty.add(conn);
    }
    conn.lines.push(line, '\n');
    conn.lineRecords += records;
  }

  /** Turns a connection's lines into one complete zstd frame and queues its write. */
  #compress(conn: ConnectionFile): void {
    this.#dirty.delete(conn);
    const file = conn.file;
    if (conn.lines.length === 0 || file === undefined) return;
    const bytes = this.#compressor.compress(Buffer.from(conn.lines.join(''), 'utf8'));
    const frame: PendingFrame = { file, bytes, records: conn.lineRecords };
    conn.lines = [];
    conn.lineRecords = 0;
    if (this.#pendingBytes + bytes.length > this.#opts.maxPendingBytes) {
      this.stats.recordsDropped += frame.records;
      this.#opts.metrics?.droppedRecords.labels('write_queue_full').inc(frame.records);
      this.#logError(`tcp-info: write queue full (${this.#pendingBytes} bytes): dropped ${frame.records} record(s) of ${conn.uuid}`);
      return;
    }
    this.#pendingBytes += bytes.length;
    this.#opts.metrics?.pendingWriteBytes.set(this.#pendingBytes);
    file.framesQueued++;
    conn.frames.push(frame);
    this.#unwritten.add(conn);
    if (conn.writing === undefined && conn.retryAt <= this.#opts.now()) {
      this.#waiting.add(conn);
      this.#pump();
    }
  }

  #finishFile(conn: ConnectionFile, file: FileProgress): void {
    file.finished = true;
    if (file.framesQueued === 0 && conn.writing === undefined) this.#fileDone(file);
  }

  /** Starts waiting writes while slots are free; called whenever a write ends, so the queue drains at disk speed. */
  #pump(): void {
    while (this.#writes < this.#opts.maxConcurrentWrites) {
      const next = this.#waiting.values().next();
      if (next.done) return;
      const conn = next.value;
      this.#waiting.delete(conn);
      if (conn.writing === undefined && conn.frames.length > 0) this.#startWriting(conn);
    }
  }

  #startWriting(conn: ConnectionFile): void {
    this.#writes++;
    conn.writing = this.#writeFrames(conn).finally(() => {
      this.#writes--;
      conn.writing = undefined;
      if (conn.frames.length > 0 && conn.retryAt <= this.#opts.now()) this.#waiting.add(conn);
      this.#pump();
    });
  }

  /** Writes a connection's frames in order, batching those of one file; stops at the first failure. */
  async #writeFrames(conn: ConnectionFile): Promise<void> {
    while (conn.frames.length > 0) {
      const file = conn.frames[0]!.file;
      let n = 1;
      while (n < conn.frames.length && conn.frames[n]!.file === file) n++;
      const batch = conn.frames.slice(0, n);
      const bytes = n === 1 ? batch[0]!.bytes : Buffer.concat(batch.map((f) => f.bytes));
      try {
        const result = await this.#writer.append(file, bytes, () => (file.headerFrame ??= this.#compressor.compress(Buffer.from(file.headerLine, 'utf8'))));
        if (result.restarted) {
          file.framesOnDisk = 1;
          this.#opts.metrics?.errors.labels('file_vanished').inc();
          this.#logError(`tcp-info: ${file.path} vanished or shrank under us; started it again with its header`);
        }
        file.sizeOnDisk = result.size;
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        this.stats.writeErrors++;
        conn.retryAt = this.#opts.now() + 1000;
        this.#opts.metrics?.errors.labels(`write_${e.code ?? 'unknown'}`).inc();
        this.#logError(`tcp-info: writing ${file.path}: ${e.message}; will retry`);
        return;
      }
      conn.frames.splice(0, n);
      file.framesOnDisk += n;
      file.framesQueued -= n;
      this.stats.framesWritten += n;
      this.stats.bytesWritten += bytes.length;
      this.#pendingBytes -= bytes.length;
      this.#opts.metrics?.pendingWriteBytes.set(this.#pendingBytes);
      if (file.finished && file.framesQueued === 0) this.#fileDone(file);
    }
    this.#unwritten.delete(conn);
  }

  #fileDone(file: FileProgress): void {
    this.#writer.release(file);
    if (!this.#opts.compact || file.framesOnDisk < 2) return;
    this.#compactionQueue.push(file.path);
    if (this.#compaction === undefined && !this.#closing) this.#compaction = this.#compactQueued();
  }

  /**
   * Compacts queued files one at a time (one zstd context: bounded memory) until
   * the queue is empty or `#compactionDeadline` has passed. The deadline is read
   * for every file: a loop started while running stops when closeAll sets one.
   */
  async #compactQueued(): Promise<void> {
    try {
      let path: string | undefined;
      while (Date.now() < this.#compactionDeadline && (path = this.#compactionQueue.shift()) !== undefined) {
        const abort = new AbortController();
        this.#compactionAbort = abort;
        try {
          await compactFile(path, this.#opts.compressionLevel, abort.signal);
          this.stats.filesCompacted++;
        } catch (err) {
          if (abort.signal.aborted) {
            this.stats.compactionsSkipped++;
          } else {
            this.#opts.metrics?.errors.labels('compaction').inc();
            this.#logError(`tcp-info: compacting ${path}: ${(err as Error).message} (the file stays as written)`);
          }
        }
      }
    } finally {
      this.#compactionAbort = undefined;
      this.#compaction = undefined;
    }
  }

  async #drainCompaction(deadline: number): Promise<void> {
    this.#compactionDeadline = deadline;
    const timer = setTimeout(() => this.#compactionAbort?.abort(), Math.max(0, deadline - Date.now()));
    try {
      if (this.#compaction !== undefined) await this.#compaction;
      if (this.#compactionQueue.length > 0 && Date.now() < deadline) {
        this.#compaction = this.#compactQueued();
        await this.#compaction;
      }
    } finally {
      clearTimeout(timer);
    }
    this.stats.compactionsSkipped += this.#compactionQueue.length;
    this.#compactionQueue.length = 0;
  }
}
