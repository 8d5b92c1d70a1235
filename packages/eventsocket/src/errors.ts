/** Why the server could not start. */
export type EventSocketErrorCode =
  /** The path exists and is not a socket; nothing was deleted. */
  | 'NOT_A_SOCKET'
  /** A live server (another daemon) answers on the path; nothing was deleted. */
  | 'IN_USE'
  /** Binding or listening failed (permissions, missing directory, name too long …). */
  | 'LISTEN'
  /** A query to the daemon's query socket failed: no daemon, a timeout, an unexpected status or answer. */
  | 'QUERY';

/**
 * A start-up failure of {@link EventSocketServer.listen} (or of the query
 * socket's server, which listens the same way), or a failed query (`QUERY`). The daemon maps every
 * code to a start-up error (exit 2); `NOT_A_SOCKET` and `IN_USE` leave the file
 * system untouched.
 */
export class EventSocketError extends Error {
  override readonly name = 'EventSocketError';
  constructor(
    /** What went wrong, as a stable string. */
    readonly code: EventSocketErrorCode,
    message: string,
    /** The system error behind it (its `errno`/`code`), if any. */
    override readonly cause?: NodeJS.ErrnoException,
  ) {
    super(message);
  }
}

/** Why a line is not an event. */
export type EventParseErrorCode =
  /** Not a JSON object. */
  | 'BAD_JSON'
  /** A field has a type or value the Go client's `json.Unmarshal` would refuse. */
  | 'BAD_FIELD'
  /** `Event` is neither 0 (open) nor 1 (close); the Go client logs and skips these. */
  | 'UNKNOWN_EVENT'
  /** An open event without `ID`. */
  | 'MISSING_ID'
  /** A line longer than the client's `maxLineLength` (skipped). */
  | 'LINE_TOO_LONG';

/** A line from the event socket that is not a usable event. Reading goes on after it. */
export class EventParseError extends Error {
  override readonly name = 'EventParseError';
  constructor(
    /** What is wrong, as a stable string. */
    readonly code: EventParseErrorCode,
    message: string,
  ) {
    super(message);
  }
}
