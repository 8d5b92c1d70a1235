/** Why a value cannot be written or read as Go does. */
export type GoFormatErrorCode =
  /** Text that is not an RFC 3339 timestamp Go's `time.Time.UnmarshalJSON` accepts. */
  | 'BAD_TIMESTAMP'
  /** An instant Go cannot marshal: a year outside 0000..9999 or an offset beyond ±23:59. */
  | 'OUT_OF_RANGE';

/** The only error this package throws; callers map it onto their own class by `code`. */
export class GoFormatError extends Error {
  override readonly name = 'GoFormatError';
  constructor(
    readonly code: GoFormatErrorCode,
    message: string,
  ) {
    super(message);
  }
}
