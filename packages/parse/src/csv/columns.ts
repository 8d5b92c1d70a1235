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

/** `SlotField.attr` of a field of the inet_diag_msg (not of an attribute). */
export const IDM_FIELD = -1;

/**
 * Where a column's value lies in the record's bytes ({@link RecordSlots}), as
 * data: the column's `value` getter is derived from it (slotFieldValue), and
 * typed outputs (Parquet) read the same description to store the value
 * without the getter's per-row number, BigInt or string. csvtool's
 * parquet-typed.test.ts holds both readings to the same values.
 */
export type SlotField =
  | {
      readonly kind: 'int';
      /** The attribute type whose (zero-extended) value holds the field, or {@link IDM_FIELD}. */
      readonly attr: number;
      readonly offset: number;
      readonly width: 1 | 2 | 4 | 8;
      /** Read big-endian (ports, and the interface as the original reads it); else little-endian. */
      readonly bigEndian: boolean;
      /** A 4-byte field the original prints signed (the getter gives the s32; typed outputs store the u32). */
      readonly signed: boolean;
      /** What an absent attribute prints: an empty field, or 0 (the original's first-byte scalars and Mark). */
      readonly absent: 'empty' | 'zero';
      /** The field counts as absent unless the value is exactly this long (Mark: only a 4-byte value); -1: any length. */
      readonly exactLength: number;
    }
  /** A 16-byte address of the inet_diag_msg at `offset`, printed by formatGoIP. */
  | { readonly kind: 'address'; readonly offset: number }
  /** The record's RFC 3339 timestamp text (slots.timestamp). */
  | { readonly kind: 'timestamp' }
  /** UTF-8 text: an attribute's value without its last `dropLast` bytes (empty when absent). */
  | { readonly kind: 'text'; readonly attr: number; readonly dropLast: number };

/** One CSV column: its header, the type of its values and how a row prints in it. */
export interface CsvColumn {
  readonly name: string;
  readonly type: CsvColumnType;
  /** The row's value; undefined (or '') is an empty field. */
  readonly value: (row: CsvRowSource) => string | number | bigint | undefined;
  /** Where the value lies in the record's bytes, when it is one field of them (the getter reads it so). */
  readonly field?: SlotField;
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

/**
 * Byte offset of an `int` field's value in the slots, or -1 when its
 * attribute (or the inet_diag_msg) is absent or not of the exact length asked.
 */
export function slotFieldAt(s: RecordSlots, f: Extract<SlotField, { kind: 'int' }>): number {
  if (f.attr === IDM_FIELD) return s.idmAt < 0 ? -1 : s.idmAt + f.offset;
  const o = at(s, f.attr);
  if (o < 0 || (f.exactLength >= 0 && s.length[f.attr] !== f.exactLength)) return -1;
  return o + f.offset;
}

/** The value of an `int` field as the CSV prints it: a number, an int64 as bigint, the cookie as hexadecimal text. */
function intValue(s: RecordSlots, f: Extract<SlotField, { kind: 'int' }>, type: CsvColumnType): string | number | bigint | undefined {
  const a = slotFieldAt(s, f);
  if (a < 0) return f.absent === 'zero' ? 0 : undefined;
  const b = s.bytes;
  switch (f.width) {
    case 1:
      return b[a]!;
    case 2:
      return f.bigEndian ? b.readUInt16BE(a) : b.readUInt16LE(a);
    case 4:
      return f.bigEndian ? b.readUInt32BE(a) : f.signed ? b.readInt32LE(a) : b.readUInt32LE(a);
    case 8:
      // every 64-bit field is int64 in the original; the cookie prints in hexadecimal
      return type === 'hex64' ? b.readBigUInt64LE(a).toString(16).toUpperCase() : b.readBigInt64LE(a);
  }
}

/** A column that is one integer field of the record's bytes: its getter is derived from the field. */
function intColumn(name: string, type: CsvColumnType, attr: number, offset: number, width: 1 | 2 | 4 | 8, more: Partial<Pick<Extract<SlotField, { kind: 'int' }>, 'bigEndian' | 'absent' | 'exactLength'>> = {}): CsvColumn {
  const field: SlotField = { kind: 'int', attr, offset, width, bigEndian: more.bigEndian ?? false, signed: type === 'i32', absent: more.absent ?? 'empty', exactLength: more.exactLength ?? -1 }; // one shape for every int field
  return { name, type, field, value: ({ slots }) => intValue(slots, field, type) };
}
/** An inet_diag_msg field (empty when the record has none). */
const idm = (name: string, type: CsvColumnType, offset: number, width: 1 | 2 | 4 | 8, bigEndian = false): CsvColumn =>
  intColumn(`IDM.${name}`, type, IDM_FIELD, offset, width, { bigEndian });
/** An address of the inet_diag_msg (empty when the record has none). */
function idmAddress(name: string, offset: number): CsvColumn {
  return {
    name: `IDM.${name}`,
    type: 'string',
    field: { kind: 'address', offset },
    value: ({ slots: s }) => (s.idmAt < 0 ? undefined : formatGoIP(s.bytes.subarray(s.idmAt + offset, s.idmAt + offset + 16))),
  };
}
type TextField = Extract<SlotField, { kind: 'text' }>;
/** Where a `text` field's value begins in the slots; -1 when the attribute is absent. */
export const slotTextStart = (s: RecordSlots, f: TextField): number => at(s, f.attr);
/** Where a `text` field's value (which begins at `start`) ends in the slots. */
export const slotTextEnd = (s: RecordSlots, f: TextField, start: number): number => start + Math.max(0, s.length[f.attr]! - f.dropLast);
/** A column of an attribute's value as UTF-8 text, without its last `dropLast` bytes (empty when absent). */
function textColumn(name: string, attr: number, dropLast: number): CsvColumn {
  const field: TextField = { kind: 'text', attr, dropLast };
  return {
    name,
    type: 'string',
    field,
    value: ({ slots }) => {
      const o = slotTextStart(slots, field);
      return o < 0 ? undefined : slots.bytes.toString('utf8', o, slotTextEnd(slots, field, o));
    },
  };
}
/** A field at `offset` of a struct attribute (empty when the attribute is absent). */
const struct = (name: string, type: CsvColumnType, attr: number, offset: number, width: 1 | 2 | 4 | 8): CsvColumn => intColumn(name, type, attr, offset, width);
/** A scalar the original reads as the value's first byte (0 when absent). */
const firstByte = (name: string, attr: number): CsvColumn => intColumn(name, 'u8', attr, 0, 1, { absent: 'zero' });
const u32s = (prefix: string, attr: number, names: readonly string[]): CsvColumn[] =>
  names.map((n, i) => struct(`${prefix}.${n}`, 'u32', attr, 4 * i, 4));

const TCP_ORIGINAL = TCP_INFO_FIELDS.filter((f) => f.goColumn !== undefined);

/**
 * The original csvtool's 105 columns, its spellings and quirks included (the
 * duplicated TCP.LastDataRecv, SKMemInfo.Sndbug), as it prints them.
 */
export const ORIGINAL_COLUMNS: readonly CsvColumn[] = [
  {
    name: 'Timestamp',
    type: 'timestamp',
    field: { kind: 'timestamp' },
    value: ({ slots }) => {
      const text = slots.timestamp.toString('latin1', 0, slots.timestampLength);
      return text === ZERO_TIME ? ZERO_TIME_IN_CSV : text;
    },
  },
  { name: 'Observed', type: 'u32', value: ({ slots }) => slotsObserved(slots) },
  { name: 'NotFullyParsed', type: 'u32', value: ({ slots }) => slotsNotFullyParsed(slots) },
  idm('Family', 'u8', IDIAG_FAMILY_OFFSET, 1),
  idm('State', 'u8', IDIAG_STATE_OFFSET, 1),
  idm('Timer', 'u8', IDIAG_TIMER_OFFSET, 1),
  idm('Retrans', 'u8', IDIAG_RETRANS_OFFSET, 1),
  idm('SockID.SPort', 'u16', IDIAG_SPORT_OFFSET, 2, true),
  idm('SockID.DPort', 'u16', IDIAG_DPORT_OFFSET, 2, true),
  idmAddress('SockID.Src', IDIAG_SRC_OFFSET),
  idmAddress('SockID.Dst', IDIAG_DST_OFFSET),
  idm('SockID.Interface', 'u32', IDIAG_INTERFACE_OFFSET, 4, true), // big-endian, as the original reads it
  idm('SockID.Cookie', 'hex64', IDIAG_COOKIE_OFFSET, 8),
  idm('Expires', 'u32', IDIAG_EXPIRES_OFFSET, 4),
  idm('Rqueue', 'u32', IDIAG_RQUEUE_OFFSET, 4),
  idm('Wqueue', 'u32', IDIAG_WQUEUE_OFFSET, 4),
  idm('UID', 'u32', IDIAG_UID_OFFSET, 4),
  idm('Inode', 'u32', IDIAG_INODE_OFFSET, 4),
  textColumn('CongestionAlgorithm', INET_DIAG_CONG, 1), // without the NUL, as the original drops it
  firstByte('TOS', INET_DIAG_TOS),
  firstByte('TClass', INET_DIAG_TCLASS),
  firstByte('ClassID', INET_DIAG_CLASS_ID),
  firstByte('Shutdown', INET_DIAG_SHUTDOWN),
  firstByte('Protocol', INET_DIAG_PROTOCOL),
  intColumn('Mark', 'u32', INET_DIAG_MARK, 0, 4, { absent: 'zero', exactLength: 4 }),
  ...TCP_ORIGINAL.map((f) =>
    // every 64-bit field is int64 in the original
    struct(f.goColumn!, f.size === 8 ? 'i64' : f.size === 1 ? 'u8' : f.size === 2 ? 'u16' : f.signed ? 'i32' : 'u32', INET_DIAG_INFO, f.offset, f.size as 1 | 2 | 4 | 8),
  ),
  ...u32s('MemInfo', INET_DIAG_MEMINFO, ['Rmem', 'Wmem', 'Fmem', 'Tmem']),
  ...u32s('SKMemInfo', INET_DIAG_SKMEMINFO, ['RmemAlloc', 'Rcvbuf', 'WmemAlloc', 'Sndbug', 'FwdAlloc', 'WmemQueued', 'Optmem', 'Backlog', 'Drops']),
  ...u32s('Vegas', INET_DIAG_VEGASINFO, ['Enabled', 'RTTCount', 'RTT', 'MinRTT']),
  struct('DCTCP.Enabled', 'u16', INET_DIAG_DCTCPINFO, 0, 2),
  struct('DCTCP.CEState', 'u16', INET_DIAG_DCTCPINFO, 2, 2),
  ...u32s('DCTCP', INET_DIAG_DCTCPINFO, ['', 'Alpha', 'ABEcn', 'ABTot']).slice(1), // u32s from offset 4
  struct('BBR.BW', 'i64', INET_DIAG_BBRINFO, 0, 8),
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
    const named = COLUMNS_BY_NAME.get(name);
    if (named === undefined) throw new TypeError(`unknown CSV column ${JSON.stringify(name)} (see CSV_COLUMNS)`);
    const k = seen.get(name) ?? 0;
    seen.set(name, k + 1);
    return named[Math.min(k, named.length - 1)]!;
  });
}

const EVERY_COLUMN: readonly CsvColumn[] = [...ORIGINAL_COLUMNS, ...ALL_EXTRA_COLUMNS, ...KEY_COLUMNS];

/**
 * Every column under its name, in {@link EVERY_COLUMN}'s order (a name the
 * original repeats has two): tcpinfo-csv resolves its column
 * list for every input file, and a filter over every column per name was
 * ~8 % of its CPU on 1,000 small files.
 */
const COLUMNS_BY_NAME = new Map<string, CsvColumn[]>();
for (const c of EVERY_COLUMN) {
  const list = COLUMNS_BY_NAME.get(c.name);
  if (list === undefined) COLUMNS_BY_NAME.set(c.name, [c]);
  else list.push(c);
}
