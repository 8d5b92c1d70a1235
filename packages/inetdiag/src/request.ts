import {
  AF_INET,
  AF_INET6,
  INET_DIAG_EXT_ALL,
  IPPROTO_TCP,
  SIZEOF_INET_DIAG_REQ_V2,
  TCPF_ALL_EXCEPT_SYN_RECV_TIME_WAIT_CLOSE,
} from './constants.js';
import { InetDiagParseError } from './errors.js';

/** What an `inet_diag_req_v2` asks for. */
export interface InetDiagRequest {
  /** AF_INET or AF_INET6. */
  readonly family: number;
  /** Default IPPROTO_TCP. */
  readonly protocol?: number;
  /** `idiag_ext`: bit `type - 1` per wanted attribute; default every one up to SHUTDOWN (0xff). */
  readonly ext?: number;
  /** `idiag_states` bitmask; default every state except SYN_RECV, TIME_WAIT and CLOSE. */
  readonly states?: number;
  /** A 48-byte `inet_diag_sockid` to match one socket; default all zero (every socket). */
  readonly id?: Uint8Array;
}

/**
 * Builds the 56-byte `struct inet_diag_req_v2` body of a SOCK_DIAG_BY_FAMILY
 * request (SPEC §1): family, protocol, ext, pad, states (host order), sockid.
 */
export function buildInetDiagReqV2(req: InetDiagRequest): Uint8Array {
  if (req.family !== AF_INET && req.family !== AF_INET6) {
    throw new InetDiagParseError('INVALID', `address family ${req.family} is neither AF_INET nor AF_INET6`);
  }
  const out = new Uint8Array(SIZEOF_INET_DIAG_REQ_V2);
  const v = new DataView(out.buffer);
  v.setUint8(0, req.family);
  v.setUint8(1, req.protocol ?? IPPROTO_TCP);
  v.setUint8(2, req.ext ?? INET_DIAG_EXT_ALL);
  v.setUint32(4, req.states ?? TCPF_ALL_EXCEPT_SYN_RECV_TIME_WAIT_CLOSE, true);
  if (req.id !== undefined) {
    if (req.id.length !== 48) throw new InetDiagParseError('INVALID', `inet_diag_sockid is 48 bytes, got ${req.id.length}`);
    out.set(req.id, 8);
  }
  return out;
}
