/** `TCPEvent` of the Go original: the number written in the `Event` field. */
export const TCPEvent = { Open: 0, Close: 1 } as const;
/** 0 (open) or 1 (close). */
export type TCPEvent = (typeof TCPEvent)[keyof typeof TCPEvent];

/**
 * A connection's identity as events carry it (the original's `inetdiag.SockID`).
 * Addresses are the real ones: the event socket never anonymizes.
 */
export interface SockId {
  /** Source port. */
  readonly sport: number;
  /** Destination port. */
  readonly dport: number;
  /** Source address as Go's `net.IP.String()` prints it. */
  readonly srcIP: string;
  /** Destination address as Go's `net.IP.String()` prints it. */
  readonly dstIP: string;
  /** The interface index as the original reads it (its big-endian quirk, SPEC §7). */
  readonly interface: number;
  /**
   * The socket cookie, the kernel's u64 (as in the UUID's hex). Written on the
   * wire as the original's signed int64; the server accepts either view.
   */
  readonly cookie: bigint;
}

/** One event handed to the server. */
export interface FlowEvent {
  /** Open or close. */
  readonly event: TCPEvent;
  /** Unix time in nanoseconds (written as Go's RFC3339Nano in UTC). */
  readonly timestampNanos: bigint;
  /** The connection's UUID, as in its file names. */
  readonly uuid: string;
  /** Open events: the connection's identity. Close events: absent (`null` on the wire). */
  readonly id?: SockId;
}
