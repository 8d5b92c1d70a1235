/**
 * The event socket's wire format (SPEC §8): one JSON line per event, exactly as
 * the Go original's json.Marshal of its FlowEvent writes it, so that the Go
 * sidecars (traceroute-caller, packet-headers, uuid-annotator) read it unchanged.
 */

/** `TCPEvent` of the original. */
export const TCPEvent = { Open: 0, Close: 1 } as const;
export type TCPEvent = (typeof TCPEvent)[keyof typeof TCPEvent];

/** `inetdiag.SockID` of the original, as the event carries it (addresses not anonymized). */
export interface SockId {
  readonly sport: number;
  readonly dport: number;
  readonly srcIP: string;
  readonly dstIP: string;
  /** The interface as the original reads it (its big-endian quirk, see SPEC §7). */
  readonly interface: number;
  /** The socket cookie (u64); written as the original's signed int64. */
  readonly cookie: bigint;
}

/** One event, as our code handles it. */
export interface FlowEvent {
  readonly event: TCPEvent;
  /** Unix time in nanoseconds. */
  readonly timestampNanos: bigint;
  readonly uuid: string;
  /** Present on open events, absent (null on the wire) on close events. */
  readonly id?: SockId;
}

/** Go's RFC3339Nano in UTC for Unix nanoseconds (trailing zeros trimmed, `Z`). */
export function formatGoTimeUTC(nanos: bigint): string {
  let secs = nanos / 1_000_000_000n;
  let frac = nanos % 1_000_000_000n;
  if (frac < 0n) {
    frac += 1_000_000_000n;
    secs -= 1n;
  }
  const iso = new Date(Number(secs) * 1000).toISOString().slice(0, 19);
  const fraction = frac === 0n ? '' : '.' + frac.toString().padStart(9, '0').replace(/0+$/, '');
  return `${iso}${fraction}Z`;
}

/** A string as Go's encoding/json writes it (HTML-safe escapes included). */
function goString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

/** The exact line (without newline) the original writes for an event. */
export function formatFlowEvent(e: FlowEvent): string {
  const head = `{"Event":${e.event},"Timestamp":"${formatGoTimeUTC(e.timestampNanos)}","UUID":${goString(e.uuid)},"ID":`;
  if (e.id === undefined) return head + 'null}';
  const id = e.id;
  return (
    head +
    `{"SPort":${id.sport},"DPort":${id.dport},"SrcIP":${goString(id.srcIP)},"DstIP":${goString(id.dstIP)},` +
    `"Interface":${id.interface},"Cookie":${BigInt.asIntN(64, id.cookie)}}}`
  );
}
