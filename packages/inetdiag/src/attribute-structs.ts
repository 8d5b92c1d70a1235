import { formatIP } from './address.js';
import { AF_INET, AF_INET6 } from './constants.js';

/**
 * Fixed-size attribute structs of inet_diag replies. Like the original, a value
 * shorter than the struct is zero-extended (and counts as parsed), and a longer
 * one decodes its known prefix and says so (`longer`), which the CSV's
 * NotFullyParsed reports.
 */

/** One field of a fixed-size struct: name, byte offset, width (host order, unsigned). */
export interface StructField {
  readonly name: string;
  readonly offset: number;
  readonly size: 1 | 2 | 4 | 8;
}

/**
 * A fixed struct as data: its size (a longer value is `longer`) and fields.
 * The attribute table carries it (`struct`), so that writers reading a
 * value's bytes directly (parse's JSON lines) follow the decoder's layout.
 */
export interface StructLayout {
  readonly size: number;
  readonly fields: readonly StructField[];
}

/** How a value's length compared with its struct. */
export interface StructLength {
  /** Length of the attribute value in bytes. */
  readonly length: number;
  /** Longer than the struct this package knows (a newer kernel). */
  readonly longer: boolean;
}

function readZeroExtended(value: Uint8Array, size: number, fields: readonly StructField[]): Record<string, number | bigint> {
  let bytes = value;
  if (value.length < size) {
    bytes = new Uint8Array(size);
    bytes.set(value);
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Record<string, number | bigint> = {};
  for (const f of fields) {
    out[f.name] =
      f.size === 1 ? v.getUint8(f.offset)
      : f.size === 2 ? v.getUint16(f.offset, true)
      : f.size === 4 ? v.getUint32(f.offset, true)
      : v.getBigUint64(f.offset, true);
  }
  return out;
}

/**
 * A decoder for a fixed struct of `size` bytes: fields read from the value
 * zero-extended to `readSize` (the original's struct may be padded larger),
 * `longer` when the kernel sent more than `size` bytes.
 */
function structDecoder<T>({ size, fields }: StructLayout, readSize = size): (value: Uint8Array) => T {
  return (value) => {
    // The fields, then length and longer, in one object (a spread into a second one cost a third of the decoding).
    const out: Record<string, number | bigint | boolean> = readZeroExtended(value, readSize, fields);
    out.length = value.length;
    out.longer = value.length > size;
    return out as T;
  };
}

function u32Fields(names: readonly string[]): StructField[] {
  return names.map((name, i) => ({ name, offset: 4 * i, size: 4 as const }));
}

/** `struct inet_diag_meminfo` (INET_DIAG_MEMINFO), bytes. */
export interface MemInfo extends StructLength {
  readonly rmem: number;
  readonly wmem: number;
  readonly fmem: number;
  readonly tmem: number;
}
export const SIZEOF_MEMINFO = 16;
export const MEMINFO_FIELDS = u32Fields(['rmem', 'wmem', 'fmem', 'tmem']);
export const MEMINFO_LAYOUT: StructLayout = { size: SIZEOF_MEMINFO, fields: MEMINFO_FIELDS };
/** Decodes the struct (see the module comment for short and long values). */
export const decodeMemInfo: (value: Uint8Array) => MemInfo = structDecoder<MemInfo>(MEMINFO_LAYOUT);

/** The `SK_MEMINFO_*` array (INET_DIAG_SKMEMINFO), bytes; the original spells `sndbuf` "Sndbug" in CSV. */
export interface SkMemInfo extends StructLength {
  readonly rmemAlloc: number;
  readonly rcvbuf: number;
  readonly wmemAlloc: number;
  readonly sndbuf: number;
  readonly fwdAlloc: number;
  readonly wmemQueued: number;
  readonly optmem: number;
  readonly backlog: number;
  readonly drops: number;
}
export const SIZEOF_SKMEMINFO = 36;
export const SKMEMINFO_FIELDS = u32Fields([
  'rmemAlloc', 'rcvbuf', 'wmemAlloc', 'sndbuf', 'fwdAlloc', 'wmemQueued', 'optmem', 'backlog', 'drops',
]);
export const SKMEMINFO_LAYOUT: StructLayout = { size: SIZEOF_SKMEMINFO, fields: SKMEMINFO_FIELDS };
/** Decodes the struct (see the module comment for short and long values). */
export const decodeSkMemInfo: (value: Uint8Array) => SkMemInfo = structDecoder<SkMemInfo>(SKMEMINFO_LAYOUT);

/** `struct tcpvegas_info` (INET_DIAG_VEGASINFO); times in µs. */
export interface VegasInfo extends StructLength {
  readonly enabled: number;
  readonly rttCount: number;
  readonly rttUsec: number;
  readonly minRttUsec: number;
}
export const SIZEOF_VEGASINFO = 16;
export const VEGASINFO_FIELDS = u32Fields(['enabled', 'rttCount', 'rttUsec', 'minRttUsec']);
export const VEGASINFO_LAYOUT: StructLayout = { size: SIZEOF_VEGASINFO, fields: VEGASINFO_FIELDS };
/** Decodes the struct (see the module comment for short and long values). */
export const decodeVegasInfo: (value: Uint8Array) => VegasInfo = structDecoder<VegasInfo>(VEGASINFO_LAYOUT);

/** `struct tcp_dctcp_info` (INET_DIAG_DCTCPINFO). */
export interface DctcpInfo extends StructLength {
  readonly enabled: number;
  readonly ceState: number;
  readonly alpha: number;
  readonly abEcn: number;
  readonly abTot: number;
}
export const SIZEOF_DCTCPINFO = 16;
export const DCTCPINFO_FIELDS: readonly StructField[] = [
  { name: 'enabled', offset: 0, size: 2 },
  { name: 'ceState', offset: 2, size: 2 },
  { name: 'alpha', offset: 4, size: 4 },
  { name: 'abEcn', offset: 8, size: 4 },
  { name: 'abTot', offset: 12, size: 4 },
];
export const DCTCPINFO_LAYOUT: StructLayout = { size: SIZEOF_DCTCPINFO, fields: DCTCPINFO_FIELDS };
/** Decodes the struct (see the module comment for short and long values). */
export const decodeDctcpInfo: (value: Uint8Array) => DctcpInfo = structDecoder<DctcpInfo>(DCTCPINFO_LAYOUT);

/** `struct tcp_bbr_info` (INET_DIAG_BBRINFO). */
export interface BbrInfo extends StructLength {
  /** Bottleneck bandwidth estimate, bytes/s (bbr_bw_lo | bbr_bw_hi << 32). */
  readonly bw: bigint;
  readonly minRttUsec: number;
  /** Pacing gain, fixed point: 256 = 1.0. */
  readonly pacingGain: number;
  /** Cwnd gain, fixed point: 256 = 1.0. */
  readonly cwndGain: number;
}
export const SIZEOF_BBRINFO = 20;
/** Size of the original's BBRInfo struct (padded to 8): longer values count as not fully parsed above this. */
export const SIZEOF_BBRINFO_ORIGINAL = 24;
export const BBRINFO_FIELDS: readonly StructField[] = [
  { name: 'bw', offset: 0, size: 8 },
  { name: 'minRttUsec', offset: 8, size: 4 },
  { name: 'pacingGain', offset: 12, size: 4 },
  { name: 'cwndGain', offset: 16, size: 4 },
];
export const BBRINFO_LAYOUT: StructLayout = { size: SIZEOF_BBRINFO, fields: BBRINFO_FIELDS };
/** Decodes the struct (see the module comment for short and long values). */
export const decodeBbrInfo: (value: Uint8Array) => BbrInfo = structDecoder<BbrInfo>(BBRINFO_LAYOUT, SIZEOF_BBRINFO_ORIGINAL);

/** `struct inet_diag_sockopt` (INET_DIAG_SOCKOPT, Linux 5.10): socket option bits. */
export interface SockOpt extends StructLength {
  readonly recverr: boolean;
  readonly isIcsk: boolean;
  readonly freebind: boolean;
  readonly hdrincl: boolean;
  readonly mcLoop: boolean;
  readonly transparent: boolean;
  readonly mcAll: boolean;
  readonly nodefrag: boolean;
  readonly bindAddressNoPort: boolean;
  readonly recverrRfc4884: boolean;
  readonly deferConnect: boolean;
}
export const SIZEOF_SOCKOPT = 2;
const SOCKOPT_BITS = [
  'recverr', 'isIcsk', 'freebind', 'hdrincl', 'mcLoop', 'transparent', 'mcAll', 'nodefrag',
  'bindAddressNoPort', 'recverrRfc4884', 'deferConnect',
] as const;
export function decodeSockOpt(value: Uint8Array): SockOpt {
  const out: Record<string, boolean | number> = { length: value.length, longer: value.length > SIZEOF_SOCKOPT };
  SOCKOPT_BITS.forEach((name, bit) => {
    out[name] = (((value[bit >> 3] ?? 0) >> (bit & 7)) & 1) === 1;
  });
  return out as unknown as SockOpt;
}


/** INET_DIAG_CONG: the congestion-control algorithm's name, up to its NUL. */
export function decodeCongestion(value: Uint8Array): string {
  const nul = value.indexOf(0);
  return Buffer.from(value.buffer, value.byteOffset, nul < 0 ? value.length : nul).toString('latin1');
}

/** First byte of a scalar attribute (TOS, TCLASS, SHUTDOWN, PROTOCOL, SKV6ONLY), 0 when empty. */
export function decodeU8(value: Uint8Array): number {
  return value[0] ?? 0;
}

/** A u32 attribute (MARK, CLASS_ID) zero-extended from a shorter value; host order. */
export function decodeU32(value: Uint8Array): number {
  let n = 0;
  for (let i = Math.min(value.length, 4) - 1; i >= 0; i--) n = n * 256 + value[i]!;
  return n;
}

/** A u64 attribute (CGROUP_ID) zero-extended from a shorter value; host order. */
export function decodeU64(value: Uint8Array): bigint {
  let n = 0n;
  for (let i = Math.min(value.length, 8) - 1; i >= 0; i--) n = (n << 8n) | BigInt(value[i]!);
  return n;
}

/** An address and port from INET_DIAG_LOCALS / INET_DIAG_PEERS. */
export interface SocketAddress {
  readonly family: number;
  readonly address: string;
  readonly port: number;
}

/** Size of one `struct sockaddr_storage` entry of INET_DIAG_LOCALS / INET_DIAG_PEERS. */
export const SIZEOF_SOCKADDR_STORAGE = 128;

/**
 * INET_DIAG_LOCALS / INET_DIAG_PEERS (SCTP only): `sockaddr_storage` entries;
 * AF_INET and AF_INET6 ones are decoded, others skipped.
 */
export function decodeSockaddrs(value: Uint8Array): SocketAddress[] {
  const out: SocketAddress[] = [];
  const b = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  for (let at = 0; at + 8 <= b.length; at += SIZEOF_SOCKADDR_STORAGE) {
    const family = b.readUInt16LE(at);
    const port = b.readUInt16BE(at + 2);
    if (family === AF_INET) out.push({ family, port, address: formatIP(b.subarray(at + 4, at + 8)) });
    else if (family === AF_INET6 && at + 24 <= b.length) out.push({ family, port, address: formatIP(b.subarray(at + 8, at + 24)) });
  }
  return out;
}
