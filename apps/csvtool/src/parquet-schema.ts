import type { SchemaElement } from 'hyparquet-writer';
import { TCP_INFO_FIELDS } from '@tcpinfo/tcp';

/**
 * The Parquet type of each CSV column, by the column's name. The columns
 * themselves (which, in what order, how a snapshot prints in them) are the
 * CSV schema's; this table only says how a printed value is typed, so a
 * Parquet file holds the same rows and columns as the CSV of the same input.
 *
 * Kinds:
 * - `u8` … `u64`: an unsigned integer of the kernel's width (every tcp_info,
 *   inet_diag and meminfo field is unsigned in the kernel's headers). The
 *   original prints some as signed (the 64-bit tcp_info counters, SegsIn,
 *   SegsOut): such a value is taken modulo 2^width, the kernel's value (the
 *   CSV's -1 for an unlimited MaxPacingRate is 18446744073709551615 here).
 * - `hex64`: a u64 the CSV prints in hexadecimal (the socket cookie).
 * - `timestamp`: TIMESTAMP(NANOS, UTC) from the RFC 3339 text.
 * - `string`: UTF-8 text as printed (addresses, names, lists).
 * An empty CSV field (an absent attribute) is NULL in every kind.
 */
export type ParquetKind = 'u8' | 'u16' | 'u32' | 'u64' | 'hex64' | 'timestamp' | 'string';

/** One Parquet column: its (unique) name, the CSV column it comes from, and its kind. */
export interface ParquetColumn {
  /** The column's name in the file: the CSV name, suffixed `_2`, `_3` … when the CSV repeats it. */
  readonly name: string;
  /** The CSV header's name. */
  readonly csvName: string;
  readonly kind: ParquetKind;
}

const u = (bytes: number): ParquetKind => (bytes === 1 ? 'u8' : bytes === 2 ? 'u16' : bytes === 4 ? 'u32' : 'u64');

/** Columns that are not tcp_info fields, by name. */
const OTHER_KINDS: Readonly<Record<string, ParquetKind>> = {
  Timestamp: 'timestamp',
  Observed: 'u32', // bit set of the attribute types present
  NotFullyParsed: 'u32',
  'IDM.Family': 'u8',
  'IDM.State': 'u8',
  'IDM.Timer': 'u8',
  'IDM.Retrans': 'u8',
  'IDM.SockID.SPort': 'u16',
  'IDM.SockID.DPort': 'u16',
  'IDM.SockID.Src': 'string',
  'IDM.SockID.Dst': 'string',
  'IDM.SockID.Interface': 'u32',
  'IDM.SockID.Cookie': 'hex64',
  'IDM.Expires': 'u32',
  'IDM.Rqueue': 'u32',
  'IDM.Wqueue': 'u32',
  'IDM.UID': 'u32',
  'IDM.Inode': 'u32',
  CongestionAlgorithm: 'string',
  TOS: 'u8',
  TClass: 'u8',
  ClassID: 'u8',
  Shutdown: 'u8',
  Protocol: 'u8',
  Mark: 'u32',
  ...Object.fromEntries(['Rmem', 'Wmem', 'Fmem', 'Tmem'].map((n) => [`MemInfo.${n}`, 'u32'])),
  ...Object.fromEntries(
    ['RmemAlloc', 'Rcvbuf', 'WmemAlloc', 'Sndbug', 'FwdAlloc', 'WmemQueued', 'Optmem', 'Backlog', 'Drops'].map((n) => [`SKMemInfo.${n}`, 'u32']),
  ),
  ...Object.fromEntries(['Enabled', 'RTTCount', 'RTT', 'MinRTT'].map((n) => [`Vegas.${n}`, 'u32'])),
  'DCTCP.Enabled': 'u16',
  'DCTCP.CEState': 'u16',
  'DCTCP.Alpha': 'u32',
  'DCTCP.ABEcn': 'u32',
  'DCTCP.ABTot': 'u32',
  'BBR.BW': 'u64',
  'BBR.MinRTT': 'u32',
  'BBR.PacingGain': 'u32',
  'BBR.CwndGain': 'u32',
  // --columns=all
  'TCP.InfoLength': 'u32',
  SKV6Only: 'u8',
  Locals: 'string',
  Peers: 'string',
  ClassIDFull: 'u32',
  CGroupID: 'u64',
  SockOpt: 'string',
  OtherAttributes: 'string',
  UUID: 'string',
  File: 'string',
};

const pascal = (name: string) => name[0]!.toUpperCase() + name.slice(1);

/** tcp_info columns by name: the original's (goColumn) and those `--columns=all` adds (`TCP.` + PascalCase name). */
const TCP_KINDS: Readonly<Record<string, ParquetKind>> = Object.fromEntries(
  TCP_INFO_FIELDS.map((f) => [f.goColumn ?? `TCP.${pascal(f.name)}`, u(f.size)]),
);

/** The kind of a CSV column; a name this table does not know is kept as text. */
export function parquetKindOf(csvName: string): ParquetKind {
  return TCP_KINDS[csvName] ?? OTHER_KINDS[csvName] ?? 'string';
}

/** The Parquet columns of a CSV header, in its order, repeated names suffixed (`TCP.LastDataRecv_2`). */
export function parquetColumns(header: readonly string[]): ParquetColumn[] {
  const seen = new Map<string, number>();
  const taken = new Set(header);
  return header.map((csvName) => {
    const n = (seen.get(csvName) ?? 0) + 1;
    seen.set(csvName, n);
    let name = csvName;
    if (n > 1) {
      let k = n;
      while (taken.has(`${csvName}_${k}`)) k++;
      name = `${csvName}_${k}`;
      taken.add(name);
    }
    return { name, csvName, kind: parquetKindOf(csvName) };
  });
}

/**
 * The Parquet schema element of a column: every column is OPTIONAL (an empty
 * CSV field is NULL). Unsigned integers carry the converted type (UINT_8 …
 * UINT_64), which every reader maps to INTEGER(width, unsigned); not the
 * logical type as well, because hyparquet-writer 0.17 writes its bitWidth as
 * a thrift i32 where the format says i8, and DuckDB then rejects the footer.
 */
export function schemaElement(c: ParquetColumn): SchemaElement {
  const base = { name: c.name, repetition_type: 'OPTIONAL' } as const;
  switch (c.kind) {
    case 'timestamp':
      return { ...base, type: 'INT64', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'NANOS' } };
    case 'string':
      return { ...base, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } };
    case 'u64':
    case 'hex64':
      return { ...base, type: 'INT64', converted_type: 'UINT_64' };
    case 'u32':
      return { ...base, type: 'INT32', converted_type: 'UINT_32' };
    case 'u16':
      return { ...base, type: 'INT32', converted_type: 'UINT_16' };
    case 'u8':
      return { ...base, type: 'INT32', converted_type: 'UINT_8' };
  }
}
