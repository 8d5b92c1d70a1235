/**
 * The attributes of an inet_diag reply as data: one row per type 0..22, with
 * its name, how the Go original parses it (and the size of its struct there),
 * the key of the decoded value and the decoder. This table is what the parser
 * decodes by and what the CSV's Observed / NotFullyParsed rules read (SPEC §7),
 * so a type a new kernel adds is one row here. A test proves the rows cover
 * every type from 0 to {@link INET_DIAG_MAX_KNOWN} without a gap and agree with
 * the `INET_DIAG_*` constants and the struct sizes.
 */

import { decodeTcpInfo, SIZEOF_TCP_INFO_ORIGINAL } from '@tcpinfo/tcp';
import {
  decodeBbrInfo, decodeCongestion, decodeDctcpInfo, decodeMemInfo, decodeSkMemInfo, decodeSockaddrs, decodeSockOpt,
  decodeU32, decodeU64, decodeU8, decodeVegasInfo,
  BBRINFO_LAYOUT, DCTCPINFO_LAYOUT, MEMINFO_LAYOUT, SKMEMINFO_LAYOUT, VEGASINFO_LAYOUT, type StructLayout,
  SIZEOF_BBRINFO_ORIGINAL, SIZEOF_DCTCPINFO, SIZEOF_MEMINFO, SIZEOF_SKMEMINFO, SIZEOF_VEGASINFO,
} from './attribute-structs.js';
import { INET_DIAG_MAX_KNOWN } from './constants.js';

/**
 * How the original's snapshot.Decode treats a value of this type, which decides
 * whether it counts as "fully parsed":
 * - `struct`: a fixed struct of `originalSize` bytes; a shorter value is zero-extended
 *   (parsed), a longer one is not fully parsed;
 * - `firstByte`: a scalar read as its first byte; parsed when not empty;
 * - `string`: always parsed (INET_DIAG_CONG);
 * - `exact`: parsed only at exactly `originalSize` bytes (INET_DIAG_MARK, a u32);
 * - `none`: never parsed (the original has no decoder, or the type is newer than it).
 */
export type OriginalParse = 'struct' | 'firstByte' | 'string' | 'exact' | 'none';

/** One attribute type of inet_diag replies. */
export interface InetDiagAttribute {
  /** The `INET_DIAG_*` number. */
  readonly type: number;
  /** The kernel's name (`INET_DIAG_MEMINFO`). */
  readonly name: string;
  /** How the original parses it (see {@link OriginalParse}). */
  readonly original: OriginalParse;
  /** Bytes the original reads: its struct's size (`struct`, `exact`), 1 (`firstByte`), otherwise 0. */
  readonly originalSize: number;
  /** Key of the decoded value in a parsed snapshot (`memInfo`), absent when the value is kept raw. */
  readonly field?: string;
  /** Decodes a value (never throws: short values are zero-extended); absent when kept raw. */
  readonly decode?: (value: Uint8Array) => unknown;
  /** The fixed struct {@link decode} reads (fields, then `length` and `longer`), for the struct rows. */
  readonly struct?: StructLayout;
  /** One line on what it is. */
  readonly doc: string;
}

type Row = readonly [
  name: string,
  original: OriginalParse,
  originalSize: number,
  field: string | undefined,
  decode: ((value: Uint8Array) => unknown) | undefined,
  doc: string,
  struct?: StructLayout,
];

// Row i is type i. prettier-ignore
const ROWS: readonly Row[] = [
  ['INET_DIAG_NONE', 'none', 0, undefined, undefined, 'unused type 0'],
  ['INET_DIAG_MEMINFO', 'struct', SIZEOF_MEMINFO, 'memInfo', decodeMemInfo, 'struct inet_diag_meminfo: queued and allocated memory', MEMINFO_LAYOUT],
  ['INET_DIAG_INFO', 'struct', SIZEOF_TCP_INFO_ORIGINAL, 'tcpInfo', decodeTcpInfo, 'struct tcp_info (the original knows its first 232 bytes)'],
  ['INET_DIAG_VEGASINFO', 'struct', SIZEOF_VEGASINFO, 'vegasInfo', decodeVegasInfo, 'struct tcpvegas_info', VEGASINFO_LAYOUT],
  ['INET_DIAG_CONG', 'string', 0, 'congestionAlgorithm', decodeCongestion, 'congestion-control algorithm name, NUL-terminated'],
  ['INET_DIAG_TOS', 'firstByte', 1, 'tos', decodeU8, 'IPv4 TOS byte'],
  ['INET_DIAG_TCLASS', 'firstByte', 1, 'tclass', decodeU8, 'IPv6 traffic class'],
  ['INET_DIAG_SKMEMINFO', 'struct', SIZEOF_SKMEMINFO, 'skMemInfo', decodeSkMemInfo, 'the SK_MEMINFO_* array', SKMEMINFO_LAYOUT],
  ['INET_DIAG_SHUTDOWN', 'firstByte', 1, 'shutdown', decodeU8, 'shutdown(2) state: RCV_SHUTDOWN 1 | SEND_SHUTDOWN 2'],
  ['INET_DIAG_DCTCPINFO', 'struct', SIZEOF_DCTCPINFO, 'dctcpInfo', decodeDctcpInfo, 'struct tcp_dctcp_info', DCTCPINFO_LAYOUT],
  ['INET_DIAG_PROTOCOL', 'firstByte', 1, 'protocol', decodeU8, 'IP protocol (sent for multi-protocol dumps)'],
  ['INET_DIAG_SKV6ONLY', 'none', 0, 'skv6only', (v) => decodeU8(v) !== 0, 'IPV6_V6ONLY of the socket'],
  ['INET_DIAG_LOCALS', 'none', 0, 'locals', decodeSockaddrs, 'local addresses (SCTP)'],
  ['INET_DIAG_PEERS', 'none', 0, 'peers', decodeSockaddrs, 'peer addresses (SCTP)'],
  ['INET_DIAG_PAD', 'none', 0, undefined, undefined, 'padding for 64-bit alignment'],
  ['INET_DIAG_MARK', 'exact', 4, 'mark', decodeU32, 'SO_MARK (u32; sent only to CAP_NET_ADMIN)'],
  ['INET_DIAG_BBRINFO', 'struct', SIZEOF_BBRINFO_ORIGINAL, 'bbrInfo', decodeBbrInfo, 'struct tcp_bbr_info (20 bytes, 24 in the original)', BBRINFO_LAYOUT],
  ['INET_DIAG_CLASS_ID', 'firstByte', 1, 'classId', decodeU32, 'cgroup v1 net_cls class id (u32; the original reads one byte)'],
  ['INET_DIAG_MD5SIG', 'none', 0, undefined, undefined, 'TCP-MD5 keys (struct tcp_diag_md5sig array)'],
  ['INET_DIAG_ULP_INFO', 'none', 0, undefined, undefined, 'upper-layer protocol (kTLS, MPTCP) nested attributes'],
  ['INET_DIAG_SK_BPF_STORAGES', 'none', 0, undefined, undefined, 'BPF socket-local storages (nested)'],
  ['INET_DIAG_CGROUP_ID', 'none', 0, 'cgroupId', decodeU64, 'cgroup v2 id (u64)'],
  ['INET_DIAG_SOCKOPT', 'none', 0, 'sockOpt', decodeSockOpt, 'struct inet_diag_sockopt: socket option bits'],
];

/** Every attribute type 0..{@link INET_DIAG_MAX_KNOWN}, indexed by type. */
export const INET_DIAG_ATTRIBUTES: readonly InetDiagAttribute[] = ROWS.map(([name, original, originalSize, field, decode, doc, struct], type) => ({
  type,
  name,
  original,
  originalSize,
  ...(field !== undefined ? { field } : {}),
  ...(decode !== undefined ? { decode } : {}),
  ...(struct !== undefined ? { struct } : {}),
  doc,
}));

/** Names of the attribute types, by type. */
export const INET_DIAG_ATTRIBUTE_NAMES: readonly string[] = INET_DIAG_ATTRIBUTES.map((a) => a.name);

/** The name of an attribute type, `INET_DIAG_UNKNOWN_<n>` beyond the known ones. */
export function inetDiagAttrName(type: number): string {
  return INET_DIAG_ATTRIBUTE_NAMES[type] ?? `INET_DIAG_UNKNOWN_${type}`;
}

/** The row of an attribute type, undefined above {@link INET_DIAG_MAX_KNOWN}. */
export function inetDiagAttribute(type: number): InetDiagAttribute | undefined {
  return type <= INET_DIAG_MAX_KNOWN ? INET_DIAG_ATTRIBUTES[type] : undefined;
}

/**
 * Whether the original parses a value of `length` bytes of attribute `type`
 * fully (its NotFullyParsed bit stays clear): the rule of {@link OriginalParse}.
 * Unknown types never are.
 */
export function originalParsesFully(type: number, length: number): boolean {
  const row = inetDiagAttribute(type);
  switch (row?.original) {
    case 'struct': return length <= row.originalSize;
    case 'firstByte': return length >= 1;
    case 'string': return true;
    case 'exact': return length === row.originalSize;
    default: return false;
  }
}
