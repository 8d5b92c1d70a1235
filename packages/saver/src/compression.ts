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
 * zstd's fastest level (ZSTD_minCLevel): no match search, no entropy coding,
 * a frame about the size of its input. On a 1 KB frame (two snapshot lines):
 * ~1.3 µs against ~7.2 at level 1 (440 bytes) and ~7.8 at level 3.
 */
export const FASTEST_LEVEL = -131_072;

/** The zstd levels of a file's frames: its first one, and every later one. */
export interface FrameLevels {
  readonly first: number;
  readonly later: number;
}

/**
 * With compaction on, a file of more than one frame is rewritten as one stream
 * at `compressionLevel` when it ends, so its later frames only hold the data
 * until then: they are made at the fastest level (a busy connection's frames
 * are nearly all later ones). Its first frame (the header and first records)
 * is made at most at level 1: a file that never gets a second frame is not
 * compacted and keeps it (on small frames level 1 is as small as level 3 and
 * twice as fast). Without compaction the frames are the files: all at the
 * level asked. A faster level asked stays.
 */
export function frameLevels(compressionLevel: number, compact: boolean): FrameLevels {
  if (!compact) return { first: compressionLevel, later: compressionLevel };
  const first = Math.min(compressionLevel, 1);
  return { first, later: Math.min(first, FASTEST_LEVEL) };
}

/**
 * Buffers each connection's JSON lines and turns them into one complete zstd
 * frame per connection once the oldest line is `flushAfterMs` old (one shared
 * zstd context, level `level`). Frames go to `emit`; what becomes of them
 * (byte budget, write scheduling) is not this unit's business.
 */
export class LineCompressor {
  /** For a file's first frame (and its header frame). */
  readonly #first = new Compressor();
  /** For every later frame of a file. */
  readonly #later = new Compressor();
  /** Connections with lines to compress, in the order they became dirty (so oldest first). */
  readonly #dirty = new Set<ConnectionFile>();

  constructor(
    levels: FrameLevels,
    private readonly flushAfterMs: number,
    private readonly now: () => number,
    private readonly emit: (frame: CompressedLines) => void,
  ) {
    this.#first.setParameters({ compressionLevel: levels.first });
    this.#later.setParameters({ compressionLevel: levels.later });
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
    // Frames already queued or written: this one is a later frame of the file.
    const compressor = file.framesQueued + file.framesOnDisk === 0 ? this.#first : this.#later;
    const bytes = compressor.compress(conn.lines.length === 1 ? conn.lines[0]! : Buffer.concat(conn.lines));
    const records = conn.lineRecords;
    conn.lines = [];
    conn.lineRecords = 0;
    this.emit({ conn, file, bytes, records });
  }

  /** The file's header record as a frame, made once (a file deleted under us starts again with it). */
  headerFrame(file: FileProgress): Uint8Array {
    return (file.headerFrame ??= this.#first.compress(Buffer.from(file.headerLine, 'utf8')));
  }
}
