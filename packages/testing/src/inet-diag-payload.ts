/**
 * THE builder of inet_diag reply payloads for tests (byte by byte, at the
 * offsets @tcpinfo/inetdiag names): every test that needs a message it cannot
 * take from the recorded fixtures builds it here, not by hand.
 */

import {
  IDIAG_COOKIE_OFFSET, IDIAG_DPORT_OFFSET, IDIAG_DST_OFFSET, IDIAG_EXPIRES_OFFSET, IDIAG_FAMILY_OFFSET,
  IDIAG_SPORT_OFFSET, IDIAG_SRC_OFFSET, IDIAG_STATE_OFFSET, INET_DIAG_INFO, INET_DIAG_MEMINFO, SIZEOF_INET_DIAG_MSG,
} from '@tcpinfo/inetdiag';

/** Size of struct tcp_info on Linux 6.18. */
export const TCP_INFO_SIZE_6_18 = 280;

/** The fields of a struct inet_diag_msg a test cares about. */
export interface IdmFields {
  family?: number;
  state?: number;
  sport?: number;
  dport?: number;
  /** 16 bytes, kernel layout (IPv4 in the first 4). */
  src?: Uint8Array;
  dst?: Uint8Array;
  cookie?: bigint;
  expires?: number;
}

/** IPv4 address a.b.c.d in the kernel's 16-byte layout. */
export function v4(text: string): Uint8Array {
  const out = new Uint8Array(16);
  text.split('.').forEach((p, i) => (out[i] = Number(p)));
  return out;
}

/** IPv6 address from 8 hex groups joined by ':' (no '::' shorthand, tests spell it out). */
export function v6(groups: string): Uint8Array {
  const out = new Uint8Array(16);
  groups.split(':').forEach((g, i) => {
    const n = parseInt(g, 16);
    out[2 * i] = n >> 8;
    out[2 * i + 1] = n & 0xff;
  });
  return out;
}

/** A 72-byte struct inet_diag_msg. */
export function buildIdm(f: IdmFields = {}): Buffer {
  const b = Buffer.alloc(SIZEOF_INET_DIAG_MSG);
  b[IDIAG_FAMILY_OFFSET] = f.family ?? 2;
  b[IDIAG_STATE_OFFSET] = f.state ?? 1;
  b.writeUInt16BE(f.sport ?? 40000, IDIAG_SPORT_OFFSET);
  b.writeUInt16BE(f.dport ?? 443, IDIAG_DPORT_OFFSET);
  b.set(f.src ?? v4('192.0.2.1'), IDIAG_SRC_OFFSET);
  b.set(f.dst ?? v4('192.0.2.2'), IDIAG_DST_OFFSET);
  b.writeBigUInt64LE(f.cookie ?? 0x1234n, IDIAG_COOKIE_OFFSET);
  b.writeUInt32LE(f.expires ?? 0, IDIAG_EXPIRES_OFFSET);
  return b;
}

/** One rtattr: header, value, padding to 4 bytes; `len` overrides the header's length (for malformed lists). */
export function rtattr(type: number, value: Uint8Array, len = 4 + value.length): Buffer {
  const b = Buffer.alloc((4 + value.length + 3) & ~3);
  b.writeUInt16LE(len, 0);
  b.writeUInt16LE(type, 2);
  b.set(value, 4);
  return b;
}

/** A payload: the inet_diag_msg followed by the given attributes in order. */
export function buildPayload(idm: Uint8Array, attrs: readonly (readonly [type: number, value: Uint8Array])[]): Buffer {
  return Buffer.concat([idm, ...attrs.map(([t, v]) => rtattr(t, v))]);
}

/** A tcp_info of `size` bytes with distinct, recognisable bytes. */
export function tcpInfo(size = TCP_INFO_SIZE_6_18, seed = 1): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 7 + seed) & 0xff;
  return b;
}

/**
 * The attributes a Linux 6.18 kernel sends for an established IPv4 TCP socket
 * with idiag_ext = 0xff and BBR, in the kernel's own order (recorded live, see
 * kernel-6.18-messages.bin.zst), as [type, value] pairs.
 */
export function kernel618Attributes(info: Uint8Array = tcpInfo()): [number, Uint8Array][] {
  return [
    [8, Buffer.from([0])], // SHUTDOWN
    [5, Buffer.from([0])], // TOS
    [15, Buffer.alloc(4)], // MARK
    [17, Buffer.alloc(4)], // CLASS_ID
    [21, Buffer.alloc(8, 21)], // CGROUP_ID
    [22, Buffer.alloc(2)], // SOCKOPT
    [1, Buffer.alloc(16, 1)], // MEMINFO
    [7, Buffer.alloc(36, 7)], // SKMEMINFO
    [2, info], // INFO
    [4, Buffer.from('bbr\0')], // CONG
    [16, Buffer.alloc(20, 16)], // BBRINFO
  ];
}

/** A tcp_info of `size` bytes (zeros) with `fields` written as u32 or u64 (bigint) at their byte offsets. */
export function tcpInfoWith(fields: Readonly<Record<number, number | bigint>>, size = TCP_INFO_SIZE_6_18): Buffer {
  const b = Buffer.alloc(size);
  for (const [offset, value] of Object.entries(fields)) {
    if (typeof value === 'bigint') b.writeBigUInt64LE(value, Number(offset));
    else b.writeUInt32LE(value, Number(offset));
  }
  return b;
}

/**
 * The usual test snapshot: an inet_diag_msg (`idm` fields) with INET_DIAG_INFO
 * (`info`, default a zero 280-byte tcp_info), optionally after a 16-byte
 * INET_DIAG_MEMINFO (`meminfo: true`), so the INFO value does not start right
 * after the header.
 */
export function snapshotPayload(idm: IdmFields = {}, info: Uint8Array = Buffer.alloc(TCP_INFO_SIZE_6_18), { meminfo = false } = {}): Buffer {
  const attrs: [number, Uint8Array][] = meminfo ? [[INET_DIAG_MEMINFO, Buffer.alloc(16)]] : [];
  attrs.push([INET_DIAG_INFO, info]);
  return buildPayload(buildIdm(idm), attrs);
}
