import { forEachMessage, NLMSG_HDRLEN } from './framing.js';

/** One message of a raw capture: header fields and a view of the inet_diag payload. */
export interface RawFileMessage {
  readonly type: number;
  readonly flags: number;
  readonly seq: number;
  readonly pid: number;
  /** The inet_diag_msg and its attributes (a view into the file's bytes). */
  readonly payload: Buffer;
  /** Byte offset of the message's header in the file, for error messages. */
  readonly offset: number;
}

/**
 * Reads the raw capture format of the original's test data
 * (`raw-netlink-messages.bin`): netlink messages exactly as received, 16-byte
 * `nlmsghdr` plus payload, back to back. Give it the decompressed bytes. Throws
 * `NetlinkParseError` at the first malformed message (with its offset).
 */
export function readRawMessages(bytes: Uint8Array): RawFileMessage[] {
  const out: RawFileMessage[] = [];
  let offset = 0;
  forEachMessage(bytes, (type, flags, seq, pid, payload) => {
    out.push({ type, flags, seq, pid, payload, offset });
    offset += (payload.length + NLMSG_HDRLEN + 3) & ~3;
  });
  return out;
}
