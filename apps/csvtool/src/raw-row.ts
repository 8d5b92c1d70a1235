import { formatGoIP } from '@tcpinfo/inetdiag';
import { ArchivalRecord } from '@tcpinfo/netlink';
import { originalBitmasks } from '@tcpinfo/parse';
import { SIZEOF_TCP_INFO_ORIGINAL, TCP_INFO_FIELDS } from '@tcpinfo/tcp';

/**
 * The default CSV's hot path. A row of the original's 105 columns is printed
 * straight from the record's bytes at the original's offsets, with the
 * original's zero-extension rules, without building a typed snapshot. Lines in
 * the canonical form Go writes are read with JSON.parse and their base64 decoded
 * into one reused scratch buffer; anything else goes through
 * ArchivalRecord.parseLine, which also produces the error for bad lines.
 */

/** A record's parts as views: timestamp text, inet_diag_msg, attribute values by type. */
export interface RawRecordView {
  timestamp: string;
  idm: Buffer | undefined;
  attrs: (Buffer | null)[];
}

const ZERO_TIME = '0001-01-01T00:00:00Z';
/** What the original prints for the zero time (its CSV library's quirk; the reference CSVs say so). */
const ZERO_TIME_IN_CSV = '2009-05-29T23:59:59Z';
/** RFC 3339 exactly as Go's RFC3339Nano writes it (no trailing zeros in the fraction). */
const CANONICAL_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{0,8}[1-9])?(?:Z|[+-]\d\d:\d\d)$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const KNOWN_KEYS = new Set(['Timestamp', 'RawIDM', 'Attributes', 'Metadata']);

let scratch = Buffer.alloc(64 * 1024);
const view: RawRecordView = { timestamp: '', idm: undefined, attrs: [] };

/** Field ranges of a CANONICAL_TIME match (month 1-12, day 1-31, hour < 24, minute and second < 60). */
function plausibleTime(ts: string): boolean {
  const n = (at: number) => (ts.charCodeAt(at) - 48) * 10 + ts.charCodeAt(at + 1) - 48;
  const month = n(5);
  const day = n(8);
  return month >= 1 && month <= 12 && day >= 1 && day <= 31 && n(11) < 24 && n(14) < 60 && n(17) < 60;
}

/** Decodes canonical base64 into the scratch buffer at `at`; undefined when not canonical. */
function b64(text: string, at: number): Buffer | undefined {
  if (text.length % 4 !== 0 || !BASE64.test(text)) return undefined;
  const need = at + (text.length / 4) * 3;
  if (need > scratch.length) return undefined;
  const n = scratch.write(text, at, 'base64');
  return scratch.subarray(at, at + n);
}

/**
 * A line as a view (valid until the next call), or undefined when the line is
 * not in canonical form (the caller then uses {@link viewOfRecord} on a parsed record).
 */
export function fastView(line: string): RawRecordView | undefined {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return undefined;
  const rec = o as Record<string, unknown>;
  for (const k in rec) if (!KNOWN_KEYS.has(k)) return undefined;
  const ts = rec.Timestamp;
  if (typeof ts !== 'string' || (ts !== ZERO_TIME && !(CANONICAL_TIME.test(ts) && plausibleTime(ts)))) return undefined;
  // Header records are one per file: let the full parser validate their metadata.
  if (rec.Metadata !== undefined) return undefined;
  const total = line.length;
  if (total > scratch.length) scratch = Buffer.alloc(Math.max(total, scratch.length * 2));
  let at = 0;
  view.timestamp = ts;
  view.idm = undefined;
  view.attrs.length = 0;
  if (rec.RawIDM !== undefined) {
    if (typeof rec.RawIDM !== 'string') return undefined;
    const idm = b64(rec.RawIDM, at);
    if (idm === undefined || (idm.length !== 0 && idm.length < 72)) return undefined;
    if (idm.length > 0) view.idm = idm;
    at += idm.length;
  }
  const attrs = rec.Attributes;
  if (attrs !== undefined && attrs !== null) {
    if (!Array.isArray(attrs) || attrs.length > 39) return undefined;
    for (const a of attrs) {
      if (a === null) {
        view.attrs.push(null);
        continue;
      }
      if (typeof a !== 'string') return undefined;
      const v = b64(a, at);
      if (v === undefined) return undefined;
      view.attrs.push(v);
      at += v.length;
    }
  }
  if (view.idm === undefined) return undefined; // let the full parser judge
  return view;
}

/** The view of an already parsed record. */
export function viewOfRecord(record: ArchivalRecord): RawRecordView {
  const toBuf = (v: Uint8Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return {
    timestamp: record.timestamp.toString(),
    idm: record.rawIdm !== undefined && record.rawIdm.length > 0 ? toBuf(record.rawIdm) : undefined,
    attrs: (record.attributes ?? []).map((v) => (v == null ? null : toBuf(v))),
  };
}

const TCP_ORIGINAL = TCP_INFO_FIELDS.filter((f) => f.goColumn !== undefined);
/** A fixed-size struct value zero-extended to `size` bytes (the original's maybeCopy). */
function extended(v: Buffer, size: number): Buffer {
  if (v.length >= size) return v;
  const out = Buffer.alloc(size);
  v.copy(out);
  return out;
}

function u32s(v: Buffer | null | undefined, count: number): string {
  if (v == null) return ','.repeat(count - 1);
  const b = extended(v, count * 4);
  let s = String(b.readUInt32LE(0));
  for (let i = 1; i < count; i++) s += ',' + b.readUInt32LE(4 * i);
  return s;
}

/**
 * An int64 (little-endian) as decimal text. Counters fit in 53 bits, where the
 * two 32-bit halves combine exactly in a double; beyond that, BigInt.
 */
function int64Text(b: Buffer, at: number): string {
  const hi = b.readInt32LE(at + 4);
  if (hi >= -0x200000 && hi < 0x200000) return String(hi * 0x100000000 + b.readUInt32LE(at));
  return String(b.readBigInt64LE(at));
}

/** Quotes a field as Go's encoding/csv does (only when needed). */
export function csvField(text: string): string {
  if (text === '') return text;
  if (!/[",\r\n]/.test(text) && text[0] !== ' ' && text[0] !== '\t' && text !== '\\.') return text;
  return '"' + text.replace(/"/g, '""') + '"';
}

/** The original's 105 columns of one record, joined by commas (no newline). */
export function formatOriginalRow(r: RawRecordView): string {
  const a = r.attrs;
  const { observed, notFullyParsed } = originalBitmasks(a);
  // Timestamps and addresses never hold a character that needs quoting.
  let row = (r.timestamp === ZERO_TIME ? ZERO_TIME_IN_CSV : r.timestamp) + ',' + observed + ',' + notFullyParsed + ',';
  const m = r.idm;
  if (m === undefined) {
    row += ',,,,,,,,,,,,,,,';
  } else {
    row +=
      m[0] + ',' + m[1] + ',' + m[2] + ',' + m[3] + ',' + m.readUInt16BE(4) + ',' + m.readUInt16BE(6) + ',' +
      formatGoIP(m.subarray(8, 24)) + ',' + formatGoIP(m.subarray(24, 40)) + ',' +
      m.readUInt32BE(40) + ',' + m.readBigUInt64LE(44).toString(16).toUpperCase() + ',' +
      m.readUInt32LE(52) + ',' + m.readUInt32LE(56) + ',' + m.readUInt32LE(60) + ',' + m.readUInt32LE(64) + ',' + m.readUInt32LE(68) + ',';
  }
  // CongestionAlgorithm: the original drops the value's last byte (its NUL).
  const cong = a[4];
  row += (cong == null || cong.length === 0 ? '' : csvField(cong.toString('utf8', 0, cong.length - 1))) + ',';
  // TOS, TClass, ClassID, Shutdown, Protocol: the first byte; Mark only when exactly 4 bytes.
  row += (a[5]?.[0] ?? 0) + ',' + (a[6]?.[0] ?? 0) + ',' + (a[17]?.[0] ?? 0) + ',' + (a[8]?.[0] ?? 0) + ',' + (a[10]?.[0] ?? 0) + ',';
  const mark = a[15];
  row += (mark != null && mark.length === 4 ? mark.readUInt32LE(0) : 0) + ',';
  const info = a[2];
  if (info == null) {
    row += ','.repeat(TCP_ORIGINAL.length);
  } else {
    const b = info.length >= SIZEOF_TCP_INFO_ORIGINAL ? info : extended(info, SIZEOF_TCP_INFO_ORIGINAL);
    for (const f of TCP_ORIGINAL) {
      switch (f.size) {
        case 1: row += b[f.offset]; break;
        case 2: row += b.readUInt16LE(f.offset); break;
        case 4: row += f.signed ? b.readInt32LE(f.offset) : b.readUInt32LE(f.offset); break;
        case 8: row += int64Text(b, f.offset); break; // every 64-bit field is int64 in the original
      }
      row += ',';
    }
  }
  row += u32s(a[1], 4) + ',' + u32s(a[7], 9) + ',' + u32s(a[3], 4) + ',';
  const dctcp = a[9];
  if (dctcp == null) {
    row += ',,,,,';
  } else {
    const d = extended(dctcp, 16);
    row += d.readUInt16LE(0) + ',' + d.readUInt16LE(2) + ',' + d.readUInt32LE(4) + ',' + d.readUInt32LE(8) + ',' + d.readUInt32LE(12) + ',';
  }
  const bbr = a[16];
  if (bbr == null) {
    row += ',,,';
  } else {
    const d = extended(bbr, 24);
    row += int64Text(d, 0) + ',' + d.readUInt32LE(8) + ',' + d.readUInt32LE(12) + ',' + d.readUInt32LE(16);
  }
  return row;
}
