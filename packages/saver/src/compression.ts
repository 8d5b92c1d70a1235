import { Compressor } from 'zstd-napi';
import type { ConnectionFile, FileProgress } from './connection-file.js';

/** A connection's buffered lines, compressed into one complete zstd frame. */
export interface CompressedLines {
  readonly conn: ConnectionFile;
  readonly file: FileProgress;
  readonly bytes: Buffer;
  /** Records in the frame (header lines excluded). */
  readonly records: number;
}

/**
 * The zstd level of the per-connection frames: with compaction on, each file
 * is rewritten as one stream at `compressionLevel` when it ends, so its
 * frames only have to hold the data until then, and are compressed at most
 * at level 1. On small frames (1 KB: two snapshot lines) level 1 took ~6.6
 * µs a frame against ~12.8 at level 3, and came out no larger (391 against
 * 403 bytes): the deeper search has nothing to find in one or two lines.
 * Without compaction the frames are the files, so they get the level asked.
 */
export function frameLevel(compressionLevel: number, compact: boolean): number {
  return compact ? Math.min(compressionLevel, 1) : compressionLevel;
}

/**
 * Buffers each connection's JSON lines and turns them into one complete zstd
 * frame per connection once the oldest line is `flushAfterMs` old (one shared
 * zstd context, level `level`). Frames go to `emit`; what becomes of them
 * (byte budget, write scheduling) is not this unit's business.
 */
export class LineCompressor {
  readonly #compressor = new Compressor();
  /** Connections with lines to compress, in the order they became dirty (so oldest first). */
  readonly #dirty = new Set<ConnectionFile>();

  constructor(
    level: number,
    private readonly flushAfterMs: number,
    private readonly now: () => number,
    private readonly emit: (frame: CompressedLines) => void,
  ) {
    this.#compressor.setParameters({ compressionLevel: level });
  }

  /** Buffers `line` (UTF-8 with its newline; kept, not copied) of the connection's current file; `records`: 1 for a snapshot, 0 for a header. */
  queue(conn: ConnectionFile, line: Buffer, records: number): void {
    if (conn.lines.length === 0) {
      conn.dirtySince = this.now();
      this.#dirty.add(conn);
    }
    conn.lines.push(line);
    conn.lineRecords += records;
  }

  /** Compresses the connections whose oldest line is due. */
  compressDue(): void {
    const due = this.now() - this.flushAfterMs;
    for (const conn of this.#dirty) {
      if (conn.dirtySince > due) break;
      this.compress(conn);
    }
  }

  /** Compresses every buffered line now. */
  compressAll(): void {
    for (const conn of this.#dirty) this.compress(conn);
  }

  /** Turns a connection's lines into one complete zstd frame (rotation, close, due). */
  compress(conn: ConnectionFile): void {
    this.#dirty.delete(conn);
    const file = conn.file;
    if (conn.lines.length === 0 || file === undefined) return;
    const bytes = this.#compressor.compress(conn.lines.length === 1 ? conn.lines[0]! : Buffer.concat(conn.lines));
    const records = conn.lineRecords;
    conn.lines = [];
    conn.lineRecords = 0;
    this.emit({ conn, file, bytes, records });
  }

  /** The file's header record as a frame, made once (a file deleted under us starts again with it). */
  headerFrame(file: FileProgress): Uint8Array {
    return (file.headerFrame ??= this.#compressor.compress(Buffer.from(file.headerLine, 'utf8')));
  }
}
