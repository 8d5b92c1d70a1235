import type { GoTime } from '@tcpinfo/netlink';

/** One file of a connection as the saver has written it so far. */
export class FileProgress {
  /** Size the saver last wrote successfully: anything beyond is a torn write. */
  sizeOnDisk = 0;
  /** Complete frames in the file. */
  framesOnDisk = 0;
  /** Frames queued for this file and not yet written. */
  framesQueued = 0;
  /** No more frames will come (rotated away or connection closed). */
  finished = false;
  /** The path is not a regular file of ours (a planted symlink…): nothing is written to it. */
  refused = false;
  /** The header record as a compressed frame, made when first needed (a file deleted under us restarts with it). */
  headerFrame: Uint8Array | undefined = undefined;

  constructor(
    /** Absolute path. */
    readonly path: string,
    /** The header record line (with newline), rewritten if the file vanishes. */
    readonly headerLine: string,
  ) {}
}

/** A compressed frame waiting for (or retrying) its write. */
export interface PendingFrame {
  readonly file: FileProgress;
  readonly bytes: Buffer;
  /** Records in the frame (header lines excluded), for the dropped-records metric. */
  readonly records: number;
}

/** The saver's state of one connection: its current file and what is not yet on disk. */
export class ConnectionFile {
  /** Sequence number of the next file. */
  nextSequence = 0;
  /** The file being written, undefined before the first record and after rotation or close. */
  file: FileProgress | undefined = undefined;
  /** Clock time (ms) after which the next record starts a new file. */
  expiresAt: number;
  /**
   * JSON lines (each with its newline) not yet compressed, as UTF-8 bytes: kept up to
   * flushAfterMs, they outlive a scavenge or two; as strings the young generation
   * copied every byte of them, as Buffers only the small handles (the bytes are off-heap).
   */
  lines: Buffer[] = [];
  /** Records among `lines`. */
  lineRecords = 0;
  /** When `lines` became non-empty (ms), for the flush deadline. */
  dirtySince = 0;
  /** Frames compressed but not yet written (in order). */
  frames: PendingFrame[] = [];
  /** The write in progress, if any (writes of one connection are sequential). */
  writing: Promise<void> | undefined = undefined;
  /** After a failed write, not retried before this time (ms). */
  retryAt = 0;
  /** The last write failed and no write has succeeded since: its retries are not counted as new failures. */
  failing = false;
  /** The connection has closed: flush and forget. */
  closed = false;

  constructor(
    readonly uuid: string,
    /** Timestamp of the connection's first snapshot. */
    readonly startTime: GoTime,
    firstSeenMs: number,
    rotationMs: number,
  ) {
    this.expiresAt = firstSeenMs + rotationMs;
  }
}
