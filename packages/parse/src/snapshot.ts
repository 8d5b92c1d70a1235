import {
  decodeBbrInfo, decodeCongestion, decodeDctcpInfo, decodeInetDiagMsg, decodeMemInfo, decodeSkMemInfo, decodeSockOpt,
  decodeU32, decodeU64, decodeU8, decodeVegasInfo, formatIP,
  type BbrInfo, type DctcpInfo, type InetDiagMsg, type MemInfo, type SkMemInfo, type SockOpt, type VegasInfo,
} from '@tcpinfo/inetdiag';
import type { ArchivalRecord, GoTime, Metadata } from '@tcpinfo/netlink';
import { decodeTcpInfo, type TcpInfo } from '@tcpinfo/tcp';
import { originalBitmasks } from './original-rules.js';

/** An address and port from INET_DIAG_LOCALS / INET_DIAG_PEERS (`struct sockaddr_storage` entries). */
export interface SocketAddress {
  readonly family: number;
  readonly address: string;
  readonly port: number;
}

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

const SIZEOF_SOCKADDR_STORAGE = 128;

function decodeSockaddrs(value: Uint8Array): SocketAddress[] {
  const out: SocketAddress[] = [];
  const b = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  for (let at = 0; at + 8 <= b.length; at += SIZEOF_SOCKADDR_STORAGE) {
    const family = b.readUInt16LE(at);
    const port = b.readUInt16BE(at + 2);
    if (family === 2) out.push({ family, port, address: formatIP(b.subarray(at + 4, at + 8)) });
    else if (family === 10 && at + 24 <= b.length) out.push({ family, port, address: formatIP(b.subarray(at + 8, at + 24)) });
  }
  return out;
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
      switch (type) {
        case 1: s.memInfo = decodeMemInfo(v); break;
        case 2: s.tcpInfo = decodeTcpInfo(v); break;
        case 3: s.vegasInfo = decodeVegasInfo(v); break;
        case 4: s.congestionAlgorithm = decodeCongestion(v); break;
        case 5: s.tos = decodeU8(v); break;
        case 6: s.tclass = decodeU8(v); break;
        case 7: s.skMemInfo = decodeSkMemInfo(v); break;
        case 8: s.shutdown = decodeU8(v); break;
        case 9: s.dctcpInfo = decodeDctcpInfo(v); break;
        case 10: s.protocol = decodeU8(v); break;
        case 11: s.skv6only = decodeU8(v) !== 0; break;
        case 12: s.locals = decodeSockaddrs(v); break;
        case 13: s.peers = decodeSockaddrs(v); break;
        case 15: s.mark = decodeU32(v); break;
        case 16: s.bbrInfo = decodeBbrInfo(v); break;
        case 17: s.classId = decodeU32(v); break;
        case 21: s.cgroupId = decodeU64(v); break;
        case 22: s.sockOpt = decodeSockOpt(v); break;
        default:
          (others ??= new Map()).set(type, v);
      }
    }
  }
  if (others !== undefined) s.otherAttributes = others;
  return record.metadata !== undefined ? { metadata: record.metadata, snapshot: s as Snapshot } : { snapshot: s as Snapshot };
}
