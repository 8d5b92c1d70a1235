/**
 * Invalid inet_diag data: a struct shorter than it must be, an unknown family
 * where one matters. The only error class this package's decoders throw.
 */
export class InetDiagParseError extends Error {
  override readonly name = 'InetDiagParseError';
  constructor(
    /** 'TRUNCATED' (value shorter than the struct) or 'INVALID' (a value that cannot be). */
    readonly code: 'TRUNCATED' | 'INVALID',
    message: string,
  ) {
    super(message);
  }
}
