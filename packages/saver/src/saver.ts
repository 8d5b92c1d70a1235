import { existsSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import { ArchivalRecord, GoTime } from '@tcpinfo/netlink';
import { SIZEOF_INET_DIAG_MSG } from '@tcpinfo/inetdiag';
import type { TcpInfoMetrics } from '@tcpinfo/metrics';
import { ByteBudget } from './byte-budget.js';
import { CompactionQueue } from './compaction-queue.js';
import { frameLevels, LineCompressor, type CompressedLines } from './compression.js';
import { ConnectionFile, FileProgress } from './connection-file.js';
import type { FlowEventSink, RecordSink } from './events.js';
import { connectionFilePath, datePath, firstFreeSequence } from './paths.js';
import { rateLimitedLog } from './rate-limited-log.js';
import { uuidFromCookie } from './uuid.js';
import { WriteScheduler } from './write-scheduler.js';
import { WriteThreadClient } from './write-thread-client.js';

/** Closed connections whose next sequence number is remembered, should their cookie be met again. */
const CLOSED_SEQUENCES_KEPT = 65_536;

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
   * Mode of the output files. Undefined (default): 0644 given to open(2), so
   * the umask applies (0644 under the usual 022), as the original's files; a
   * number: exactly this mode, whatever the umask (`-output.file-mode`).
   */
  readonly fileMode?: number;
  /**
   * zstd level of the finished files (default 3, as the original's zstd
   * processes). With compaction on, the per-second frames a file holds until
   * it is compacted are compressed at most at level 1 (compression.ts).
   */
  readonly compressionLevel?: number;
  /**
   * Rewrite each finished file of several frames as one frame (default true):
   * per-second frames compress 3–18 times worse than one stream, compaction
   * brings files back to the original's `zstd -3` size. See compaction.ts.
   */
  readonly compact?: boolean;
  /**
   * The one clock (ms) of the saver and its parts: flush deadlines, rotation,
   * retry pauses, descriptor rechecks, shutdown deadlines, log rate limits.
   * Default Date.now; tests inject one.
   */
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
  /** Writes that failed (retries of the same write are not counted again). */
  writeErrors: number;
  recordsDropped: number;
  filesCompacted: number;
  compactionsSkipped: number;
}

/**
 * Writes each connection's records into its own zstd-compressed JSONL files
 * (SPEC §5): date directories, header records, 10-minute rotation. Never blocks
 * the caller on the disk. This class is the connection lifecycle (open and
 * close events, file rotation, shutdown); the rest is delegated, one job per
 * unit, all on one injected clock:
 * - compression.ts: lines buffered per connection, one zstd frame each once due;
 * - byte-budget.ts: the bound on compressed bytes waiting for the disk;
 * - write-scheduler.ts: frames handed to the write thread in order, retries;
 * - write-thread-client.ts / write-thread.ts / write-rules.ts: the disk itself;
 * - compaction-queue.ts: finished files rewritten as one frame.
 */
export class Saver {
  readonly #opts: Required<Omit<SaverOptions, 'metrics' | 'events' | 'records' | 'fileMode'>> &
    Pick<SaverOptions, 'metrics' | 'events' | 'records' | 'fileMode'>;
  readonly #now: () => number;
  readonly #logError: (line: string) => void;
  readonly #lines: LineCompressor;
  /** uuid -> next sequence number of connections closed lately (see #rememberClosed). */
  readonly #closedSequences = new Map<string, number>();
  /** Date directory -> whether it existed when first looked at (see #taken). */
  readonly #olderDirs = new Map<string, boolean>();
  readonly #budget: ByteBudget;
  readonly #client: WriteThreadClient;
  readonly #scheduler: WriteScheduler;
  readonly #compaction: CompactionQueue;
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
      now: Date.now,
      log: (line) => console.error(line),
      ...options,
    };
    const { metrics, now } = this.#opts;
    this.#now = now;
    // One limiter per kind of trouble (writes, compaction, the byte budget): a
    // burst of one kind must not hide the first line of another (a refused
    // .compacting link went unlogged behind a refused data file in CI).
    const limited = () => rateLimitedLog(this.#opts.log, 1000, now);
    this.#logError = limited();
    this.#lines = new LineCompressor(frameLevels(this.#opts.compressionLevel, this.#opts.compact), this.#opts.flushAfterMs, now, (f) => this.#queueFrame(f));
    this.#budget = new ByteBudget(this.#opts.maxPendingBytes, metrics);
    this.#client = new WriteThreadClient({ maxOpenFiles: this.#opts.maxOpenFiles, recheckMs: RECHECK_MS, fileMode: this.#opts.fileMode }, now);
    this.#scheduler = new WriteScheduler({
      client: this.#client,
      budget: this.#budget,
      now,
      maxConcurrentWrites: this.#opts.maxConcurrentWrites,
      headerFrame: (file) => this.#lines.headerFrame(file),
      onFileDone: (file) => this.#fileDone(file),
      stats: this.stats,
      metrics,
      logError: limited(),
    });
    this.#compaction = new CompactionQueue({
      level: this.#opts.compressionLevel,
      fileMode: this.#opts.fileMode,
      now,
      stats: this.stats,
      metrics,
      logError: limited(),
    });
  }

  /** Connections whose file is open. */
  get openConnections(): number {
    return this.#open;
  }

  /** Batches handed to the write thread so far, for benchmarks. */
  get writeBatches(): number {
    return this.#client.batches;
  }

  /** File descriptors kept open for recently written files (at most `maxOpenFiles`). */
  get openFiles(): number {
    return this.#client.openFiles;
  }

  /** Compressed bytes not yet on disk. */
  get pendingBytes(): number {
    return this.#budget.pending;
  }

  /**
   * Queues a snapshot of a connection (a changed or first snapshot). The first
   * one opens the connection (and announces it with the un-anonymized
   * `rawIdm`); a snapshot after the file's expiry starts the next file.
   */
  write(key: ConnectionKey, record: ArchivalRecord, rawIdm: Uint8Array): void {
    this.#writeBytes(key, record.toJSONLineBytes(), record.timestamp, rawIdm);
    this.#opts.records?.onRecord(key.state!.uuid, record);
  }

  /** {@link write} with the record already encoded (`line`, no newline) and its timestamp. */
  writeLine(key: ConnectionKey, line: string, timestamp: GoTime, rawIdm: Uint8Array): void {
    this.#writeBytes(key, Buffer.from(line + '\n', 'utf8'), timestamp, rawIdm);
  }

  /** Queues one snapshot's line (UTF-8, with its newline). */
  #writeBytes(key: ConnectionKey, line: Buffer, timestamp: GoTime, rawIdm: Uint8Array): void {
    const now = this.#now();
    let conn = key.state;
    if (conn === undefined) {
      const uuid = uuidFromCookie(this.#opts.uuidPrefix, key.hi, key.lo);
      conn = new ConnectionFile(uuid, timestamp, now, this.#opts.rotationMs);
      // Met again after its close (its old files may not even be on disk yet): on from its next sequence.
      conn.nextSequence = this.#closedSequences.get(uuid) ?? 0;
      key.state = conn;
      this.#open++;
      this.#opts.metrics?.openConnections.inc();
      this.#opts.metrics?.flowEvents.labels('open').inc();
      this.#opts.events?.onFlowEvent({ kind: 'open', timestamp, uuid, id: Uint8Array.prototype.slice.call(rawIdm, 0, SIZEOF_INET_DIAG_MSG) });
    }
    if (conn.file !== undefined && now > conn.expiresAt) {
      // Rotation: the rest of the old file goes out now, then it is finished.
      this.#lines.compress(conn);
      this.#finishFile(conn.file);
      conn.file = undefined;
      conn.expiresAt += this.#opts.rotationMs;
    }
    if (conn.file === undefined) this.#startFile(conn, now);
    this.#lines.queue(conn, line, 1);
    this.#opts.metrics?.snapshots.inc();
  }

  /** The connection has closed: announce it, flush its file now, then compact it. */
  close(key: ConnectionKey, timestamp: GoTime): void {
    const conn = key.state;
    if (conn === undefined || conn.closed) return;
    conn.closed = true;
    key.state = undefined;
    this.#rememberClosed(conn);
    this.#open--;
    this.#opts.metrics?.openConnections.dec();
    this.#opts.metrics?.flowEvents.labels('close').inc();
    // Before the event: a sidecar asking about the connection on its close event finds it closed.
    this.#opts.records?.onClose(conn.uuid, timestamp);
    this.#opts.events?.onFlowEvent({ kind: 'close', timestamp, uuid: conn.uuid });
    this.#lines.compress(conn);
    if (conn.file !== undefined) this.#finishFile(conn.file);
    conn.file = undefined;
  }

  /**
   * Compresses the lines of connections whose oldest line is due, and retries
   * failed writes whose pause is over. Call after every polling cycle; cheap
   * when nothing is due.
   */
  tick(): void {
    this.#lines.compressDue();
    this.#scheduler.retryDue();
    this.#scheduler.pump();
  }

  /**
   * Compresses every buffered line now and hands the frames to the disk,
   * without waiting. For bursts: the collector calls it after its first cycle,
   * so the files of every connection found at start-up are written at once
   * instead of `flushAfterMs` later, and are on disk within the durability budget.
   */
  flushNow(): void {
    this.#lines.compressAll();
    this.#scheduler.pump();
  }

  /**
   * Compresses every buffered line and resolves once every frame is written
   * (or failed once). For tests and benchmarks; the daemon relies on {@link tick}.
   */
  async flush(): Promise<void> {
    this.#lines.compressAll();
    while (!(await this.#scheduler.writeQueued(false)) && !this.#scheduler.allPausing);
  }

  /**
   * Closes every connection (announcing each), compresses everything and waits
   * for every write; failed writes are retried until `deadlineMs` has passed
   * (on the saver's clock). What could not be written is given up: its records
   * are counted in `tcpinfo_dropped_records_total{reason="unwritten_at_exit"}`
   * and its files are settled (torn tail cut, a file with nothing written
   * removed), so every file left is a valid zstd stream of complete lines. Then
   * compacts finished files for what remains of `compactionBudgetMs` (default
   * 1000 ms from the call): files not compacted by then stay valid multi-frame files.
   */
  async closeAll(timestamp: GoTime = GoTime.now(), keys: Iterable<ConnectionKey> = [], deadlineMs = 1500, compactionBudgetMs = 1000): Promise<void> {
    const start = this.#now();
    this.#compaction.stop();
    for (const key of keys) this.close(key, timestamp);
    this.#lines.compressAll();
    const end = start + deadlineMs;
    while (!(await this.#scheduler.writeQueued(true)) && this.#now() <= end) {
      await new Promise((resolve) => setTimeout(resolve, SHUTDOWN_RETRY_MS));
    }
    const lost = this.#scheduler.abandon();
    if (lost.bytes > 0) {
      this.#opts.log(`tcp-info: ${lost.bytes} compressed bytes (${lost.records} records) could not be written at exit; ${lost.files.size} files cut back to their last complete frame`);
      this.#client.settle(lost.files);
    }
    this.#client.releaseAll();
    await this.#compaction.drain(start + compactionBudgetMs);
    await this.#client.close();
  }

  /** Remembers a closed connection's next sequence number (bounded: the oldest are forgotten first). */
  #rememberClosed(conn: ConnectionFile): void {
    this.#closedSequences.delete(conn.uuid);
    this.#closedSequences.set(conn.uuid, conn.nextSequence);
    if (this.#closedSequences.size > CLOSED_SEQUENCES_KEPT) this.#closedSequences.delete(this.#closedSequences.keys().next().value!);
  }

  /** The date directory (relative) of a connection's file `seq`: the first file is dated by the connection's start, later ones by when they open. */
  #dateDirOf(conn: ConnectionFile, seq: number, now: number): string {
    return datePath(seq === 0 ? conn.startTime.unixMillis() : now);
  }

  #pathOf(conn: ConnectionFile, seq: number, now: number): string {
    return join(this.#opts.outputDir, connectionFilePath(this.#dateDirOf(conn, seq, now), conn.uuid, seq));
  }

  /**
   * Whether the file `seq` of `conn` may already be on disk, made by an
   * earlier run. Only in a date directory that existed when this saver first
   * looked at it: in one it made, every file is its own, and its own names
   * are never met again (rotation counts on; a closed connection met again
   * starts from its remembered next sequence). So a fresh start pays no stat,
   * a restart one per file of a connection open across it.
   */
  #taken(conn: ConnectionFile, seq: number, now: number): boolean {
    const dir = this.#dateDirOf(conn, seq, now);
    let older = this.#olderDirs.get(dir);
    if (older === undefined) {
      older = existsSync(join(this.#opts.outputDir, dir));
      this.#olderDirs.set(dir, older);
    }
    // lstat: anything at the name counts, a symlink (dangling or not) included, so
    // a name planted in advance is stepped over like an earlier run's file.
    return older && lstatSync(join(this.#opts.outputDir, connectionFilePath(dir, conn.uuid, seq)), { throwIfNoEntry: false }) !== undefined;
  }

  #startFile(conn: ConnectionFile, now: number): void {
    // A name already on disk (a daemon restarted within the same boot meets its
    // connections' files again) is skipped, not refused: see firstFreeSequence.
    let seq = firstFreeSequence(conn.nextSequence, (s) => this.#taken(conn, s, now));
    if (seq < 0) seq = conn.nextSequence; // every name taken: the write is refused and counted, as for any taken name
    conn.nextSequence = seq + 1;
    const path = this.#pathOf(conn, seq, now);
    const header = new ArchivalRecord({ metadata: { UUID: conn.uuid, Sequence: seq, StartTime: conn.startTime } }).toJSONLine() + '\n';
    conn.file = new FileProgress(path, header);
    this.#lines.queue(conn, Buffer.from(header, 'utf8'), 0);
    this.stats.filesStarted++;
    this.#opts.metrics?.newFiles.inc();
  }

  /** A compressed frame: within the byte budget it goes to the write scheduler, beyond it is dropped (and counted). */
  #queueFrame({ conn, file, bytes, records }: CompressedLines): void {
    if (file.refused) {
      this.#drop('not_regular_file', records);
      return;
    }
    if (!this.#budget.reserve(bytes.length)) {
      this.#drop('write_queue_full', records);
      this.#logError(`tcp-info: write queue full (${this.#budget.pending} bytes): dropped ${records} record(s) of ${conn.uuid}`);
      return;
    }
    this.#scheduler.enqueue(conn, { file, bytes, records });
  }

  #drop(reason: string, records: number): void {
    this.stats.recordsDropped += records;
    this.#opts.metrics?.droppedRecords.labels(reason).inc(records);
  }

  #finishFile(file: FileProgress): void {
    file.finished = true;
    if (file.framesQueued === 0) this.#fileDone(file);
  }

  /** The file's last frame is on disk: close its descriptor, compact it if it has several frames. */
  #fileDone(file: FileProgress): void {
    this.#client.release(file);
    if (this.#opts.compact && file.framesOnDisk >= 2 && !file.refused) this.#compaction.add(file.path);
  }
}

/** A kept descriptor is checked against its path this often (ms): a deleted file would swallow writes. */
const RECHECK_MS = 5000;

/** Pause between rounds of retries at shutdown (ms). */
const SHUTDOWN_RETRY_MS = 50;
