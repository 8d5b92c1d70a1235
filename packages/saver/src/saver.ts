import { appendFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Compressor } from 'zstd-napi';
import { ArchivalRecord, GoTime } from '@tcpinfo/netlink';
import type { TcpInfoMetrics } from '@tcpinfo/metrics';
import { ConnectionFile, type PendingFrame } from './connection-file.js';
import type { FlowEventSink } from './events.js';
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
  /** Life of one file of a connection (default 10 minutes, SPEC §5). */
  readonly rotationMs?: number;
  /**
   * A record is compressed and handed to the disk at most this long after it
   * was queued (default 500 ms), so it is on disk, as a complete zstd frame,
   * well within a second.
   */
  readonly flushAfterMs?: number;
  /** Most compressed bytes waiting for the disk before new frames are dropped (default 64 MiB). */
  readonly maxPendingBytes?: number;
  /** zstd level (default 3, as the original's zstd processes). */
  readonly compressionLevel?: number;
  /** Wall clock in ms (tests inject one). */
  readonly now?: () => number;
  /** Log sink (default: console.error). */
  readonly log?: (line: string) => void;
}

/** A connection as the saver needs it (a cache entry fits). */
export interface ConnectionKey {
  /** Low 32 bits of the cookie. */
  readonly lo: number;
  /** High 32 bits of the cookie. */
  readonly hi: number;
  /** Saver state lives here (a cache entry's `state` field). */
  state: unknown;
}

/**
 * Writes each connection's records into its own zstd-compressed JSONL files
 * (SPEC §5): date directories, header records, 10-minute rotation. Never blocks
 * the caller on the disk: records are buffered per connection, compressed into a
 * complete zstd frame at most `flushAfterMs` later (from {@link tick}), and
 * appended asynchronously; a failed write is counted, logged at most once a
 * second and retried on later ticks, so writing resumes when the disk recovers.
 */
export class Saver {
  readonly #opts: Required<Omit<SaverOptions, 'metrics' | 'events'>> & Pick<SaverOptions, 'metrics' | 'events'>;
  readonly #compressor = new Compressor();
  /** Connections with lines to compress, in the order they became dirty (so oldest first). */
  readonly #dirty = new Set<ConnectionFile>();
  /** Connections with frames waiting to be written or retried. */
  readonly #unwritten = new Set<ConnectionFile>();
  readonly #madeDirs = new Map<string, Promise<unknown>>();
  readonly #logError: (line: string) => void;
  #pendingBytes = 0;
  #open = 0;

  constructor(options: SaverOptions) {
    this.#opts = {
      rotationMs: 10 * 60 * 1000,
      flushAfterMs: 500,
      maxPendingBytes: 64 * 1024 * 1024,
      compressionLevel: 3,
      now: Date.now,
      log: (line) => console.error(line),
      ...options,
    };
    this.#compressor.setParameters({ compressionLevel: this.#opts.compressionLevel });
    this.#logError = rateLimitedLog(this.#opts.log, 1000, this.#opts.now);
  }

  /** Connections whose file is open. */
  get openConnections(): number {
    return this.#open;
  }

  /** Compressed bytes not yet on disk. */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /**
   * Queues a snapshot of a connection (a changed or first snapshot). The first
   * one opens the connection (and announces it); a snapshot after the file's
   * expiry starts the next file.
   */
  write(key: ConnectionKey, record: ArchivalRecord, rawIdm: Uint8Array): void {
    const now = this.#opts.now();
    let conn = key.state as ConnectionFile | undefined;
    if (conn === undefined) {
      const uuid = uuidFromCookie(this.#opts.uuidPrefix, key.hi, key.lo);
      conn = new ConnectionFile(uuid, record.timestamp, now, this.#opts.rotationMs);
      key.state = conn;
      this.#open++;
      this.#opts.metrics?.openConnections.inc();
      this.#opts.events?.onFlowEvent({ kind: 'open', timestamp: record.timestamp, uuid, id: Uint8Array.from(rawIdm) });
    }
    if (conn.path !== undefined && now > conn.expiresAt) {
      this.#compress(conn); // the rest of the old file
      conn.path = undefined;
      conn.expiresAt += this.#opts.rotationMs;
    }
    if (conn.path === undefined) this.#startFile(conn, now);
    this.#queueLine(conn, record.toJSONLine(), 1);
    this.#opts.metrics?.snapshots.inc();
  }

  /** The connection has closed: announce it and flush its file now. */
  close(key: ConnectionKey, timestamp: GoTime): void {
    const conn = key.state as ConnectionFile | undefined;
    if (conn === undefined || conn.closed) return;
    conn.closed = true;
    key.state = undefined;
    this.#open--;
    this.#opts.metrics?.openConnections.dec();
    this.#opts.events?.onFlowEvent({ kind: 'close', timestamp, uuid: conn.uuid });
    this.#compress(conn);
  }

  /**
   * Compresses the lines of connections whose oldest line is due, and retries
   * failed writes. Call after every polling cycle; cheap when nothing is due.
   */
  tick(): void {
    const due = this.#opts.now() - this.#opts.flushAfterMs;
    for (const conn of this.#dirty) {
      if (conn.dirtySince > due) break;
      this.#compress(conn);
    }
    for (const conn of this.#unwritten) if (conn.writing === undefined) this.#startWriting(conn);
  }

  /**
   * Closes every connection (announcing each), compresses everything and waits
   * for every write; failed writes are retried until `deadlineMs` has passed.
   */
  async closeAll(timestamp: GoTime = GoTime.now(), keys: Iterable<ConnectionKey> = [], deadlineMs = 1500): Promise<void> {
    for (const key of keys) this.close(key, timestamp);
    for (const conn of [...this.#dirty]) this.#compress(conn);
    const end = this.#opts.now() + deadlineMs;
    for (;;) {
      for (const conn of this.#unwritten) if (conn.writing === undefined) this.#startWriting(conn);
      const writing = [...this.#unwritten].map((c) => c.writing).filter((w): w is Promise<void> => w !== undefined);
      if (writing.length === 0 || this.#opts.now() > end) break;
      await Promise.race([Promise.all(writing), new Promise((r) => setTimeout(r, 50))]);
    }
    if (this.#pendingBytes > 0) this.#opts.log(`tcp-info: ${this.#pendingBytes} compressed bytes could not be written at exit`);
  }

  #startFile(conn: ConnectionFile, now: number): void {
    const seq = conn.nextSequence++;
    // The first file is dated by the connection's start, later ones by when they open.
    const dateMs = seq === 0 ? Number(conn.startTime.unixNanos / 1_000_000n) : now;
    conn.path = join(this.#opts.outputDir, connectionFilePath(datePath(dateMs), conn.uuid, seq));
    const header = new ArchivalRecord({ metadata: { UUID: conn.uuid, Sequence: seq, StartTime: conn.startTime } });
    this.#queueLine(conn, header.toJSONLine(), 0);
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
    if (conn.lines.length === 0 || conn.path === undefined) return;
    const bytes = this.#compressor.compress(Buffer.from(conn.lines.join(''), 'utf8'));
    const frame: PendingFrame = { path: conn.path, bytes, records: conn.lineRecords };
    conn.lines = [];
    conn.lineRecords = 0;
    if (this.#pendingBytes + bytes.length > this.#opts.maxPendingBytes) {
      this.#opts.metrics?.droppedRecords.labels('write_queue_full').inc(frame.records);
      this.#logError(`tcp-info: write queue full (${this.#pendingBytes} bytes): dropped ${frame.records} record(s) of ${conn.uuid}`);
      return;
    }
    this.#pendingBytes += bytes.length;
    this.#opts.metrics?.pendingWriteBytes.set(this.#pendingBytes);
    conn.frames.push(frame);
    this.#unwritten.add(conn);
    if (conn.writing === undefined) this.#startWriting(conn);
  }

  #startWriting(conn: ConnectionFile): void {
    conn.writing = this.#writeFrames(conn).finally(() => {
      conn.writing = undefined;
    });
  }

  /** Writes a connection's frames in order; stops at the first failure (retried by a later tick). */
  async #writeFrames(conn: ConnectionFile): Promise<void> {
    while (conn.frames.length > 0) {
      const frame = conn.frames[0]!;
      try {
        await this.#ensureDir(dirname(frame.path));
        await appendFile(frame.path, frame.bytes);
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        if (e.code === 'ENOENT') this.#madeDirs.delete(dirname(frame.path)); // directory removed under us: make it again
        this.#opts.metrics?.errors.labels(`write_${e.code ?? 'unknown'}`).inc();
        this.#logError(`tcp-info: writing ${frame.path}: ${e.message}; will retry`);
        return;
      }
      conn.frames.shift();
      this.#pendingBytes -= frame.bytes.length;
      this.#opts.metrics?.pendingWriteBytes.set(this.#pendingBytes);
    }
    this.#unwritten.delete(conn);
  }

  #ensureDir(dir: string): Promise<unknown> {
    let made = this.#madeDirs.get(dir);
    if (made === undefined) {
      made = mkdir(dir, { recursive: true });
      this.#madeDirs.set(dir, made);
      made.catch(() => this.#madeDirs.delete(dir));
    }
    return made;
  }
}
