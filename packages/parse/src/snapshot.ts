import {
  decodeInetDiagMsg, inetDiagAttribute,
  type BbrInfo, type DctcpInfo, type InetDiagMsg, type MemInfo, type SkMemInfo, type SocketAddress, type SockOpt, type VegasInfo,
} from '@tcpinfo/inetdiag';
import type { ArchivalRecord, GoTime, Metadata } from '@tcpinfo/netlink';
import type { TcpInfo } from '@tcpinfo/tcp';
import { originalBitmasks } from './original-rules.js';

/** An address and port from INET_DIAG_LOCALS / INET_DIAG_PEERS (decoded by @tcpinfo/inetdiag). */
export type { SocketAddress };

/**
 * One decoded snapshot of a socket. Every attribute field is absent when the
 * record did not carry that attribute.
 */
export interface Snapshot {
  /** When the snapshot was taken (the zero time for a header record). */
  readonly timestamp: GoTime;
  /** Bit `1 << (type-1)` per attribute present, as the original computes it. */
  readonly observed: number;
  /** Bits of the attributes the original could not parse fully (SPEC §7). */
  readonly notFullyParsed: number;
  /** The inet_diag_msg (absent in a header record). */
  readonly idm?: InetDiagMsg;
  /** `tcp_info`, every field of the current kernel that the value holds. */
  readonly tcpInfo?: TcpInfo;
  readonly memInfo?: MemInfo;
  readonly skMemInfo?: SkMemInfo;
  readonly vegasInfo?: VegasInfo;
  readonly dctcpInfo?: DctcpInfo;
  readonly bbrInfo?: BbrInfo;
  /** INET_DIAG_CONG up to its NUL. */
  readonly congestionAlgorithm?: string;
  readonly tos?: number;
  readonly tclass?: number;
  /** INET_DIAG_CLASS_ID as a u32 (the original prints only its first byte). */
  readonly classId?: number;
  readonly shutdown?: number;
  readonly protocol?: number;
  readonly mark?: number;
  readonly skv6only?: boolean;
  readonly locals?: readonly SocketAddress[];
  readonly peers?: readonly SocketAddress[];
  readonly cgroupId?: bigint;
  readonly sockOpt?: SockOpt;
  /** Attributes without a decoder here (ULP_INFO, MD5SIG, BPF storages, unknown types): raw values by type. */
  readonly otherAttributes?: ReadonlyMap<number, Uint8Array>;
  /** The record this snapshot was decoded from. */
  readonly record: ArchivalRecord;
}

/** A decoded line: the header's metadata (header records only) and the snapshot. */
export interface DecodedRecord {
  readonly metadata?: Metadata;
  readonly snapshot: Snapshot;
}

/**
 * Decodes an archived record into a typed snapshot. Never throws for odd
 * attribute values (short ones are zero-extended like the original, long ones
 * decode their known prefix); an inet_diag_msg shorter than 72 bytes throws
 * the InetDiagParseError of @tcpinfo/inetdiag.
 */
export function decodeRecord(record: ArchivalRecord): DecodedRecord {
  const attrs = record.attributes;
  const s: { -readonly [K in keyof Snapshot]?: Snapshot[K] } = { timestamp: record.timestamp, record, ...originalBitmasks(attrs) };
  const raw = record.rawIdm;
  if (raw !== undefined && raw.length > 0) s.idm = decodeInetDiagMsg(raw);
  let others: Map<number, Uint8Array> | undefined;
  if (attrs !== undefined) {
    for (let type = 0; type < attrs.length; type++) {
      const v = attrs[type];
      if (v == null) continue;
      // The field name and decoder of each type come from inetdiag's one attribute
      // table; types it keeps raw (MD5SIG, ULP_INFO, BPF storages, unknown) stay raw.
      const row = inetDiagAttribute(type);
      if (row?.field !== undefined && row.decode !== undefined) (s as Record<string, unknown>)[row.field] = row.decode(v);
      else (others ??= new Map()).set(type, v);
    }
  }
  if (others !== undefined) s.otherAttributes = others;
  return record.metadata !== undefined ? { metadata: record.metadata, snapshot: s as Snapshot } : { snapshot: s as Snapshot };
}
