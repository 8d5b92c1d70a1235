import { AttributeRanges, AttributeWalk, DEFAULT_MAX_WALKED_ATTRIBUTES, RTA_HDRLEN } from './attribute-ranges.js';
import { NetlinkParseError } from './errors.js';

/** Size of `struct nlmsghdr`. */
export const NLMSG_HDRLEN = 16;
export { RTA_HDRLEN };
export const NLMSG_NOOP = 1;
export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;
export const NLMSG_OVERRUN = 4;
export const NLM_F_REQUEST = 0x1;
export const NLM_F_MULTI = 0x2;
export const NLM_F_ACK = 0x4;
/** The dump was interrupted by a change of the table being dumped: its content may be inconsistent. */
export const NLM_F_DUMP_INTR = 0x10;
export const NLM_F_ROOT = 0x100;
export const NLM_F_MATCH = 0x200;
export const NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;

/** Rounds a length up to netlink's 4-byte alignment (NLMSG_ALIGN, RTA_ALIGN). */
export function align4(len: number): number {
  return (len + 3) & ~3;
}

/** `struct nlmsghdr` of one message. Host order. */
export interface NetlinkHeader {
  /** nlmsg_len: header plus payload, unpadded. */
  readonly length: number;
  readonly type: number;
  readonly flags: number;
  readonly seq: number;
  /** nlmsg_pid: the sender's port (0 = kernel) or, in replies, the requester's. */
  readonly pid: number;
}

/**
 * Called once per message of a datagram. `payload` is a view into the datagram
 * (no copy): valid only until the datagram is released; copy what you keep.
 */
export type MessageCallback = (type: number, flags: number, seq: number, pid: number, payload: Buffer) => void;

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Walks the messages of one datagram (or of a file of back-to-back messages),
 * calling `cb` for each without allocating anything but the payload views.
 * Each message needs `16 <= nlmsg_len <= remaining`; the next starts at the
 * aligned length; trailing padding shorter than a header is ignored. Throws
 * {@link NetlinkParseError} (`TRUNCATED_HEADER`, `BAD_LENGTH`) on the first
 * malformed message; the messages before it have been delivered. Returns the
 * number of messages.
 */
export function forEachMessage(datagram: Uint8Array, cb: MessageCallback): number {
  const buf = asBuffer(datagram);
  let p = 0;
  let count = 0;
  while (p < buf.length) {
    const remaining = buf.length - p;
    if (remaining < NLMSG_HDRLEN) {
      // Alignment padding after the last message is allowed, anything else is not.
      if (buf.subarray(p).every((b) => b === 0)) break;
      throw new NetlinkParseError('TRUNCATED_HEADER', `${remaining} bytes at offset ${p} cannot hold a netlink header`);
    }
    const len = buf.readUInt32LE(p);
    if (len < NLMSG_HDRLEN || len > remaining) {
      throw new NetlinkParseError('BAD_LENGTH', `netlink message at offset ${p} claims ${len} bytes, ${remaining} remain`);
    }
    cb(buf.readUInt16LE(p + 4), buf.readUInt16LE(p + 6), buf.readUInt32LE(p + 8), buf.readUInt32LE(p + 12), buf.subarray(p + NLMSG_HDRLEN, p + len));
    count++;
    p += align4(len);
  }
  return count;
}

/** One message: its header and a view of its payload. */
export interface NetlinkMessage {
  readonly header: NetlinkHeader;
  readonly payload: Buffer;
}

/**
 * The messages of a datagram as objects (convenient, allocates per message; the
 * daemon uses {@link forEachMessage}). Same rules and errors.
 */
export function* messages(datagram: Uint8Array): Generator<NetlinkMessage> {
  const buf = asBuffer(datagram);
  const found: NetlinkMessage[] = [];
  let error: unknown;
  try {
    forEachMessage(buf, (type, flags, seq, pid, payload) => {
      found.push({ header: { length: payload.length + NLMSG_HDRLEN, type, flags, seq, pid }, payload });
    });
  } catch (err) {
    error = err;
  }
  yield* found;
  if (error !== undefined) throw error;
}

/** One attribute: its type and a view of its (unpadded) value. */
export interface NetlinkAttribute {
  readonly type: number;
  readonly value: Buffer;
}

/** Limits of {@link attributes}. */
export interface AttributeLimits {
  /** Most attributes accepted in one message (default {@link DEFAULT_MAX_WALKED_ATTRIBUTES}, 1024): a bound on work for hostile input. */
  readonly maxAttributes?: number;
}

/**
 * The route attributes in `bytes[start..]` (for an inet_diag reply, `start` is
 * 72), in list order, duplicates and types above 38 included; values are views,
 * unpadded. The list is walked by the one walker, {@link AttributeRanges}, before
 * anything is yielded: a malformed list throws its {@link NetlinkParseError}
 * (`ATTRIBUTE_OVERRUN`, `TOO_MANY_ATTRIBUTES`) at the first step. Convenient
 * and allocating; the daemon reads the walker's offsets instead.
 */
export function* attributes(bytes: Uint8Array, start = 0, limits: AttributeLimits = {}): Generator<NetlinkAttribute> {
  const buf = asBuffer(bytes);
  const walked = new AttributeRanges(limits.maxAttributes ?? DEFAULT_MAX_WALKED_ATTRIBUTES);
  if (walked.walk(buf, start, buf.length) !== AttributeWalk.Ok) throw walked.error();
  for (let i = 0; i < walked.count; i++) {
    const p = walked.headers[i]!;
    yield { type: buf.readUInt16LE(p + 2), value: buf.subarray(p + RTA_HDRLEN, p + buf.readUInt16LE(p)) };
  }
}

/** Encodes one netlink message: header (host order) and body, padded to 4 bytes. */
export function encodeMessage(type: number, flags: number, seq: number, pid: number, body: Uint8Array): Buffer {
  const len = NLMSG_HDRLEN + body.length;
  const out = Buffer.alloc(align4(len));
  out.writeUInt32LE(len, 0);
  out.writeUInt16LE(type, 4);
  out.writeUInt16LE(flags, 6);
  out.writeUInt32LE(seq >>> 0, 8);
  out.writeUInt32LE(pid >>> 0, 12);
  out.set(body, NLMSG_HDRLEN);
  return out;
}

/** The errno of an NLMSG_ERROR or NLMSG_DONE payload (its first int32, negated), 0 when absent. */
export function payloadErrno(payload: Uint8Array): number {
  if (payload.length < 4) return 0;
  return -asBuffer(payload).readInt32LE(0);
}
