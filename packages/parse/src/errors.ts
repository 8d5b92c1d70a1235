/** Reasons a {@link TcpInfoReadError} gives. */
export type ReadErrorCode =
  /** The input cannot be opened or read (ENOENT, EACCES, EISDIR …). */
  | 'UNREADABLE'
  /** A line is not an ArchivalRecord (bad JSON, bad base64, bad fields). */
  | 'BAD_RECORD'
  /** A line is longer than the reader's limit. */
  | 'LINE_TOO_LONG'
  /** The zstd data is corrupt. */
  | 'BAD_ZSTD'
  /** The zstd data ends inside a frame (e.g. the writer was killed); everything before was read. */
  | 'TRUNCATED_ZSTD'
  /** The input is zstd, and this Node has no zstd decompressor (Node < 22.15 without the optional zstd-napi). */
  | 'NO_ZSTD';

/**
 * Reading a tcp-info file failed. Names the source (a path, or "stdin") and,
 * where it applies, the 1-based line number; `message` is one line.
 */
export class TcpInfoReadError extends Error {
  override readonly name = 'TcpInfoReadError';
  constructor(
    readonly code: ReadErrorCode,
    /** The file path, `<stdin>` or `<buffer>`. */
    readonly source: string,
    /** 1-based line number, 0 when the error is not about a line. */
    readonly line: number,
    /** What went wrong, without the location. */
    readonly reason: string,
  ) {
    super(line > 0 ? `${source}:${line}: ${reason}` : `${source}: ${reason}`);
  }
}
