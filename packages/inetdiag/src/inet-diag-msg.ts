import { formatGoIP } from './address.js';
import { SIZEOF_INET_DIAG_MSG } from './constants.js';
import { InetDiagParseError } from './errors.js';
import * as L from './inet-diag-msg-layout.js';

/** `struct inet_diag_sockid`: a socket's identity in an inet_diag message. */
export interface InetDiagSockId {
  /** Source (local) port; the kernel sends it big-endian. */
  readonly sport: number;
  /** Destination (remote) port, big-endian on the wire. */
  readonly dport: number;
  /** Source address as Go's `net.IP.String()` prints it. */
  readonly src: string;
  /** Destination address, likewise. */
  readonly dst: string;
  /** The 16 raw bytes of the source address field (a view). */
  readonly srcBytes: Uint8Array;
  /** The 16 raw bytes of the destination address field (a view). */
  readonly dstBytes: Uint8Array;
  /** Interface index, host order (what the kernel means). */
  readonly interface: number;
  /** Interface as the original reads it (big-endian): what its CSV and event socket print. */
  readonly interfaceGo: number;
  /** Socket cookie (host order u64): the connection's key. */
  readonly cookie: bigint;
  /** The cookie as 16 upper-case hex digits, as in UUIDs. */
  readonly cookieHex: string;
}

/** `struct inet_diag_msg` (72 bytes). */
export interface InetDiagMsg {
  /** AF_INET (2) or AF_INET6 (10). */
  readonly family: number;
  /** TCP state (see @tcpinfo/tcp TCPState). */
  readonly state: number;
  /** Pending timer: 0 none, 1 retransmit, 2 keepalive, 3 TIME_WAIT, 4 zero-window probe. */
  readonly timer: number;
  /** Retransmits (or probes) of the pending timer. */
  readonly retrans: number;
  readonly id: InetDiagSockId;
  /** Milliseconds until the pending timer fires. */
  readonly expires: number;
  /** Receive queue: bytes not yet read (or listen backlog). */
  readonly rqueue: number;
  /** Send queue: bytes not yet acknowledged (or max backlog). */
  readonly wqueue: number;
  /** Owner uid. */
  readonly uid: number;
  /** Inode of the socket. */
  readonly inode: number;
}

/** The cookie of a raw inet_diag_msg (host order) without decoding the rest. */
export function readCookie(msg: Uint8Array): bigint {
  if (msg.length < L.IDIAG_COOKIE_OFFSET + 8) throw new InetDiagParseError('TRUNCATED', `inet_diag_msg of ${msg.length} bytes has no cookie`);
  return new DataView(msg.buffer, msg.byteOffset, msg.byteLength).getBigUint64(L.IDIAG_COOKIE_OFFSET, true);
}

/** A cookie as the 16 upper-case hex digits used in UUIDs. */
export function cookieToHex(cookie: bigint): string {
  return cookie.toString(16).toUpperCase().padStart(16, '0');
}

/**
 * Decodes the 72-byte `struct inet_diag_msg` at the start of `bytes`
 * (attributes may follow; they are ignored). Throws {@link InetDiagParseError}
 * `TRUNCATED` when fewer than 72 bytes are given.
 */
export function decodeInetDiagMsg(bytes: Uint8Array): InetDiagMsg {
  if (bytes.length < SIZEOF_INET_DIAG_MSG) {
    throw new InetDiagParseError('TRUNCATED', `inet_diag_msg needs ${SIZEOF_INET_DIAG_MSG} bytes, got ${bytes.length}`);
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, SIZEOF_INET_DIAG_MSG);
  const srcBytes = bytes.subarray(L.IDIAG_SRC_OFFSET, L.IDIAG_SRC_OFFSET + 16);
  const dstBytes = bytes.subarray(L.IDIAG_DST_OFFSET, L.IDIAG_DST_OFFSET + 16);
  const cookie = v.getBigUint64(L.IDIAG_COOKIE_OFFSET, true);
  return {
    family: v.getUint8(L.IDIAG_FAMILY_OFFSET),
    state: v.getUint8(L.IDIAG_STATE_OFFSET),
    timer: v.getUint8(L.IDIAG_TIMER_OFFSET),
    retrans: v.getUint8(L.IDIAG_RETRANS_OFFSET),
    id: {
      sport: v.getUint16(L.IDIAG_SPORT_OFFSET, false),
      dport: v.getUint16(L.IDIAG_DPORT_OFFSET, false),
      src: formatGoIP(srcBytes),
      dst: formatGoIP(dstBytes),
      srcBytes,
      dstBytes,
      interface: v.getUint32(L.IDIAG_INTERFACE_OFFSET, true),
      interfaceGo: v.getUint32(L.IDIAG_INTERFACE_OFFSET, false),
      cookie,
      cookieHex: cookieToHex(cookie),
    },
    expires: v.getUint32(L.IDIAG_EXPIRES_OFFSET, true),
    rqueue: v.getUint32(L.IDIAG_RQUEUE_OFFSET, true),
    wqueue: v.getUint32(L.IDIAG_WQUEUE_OFFSET, true),
    uid: v.getUint32(L.IDIAG_UID_OFFSET, true),
    inode: v.getUint32(L.IDIAG_INODE_OFFSET, true),
  };
}
