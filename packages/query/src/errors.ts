/** Why the query socket's server failed. */
export type QueryErrorCode =
  /** Listening failed: the path is not a socket, a live server answers on it, or bind/listen/chmod failed. */
  | 'LISTEN'
  /** listen() called twice. */
  | 'ALREADY_LISTENING';

/** The one error class of @tcpinfo/query, with a stable `code`. */
export class QueryError extends Error {
  override readonly name = 'QueryError';
  constructor(
    readonly code: QueryErrorCode,
    message: string,
    override readonly cause?: Error,
  ) {
    super(message);
  }
}
