/**
 * Invalid data: a datagram, message, attribute or JSON line that cannot be what it
 * claims to be. The only error class the decoders of this package throw for bad
 * input; a decoder stays usable after throwing it.
 */
export class NetlinkParseError extends Error {
  override readonly name = 'NetlinkParseError';
  constructor(
    /** Stable machine-readable reason, e.g. 'TRUNCATED_HEADER', 'BAD_LENGTH', 'BAD_JSON'. */
    readonly code: NetlinkParseErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Reasons a {@link NetlinkParseError} gives. */
export type NetlinkParseErrorCode =
  | 'TRUNCATED_HEADER'
  | 'BAD_LENGTH'
  | 'ATTRIBUTE_OVERRUN'
  | 'TOO_MANY_ATTRIBUTES'
  | 'BAD_JSON'
  | 'BAD_BASE64'
  | 'BAD_TIMESTAMP'
  | 'BAD_RECORD'
  | 'LINE_TOO_LONG'
  | 'ATTRIBUTE_TOO_LONG'
  | 'BAD_EXCLUSION_RULE';

/**
 * A failure reported by the kernel or the socket: NLMSG_ERROR, an error value in
 * NLMSG_DONE, ENOBUFS, a send failure. Keeps the errno.
 */
export class NetlinkError extends Error {
  override readonly name = 'NetlinkError';
  constructor(
    message: string,
    /** Positive errno value (e.g. 105 for ENOBUFS), 0 when not from the kernel. */
    readonly errno: number,
    /** errno's symbolic name ('ENOBUFS') or a reason of ours ('DUMP_INTERRUPTED', 'SEQUENCE'). */
    readonly code: string,
  ) {
    super(message);
  }
}
