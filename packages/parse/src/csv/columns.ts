import {
  formatGoIP,
  IDIAG_COOKIE_OFFSET, IDIAG_DPORT_OFFSET, IDIAG_DST_OFFSET, IDIAG_EXPIRES_OFFSET, IDIAG_FAMILY_OFFSET, IDIAG_INODE_OFFSET,
  IDIAG_INTERFACE_OFFSET, IDIAG_RETRANS_OFFSET, IDIAG_RQUEUE_OFFSET, IDIAG_SPORT_OFFSET, IDIAG_SRC_OFFSET, IDIAG_STATE_OFFSET,
  IDIAG_TIMER_OFFSET, IDIAG_UID_OFFSET, IDIAG_WQUEUE_OFFSET,
  INET_DIAG_BBRINFO, INET_DIAG_CLASS_ID, INET_DIAG_CONG, INET_DIAG_DCTCPINFO, INET_DIAG_INFO, INET_DIAG_MARK, INET_DIAG_MEMINFO,
  INET_DIAG_PROTOCOL, INET_DIAG_SHUTDOWN, INET_DIAG_SKMEMINFO, INET_DIAG_TCLASS, INET_DIAG_TOS, INET_DIAG_VEGASINFO,
} from '@tcpinfo/inetdiag';
import { TCP_INFO_FIELDS, tcpInfoField } from '@tcpinfo/tcp';
import type { Snapshot } from '../snapshot.js';
import { slotsNotFullyParsed, slotsObserved } from './raw-row.js';
import { RecordSlots } from './record-slots.js';

/**
 * The CSV schema: every column toCsv can write, as data (name, type, value).
 * The original csvtool's 105 columns read the record's bytes as the original
 * does (its struct offsets, zero-extension, first-byte scalars), from a
 * {@link RecordSlots}; the columns it cannot show read the typed snapshot;
 * `UUID` and `File` say which connection and file a row comes from. The
 * byte-level row writer (raw-row.ts) prints the original columns without this
 * table, faster; csv-columns.property.test.ts proves both give the same rows.
 */

/** What a column's values are, for typed outputs (Parquet …). */
export type CsvColumnType =
  /** RFC 3339 text with nanoseconds (the zero time prints as the original does). */
  | 'timestamp'
  | 'u8' | 'u16' | 'u32' | 'u64'
  /** A kernel u32 the original prints as int32. */
  | 'i32'
  /** A kernel 64-bit counter the original prints as int64. */
  | 'i64'
  /** A u64 printed in upper-case hexadecimal (the socket cookie). */
  | 'hex64'
  | 'string';

/** What a column's value is computed from: one row of the output. */
export interface CsvRowSource {
  readonly snapshot: Snapshot;
  /** The record's bytes as the original reads them (valid for this row only). */
  readonly slots: RecordSlots;
  /** The UUID of the file's last header record before this row, if any. */
  readonly uuid: string | undefined;
  /** Where the row was read from (the path, `<stdin>` …). */
  readonly file: string;
}

/** One CSV column: its header, the type of its values and how a row prints in it. */
export interface CsvColumn {
  readonly name: string;
  readonly type: CsvColumnType;
  /** The row's value; undefined (or '') is an empty field. */
  readonly value: (row: CsvRowSource) => string | number | bigint | undefined;
}

/** @deprecated the former name of {@link CsvColumn} (a value from the snapshot only). */
export interface Column {
  readonly name: string;
  readonly value: (s: Snapshot) => string;
}

const ZERO_TIME = '0001-01-01T00:00:00Z';
/** What the original prints for the zero time (its CSV library's quirk; the reference CSVs say so). */
export const ZERO_TIME_IN_CSV = '2009-05-29T23:59:59Z';

/** Offset of attribute `type`'s zero-extended value in the slots, -1 when absent. */
const at = (s: RecordSlots, type: number): number => (type < s.count ? s.start[type]! : -1);
const u32 = (s: RecordSlots, o: number) => s.bytes.readUInt32LE(o);

/** An inet_diag_msg field (empty when the record has none). */
function idm(name: string, type: CsvColumnType, read: (s: RecordSlots, m: number) => string | number): CsvColumn {
  return { name: `IDM.${name}`, type, value: ({ slots }) => (slots.idmAt < 0 ? undefined : read(slots, slots.idmAt)) };
}
/** A field at `offset` of a struct attribute (empty when the attribute is absent). */
function struct(name: string, type: CsvColumnType, attr: number, read: (s: RecordSlots, o: number) => number | bigint): CsvColumn {
  return {
    name,
    type,
    value: ({ slots }) => {
      const o = at(slots, attr);
      return o < 0 ? undefined : read(slots, o);
    },
  };
}
/** A scalar the original reads as the value's first byte (0 when absent). */
function firstByte(name: string, attr: number): CsvColumn {
  return { name, type: 'u8', value: ({ slots }) => { const o = at(slots, attr); return o < 0 ? 0 : slots.bytes[o]!; } };
}
const u32s = (prefix: string, attr: number, names: readonly string[]): CsvColumn[] =>
  names.map((n, i) => struct(`${prefix}.${n}`, 'u32', attr, (s, o) => u32(s, o + 4 * i)));

const TCP_ORIGINAL = TCP_INFO_FIELDS.filter((f) => f.goColumn !== undefined);

/**
 * The original csvtool's 105 columns, its spellings and quirks included (the
 * duplicated TCP.LastDataRecv, SKMemInfo.Sndbug), as it prints them.
 */
export const ORIGINAL_COLUMNS: readonly CsvColumn[] = [
  {
    name: 'Timestamp',
    type: 'timestamp',
    value: ({ slots }) => {
      const text = slots.timestamp.toString('latin1', 0, slots.timestampLength);
      return text === ZERO_TIME ? ZERO_TIME_IN_CSV : text;
    },
  },
  { name: 'Observed', type: 'u32', value: ({ slots }) => slotsObserved(slots) },
  { name: 'NotFullyParsed', type: 'u32', value: ({ slots }) => slotsNotFullyParsed(slots) },
  idm('Family', 'u8', (s, m) => s.bytes[m + IDIAG_FAMILY_OFFSET]!),
  idm('State', 'u8', (s, m) => s.bytes[m + IDIAG_STATE_OFFSET]!),
  idm('Timer', 'u8', (s, m) => s.bytes[m + IDIAG_TIMER_OFFSET]!),
  idm('Retrans', 'u8', (s, m) => s.bytes[m + IDIAG_RETRANS_OFFSET]!),
  idm('SockID.SPort', 'u16', (s, m) => s.bytes.readUInt16BE(m + IDIAG_SPORT_OFFSET)),
  idm('SockID.DPort', 'u16', (s, m) => s.bytes.readUInt16BE(m + IDIAG_DPORT_OFFSET)),
  idm('SockID.Src', 'string', (s, m) => formatGoIP(s.bytes.subarray(m + IDIAG_SRC_OFFSET, m + IDIAG_SRC_OFFSET + 16))),
  idm('SockID.Dst', 'string', (s, m) => formatGoIP(s.bytes.subarray(m + IDIAG_DST_OFFSET, m + IDIAG_DST_OFFSET + 16))),
  idm('SockID.Interface', 'u32', (s, m) => s.bytes.readUInt32BE(m + IDIAG_INTERFACE_OFFSET)), // big-endian, as the original reads it
  idm('SockID.Cookie', 'hex64', (s, m) => s.bytes.readBigUInt64LE(m + IDIAG_COOKIE_OFFSET).toString(16).toUpperCase()),
  idm('Expires', 'u32', (s, m) => u32(s, m + IDIAG_EXPIRES_OFFSET)),
  idm('Rqueue', 'u32', (s, m) => u32(s, m + IDIAG_RQUEUE_OFFSET)),
  idm('Wqueue', 'u32', (s, m) => u32(s, m + IDIAG_WQUEUE_OFFSET)),
  idm('UID', 'u32', (s, m) => u32(s, m + IDIAG_UID_OFFSET)),
  idm('Inode', 'u32', (s, m) => u32(s, m + IDIAG_INODE_OFFSET)),
  {
    name: 'CongestionAlgorithm',
    type: 'string',
    // The value without its last byte (the original drops the NUL).
    value: ({ slots }) => {
      const o = at(slots, INET_DIAG_CONG);
      return o < 0 ? undefined : slots.bytes.toString('utf8', o, o + Math.max(0, slots.length[INET_DIAG_CONG]! - 1));
    },
  },
  firstByte('TOS', INET_DIAG_TOS),
  firstByte('TClass', INET_DIAG_TCLASS),
  firstByte('ClassID', INET_DIAG_CLASS_ID),
  firstByte('Shutdown', INET_DIAG_SHUTDOWN),
  firstByte('Protocol', INET_DIAG_PROTOCOL),
  { name: 'Mark', type: 'u32', value: ({ slots }) => { const o = at(slots, INET_DIAG_MARK); return o >= 0 && slots.length[INET_DIAG_MARK] === 4 ? u32(slots, o) : 0; } },
  ...TCP_ORIGINAL.map((f) =>
    struct(f.goColumn!, f.size === 8 ? 'i64' : f.size === 1 ? 'u8' : f.size === 2 ? 'u16' : f.signed ? 'i32' : 'u32', INET_DIAG_INFO, (s, o) => {
      const a = o + f.offset;
      if (f.size === 1) return s.bytes[a]!;
      if (f.size === 2) return s.bytes.readUInt16LE(a);
      if (f.size === 8) return s.bytes.readBigInt64LE(a); // every 64-bit field is int64 in the original
      return f.signed ? s.bytes.readInt32LE(a) : s.bytes.readUInt32LE(a);
    }),
  ),
  ...u32s('MemInfo', INET_DIAG_MEMINFO, ['Rmem', 'Wmem', 'Fmem', 'Tmem']),
  ...u32s('SKMemInfo', INET_DIAG_SKMEMINFO, ['RmemAlloc', 'Rcvbuf', 'WmemAlloc', 'Sndbug', 'FwdAlloc', 'WmemQueued', 'Optmem', 'Backlog', 'Drops']),
  ...u32s('Vegas', INET_DIAG_VEGASINFO, ['Enabled', 'RTTCount', 'RTT', 'MinRTT']),
  struct('DCTCP.Enabled', 'u16', INET_DIAG_DCTCPINFO, (s, o) => s.bytes.readUInt16LE(o)),
  struct('DCTCP.CEState', 'u16', INET_DIAG_DCTCPINFO, (s, o) => s.bytes.readUInt16LE(o + 2)),
  ...u32s('DCTCP', INET_DIAG_DCTCPINFO, ['', 'Alpha', 'ABEcn', 'ABTot']).slice(1), // u32s from offset 4
  struct('BBR.BW', 'i64', INET_DIAG_BBRINFO, (s, o) => s.bytes.readBigInt64LE(o)),
  ...u32s('BBR', INET_DIAG_BBRINFO, ['', '', 'MinRTT', 'PacingGain', 'CwndGain']).slice(2), // u32s from offset 8
];

/** The original csvtool's 105 column names (see {@link ORIGINAL_COLUMNS}). */
export const ORIGINAL_COLUMN_NAMES: readonly string[] = ORIGINAL_COLUMNS.map((c) => c.name);

const pascal = (name: string) => name[0]!.toUpperCase() + name.slice(1);
const addresses = (list: Snapshot['locals']) =>
  list === undefined ? '' : list.map((a) => (a.family === 10 ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`)).join(' ');

/** Columns the original cannot show (from the typed snapshot), appended by `columns: 'all'`. */
export const EXTRA_COLUMNS: readonly Column[] = [
  ...TCP_INFO_FIELDS.filter((f) => f.goColumn === undefined).map((f): Column => ({
    name: `TCP.${pascal(f.name)}`,
    value: (s) => {
      const info = s.tcpInfo;
      if (info === undefined) return '';
      const v = tcpInfoField(info, f); // not info[f.name]: a getter looked up by a variable name is a slow load
      return v === undefined ? '' : String(v);
    },
  })),
  { name: 'TCP.InfoLength', value: (s) => (s.tcpInfo === undefined ? '' : String(s.tcpInfo.length)) },
  { name: 'SKV6Only', value: (s) => (s.skv6only === undefined ? '' : s.skv6only ? '1' : '0') },
  { name: 'Locals', value: (s) => addresses(s.locals) },
  { name: 'Peers', value: (s) => addresses(s.peers) },
  { name: 'ClassIDFull', value: (s) => (s.classId === undefined ? '' : String(s.classId)) },
  { name: 'CGroupID', value: (s) => (s.cgroupId === undefined ? '' : String(s.cgroupId)) },
  {
    name: 'SockOpt',
    value: (s) => {
      const o = s.sockOpt;
      if (o === undefined) return '';
      return Object.entries(o)
        .filter(([k, v]) => v === true && k !== 'longer')
        .map(([k]) => k)
        .join('|');
    },
  },
  {
    name: 'OtherAttributes',
    value: (s) => (s.otherAttributes === undefined ? '' : [...s.otherAttributes.keys()].join('|')),
  },
];

/** Types of the extra columns, by name (tcp_info fields by width; the rest text). */
function extraType(name: string): CsvColumnType {
  const f = TCP_INFO_FIELDS.find((x) => x.goColumn === undefined && `TCP.${pascal(x.name)}` === name);
  if (f !== undefined) return f.size === 8 ? 'u64' : f.size === 1 ? 'u8' : f.size === 2 ? 'u16' : f.signed ? 'i32' : 'u32';
  if (name === 'TCP.InfoLength' || name === 'ClassIDFull') return 'u32';
  if (name === 'CGroupID') return 'u64';
  if (name === 'SKV6Only') return 'u8';
  return 'string';
}

/** The columns `columns: 'all'` adds after the original's, as {@link CsvColumn}s. */
export const ALL_EXTRA_COLUMNS: readonly CsvColumn[] = EXTRA_COLUMNS.map((c) => ({ name: c.name, type: extraType(c.name), value: ({ snapshot }) => c.value(snapshot) }));

/** Which connection and file a row comes from: not in the original, named in a column list or added by tcpinfo-csv --keys. */
export const KEY_COLUMNS: readonly CsvColumn[] = [
  { name: 'UUID', type: 'string', value: ({ uuid }) => uuid },
  { name: 'File', type: 'string', value: ({ file }) => file },
];

/** Every column by name (the first of a repeated name: the original repeats TCP.LastDataRecv with the same value). */
export const CSV_COLUMNS: ReadonlyMap<string, CsvColumn> = (() => {
  const m = new Map<string, CsvColumn>();
  for (const c of [...ORIGINAL_COLUMNS, ...ALL_EXTRA_COLUMNS, ...KEY_COLUMNS]) if (!m.has(c.name)) m.set(c.name, c);
  return m;
})();

/** Column sets by name: `original` (the original's 105), `all` (plus what it cannot show). */
export type ColumnSet = 'original' | 'all';

/**
 * The columns of a set or a list of names; throws a TypeError naming an
 * unknown column. A repeated name takes the next column of that name (the
 * original's second TCP.LastDataRecv is tcpi_last_ack_recv), then the last.
 */
export function csvColumns(columns: ColumnSet | readonly string[] = 'original'): readonly CsvColumn[] {
  if (columns === 'original') return ORIGINAL_COLUMNS;
  if (columns === 'all') return [...ORIGINAL_COLUMNS, ...ALL_EXTRA_COLUMNS];
  const seen = new Map<string, number>();
  return columns.map((name) => {
    const named = EVERY_COLUMN.filter((c) => c.name === name);
    if (named.length === 0) throw new TypeError(`unknown CSV column ${JSON.stringify(name)} (see CSV_COLUMNS)`);
    const k = seen.get(name) ?? 0;
    seen.set(name, k + 1);
    return named[Math.min(k, named.length - 1)]!;
  });
}

const EVERY_COLUMN: readonly CsvColumn[] = [...ORIGINAL_COLUMNS, ...ALL_EXTRA_COLUMNS, ...KEY_COLUMNS];
