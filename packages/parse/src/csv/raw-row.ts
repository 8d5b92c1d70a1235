import { ASCII } from '@tcpinfo/go-format';
import {
  originalParsesFully,
  IDIAG_COOKIE_HI_OFFSET, IDIAG_COOKIE_LO_OFFSET, IDIAG_DPORT_OFFSET, IDIAG_DST_OFFSET, IDIAG_EXPIRES_OFFSET, IDIAG_INTERFACE_OFFSET,
  IDIAG_SPORT_OFFSET, IDIAG_SRC_OFFSET, SIZEOF_INET_DIAG_MSG,
  INET_DIAG_BBRINFO, INET_DIAG_CLASS_ID, INET_DIAG_CONG, INET_DIAG_DCTCPINFO, INET_DIAG_INFO, INET_DIAG_MARK, INET_DIAG_MEMINFO,
  INET_DIAG_PROTOCOL, INET_DIAG_SHUTDOWN, INET_DIAG_SKMEMINFO, INET_DIAG_TCLASS, INET_DIAG_TOS, INET_DIAG_VEGASINFO,
} from '@tcpinfo/inetdiag';
import { DEFAULT_MAX_ATTRIBUTES } from '@tcpinfo/netlink';
import { originalBit } from '../original-rules.js';
import { TCP_INFO_FIELDS } from '@tcpinfo/tcp';
import type { ByteOutput } from './byte-output.js';
import { putAddressText, u32le } from './address-text.js';
import { putAscii, putBytes, putHex32, putInt, putUint } from './put-text.js';
import { HOST_IS_LITTLE_ENDIAN, type AttributeLayout, type RecordSlots } from './record-slots.js';

/**
 * The default CSV's row: the original's 105 columns printed straight from a
 * record's bytes (RecordSlots) at the original's offsets, with its
 * zero-extension rules, as bytes into a ByteOutput — no typed snapshot, no
 * strings per field.
 */

const ZERO_TIME = '0001-01-01T00:00:00Z';
/** What the original prints for the zero time (its CSV library's quirk; the reference CSVs say so). */
const ZERO_TIME_IN_CSV = '2009-05-29T23:59:59Z';
const ZERO_TIME_BYTES = Uint8Array.from(ZERO_TIME, (c) => c.charCodeAt(0));
function isZeroTime(s: RecordSlots): boolean {
  if (s.timestampLength !== ZERO_TIME_BYTES.length) return false;
  for (let i = 0; i < ZERO_TIME_BYTES.length; i++) if (s.timestamp[i] !== ZERO_TIME_BYTES[i]) return false;
  return true;
}
/** Room for every fixed-width part of a row: 105 fields of at most 20 characters, two addresses and a timestamp. */
const ROW_ROOM = 4096;

const { COMMA, QUOTE, CARRIAGE_RETURN, NEWLINE } = ASCII;
/** TOS, TClass, ClassID, Shutdown, Protocol: attribute types of the columns printed as the value's first byte. */
const FIRST_BYTE_COLUMNS = [INET_DIAG_TOS, INET_DIAG_TCLASS, INET_DIAG_CLASS_ID, INET_DIAG_SHUTDOWN, INET_DIAG_PROTOCOL] as const;

/** Quotes a field as Go's encoding/csv does (only when needed). */
export function csvField(text: string): string {
  if (text === '') return text;
  // Most fields are a few digits: a loop over their characters costs less than two regular expressions.
  let plain = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE || c === COMMA || c === CARRIAGE_RETURN || c === NEWLINE) {
      plain = false;
      break;
    }
  }
  const first = text.charCodeAt(0);
  const printableAsciiFirst = first > 0x20 && first < 0x7f; // never a space, in Go's sense
  if (plain && (printableAsciiFirst || !startsWithGoSpace(text)) && text !== '\\.') return text;
  return '"' + text.replace(/"/g, '""') + '"';
}

/** Go's unicode.IsSpace on the first character (encoding/csv quotes a field starting with one). */
function startsWithGoSpace(text: string): boolean {
  return /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/.test(text);
}

// The original's tcp_info columns as parallel arrays: offset, and how to print.
const TCP_ORIGINAL = TCP_INFO_FIELDS.filter((f) => f.goColumn !== undefined);
const Kind = { U8: 0, U16: 1, U32: 2, I32: 3, I64: 4 } as const;
const TCP_OFFSET = Int32Array.from(TCP_ORIGINAL, (f) => f.offset);
const TCP_KIND = Int8Array.from(TCP_ORIGINAL, (f) =>
  f.size === 1 ? Kind.U8 : f.size === 2 ? Kind.U16 : f.size === 8 ? Kind.I64 : f.signed ? Kind.I32 : Kind.U32,
);

const LE = HOST_IS_LITTLE_ENDIAN;
/** The little-endian u32 at byte offset `at` (a multiple of 4) of the slots: one word load on little-endian hosts. */
function u32At(s: RecordSlots, at: number): number {
  return LE ? s.u32[at >>> 2]! : s.bytes.readUInt32LE(at);
}
/** The little-endian s32 at byte offset `at` (a multiple of 4). */
function i32At(s: RecordSlots, at: number): number {
  return LE ? s.i32[at >>> 2]! : s.bytes.readInt32LE(at);
}

/**
 * An int64 (little-endian) as decimal text. Counters fit in 53 bits, where the
 * two 32-bit halves combine exactly in a double; beyond that, BigInt.
 */
function putInt64(buf: Uint8Array, pos: number, s: RecordSlots, at: number): number {
  const hi = i32At(s, at + 4);
  if (hi >= -0x200000 && hi < 0x200000) return putInt(buf, pos, hi * 0x100000000 + u32At(s, at));
  return putAscii(buf, pos, String(s.bytes.readBigInt64LE(at)));
}

/**
 * Whether the original parses a value of this type and length fully (the rule
 * of inetdiag's attribute table), cached by type and length: 0 unknown, 1
 * yes, 2 no, for lengths below 512 (the table lookup and switch per attribute
 * were ~3% of a row).
 */
const CACHED_LENGTHS = 512;
const parsesFullyCache = new Uint8Array(DEFAULT_MAX_ATTRIBUTES * CACHED_LENGTHS);
function parsesFully(type: number, length: number): boolean {
  if (length >= CACHED_LENGTHS) return originalParsesFully(type, length);
  const key = type * CACHED_LENGTHS + length;
  const known = parsesFullyCache[key];
  if (known !== 0) return known === 1;
  const ok = originalParsesFully(type, length);
  parsesFullyCache[key] = ok ? 1 : 2;
  return ok;
}

/** `Observed` of the record in `slots`: bit `1 << (type-1)` per attribute present, as the original computes it. */
export function slotsObserved(s: AttributeLayout): number {
  let observed = 0;
  for (let type = 0; type < s.count; type++) if (s.start[type]! >= 0) observed = (observed | originalBit(type)) >>> 0;
  return observed;
}

/** `NotFullyParsed` of the record in `slots`: the bits of the attributes the original cannot parse fully. */
export function slotsNotFullyParsed(s: AttributeLayout): number {
  let bits = 0;
  for (let type = 0; type < s.count; type++) {
    if (s.start[type]! >= 0 && !parsesFully(type, s.length[type]!)) bits = (bits | originalBit(type)) >>> 0;
  }
  return bits;
}

/** Writes the text of the address at byte offset `at` of the slots (8-aligned: its words are read as they are). */
function putAddress(buf: Uint8Array, pos: number, s: RecordSlots, at: number): number {
  if (!LE) return putAddressText(buf, pos, s.bytes, at, u32le(s.bytes, at), u32le(s.bytes, at + 4), u32le(s.bytes, at + 8), u32le(s.bytes, at + 12));
  const w = s.u32;
  const i = at >>> 2;
  return putAddressText(buf, pos, s.bytes, at, w[i]!, w[i + 1]!, w[i + 2]!, w[i + 3]!);
}

/** Offset of attribute `type`'s (padded) value, -1 when absent. */
function slot(s: RecordSlots, type: number): number {
  return type < s.count ? s.start[type]! : -1;
}

/** `count` u32 (little-endian) of a padded value separated by commas, or `count` empty fields. */
function putU32s(buf: Uint8Array, pos: number, s: RecordSlots, at: number, count: number): number {
  if (at < 0) {
    for (let i = 1; i < count; i++) buf[pos++] = COMMA;
    return pos;
  }
  pos = putUint(buf, pos, u32At(s, at));
  for (let i = 1; i < count; i++) {
    buf[pos++] = COMMA;
    pos = putUint(buf, pos, u32At(s, at + 4 * i));
  }
  return pos;
}

/** Whether a congestion algorithm's bytes print as they are (plain ASCII that Go's CSV writer would not quote). */
function isPlainField(b: Buffer, start: number, end: number): boolean {
  if (b[start] === 32 || b[start] === 9) return false;
  if (end - start === 2 && b[start] === 92 && b[start + 1] === 46) return false; // \.
  for (let i = start; i < end; i++) {
    const c = b[i]!;
    if (c === 34 || c === COMMA || c < 0x20 || c >= 0x80) return false;
  }
  return true;
}

/** Writes the original's 105 columns of one record (no newline: `--columns=all` appends more). */
export function writeOriginalRow(out: ByteOutput, s: RecordSlots): void {
  const b = s.bytes;
  // The congestion algorithm is the only field of unbounded length: the value minus its last byte (the original drops its NUL).
  const congAt = slot(s, INET_DIAG_CONG);
  const congEnd = congAt < 0 ? -1 : congAt + s.length[INET_DIAG_CONG]! - 1;
  const congText = congAt >= 0 && congEnd > congAt && !isPlainField(b, congAt, congEnd) ? csvField(b.toString('utf8', congAt, congEnd)) : undefined;
  out.reserve(ROW_ROOM + (congEnd > congAt ? congEnd - congAt : 0) + (congText === undefined ? 0 : 3 * congText.length));
  const buf = out.buffer;
  let pos = out.position;

  const observed = slotsObserved(s);
  const notFullyParsed = slotsNotFullyParsed(s);
  // Timestamps and addresses never hold a character that needs quoting.
  pos = isZeroTime(s) ? putAscii(buf, pos, ZERO_TIME_IN_CSV) : putBytes(buf, pos, s.timestamp, 0, s.timestampLength);
  buf[pos++] = COMMA;
  pos = putUint(buf, pos, observed);
  buf[pos++] = COMMA;
  pos = putUint(buf, pos, notFullyParsed);
  buf[pos++] = COMMA;
  const m = s.idmAt;
  if (m < 0) {
    for (let i = 0; i < 15; i++) buf[pos++] = COMMA;
  } else {
    for (let i = 0; i < 4; i++) {
      pos = putUint(buf, pos, b[m + i]!); // family, state, timer, retrans
      buf[pos++] = COMMA;
    }
    pos = putUint(buf, pos, (b[m + IDIAG_SPORT_OFFSET]! << 8) | b[m + IDIAG_SPORT_OFFSET + 1]!);
    buf[pos++] = COMMA;
    pos = putUint(buf, pos, (b[m + IDIAG_DPORT_OFFSET]! << 8) | b[m + IDIAG_DPORT_OFFSET + 1]!);
    buf[pos++] = COMMA;
    pos = putAddress(buf, pos, s, m + IDIAG_SRC_OFFSET);
    buf[pos++] = COMMA;
    pos = putAddress(buf, pos, s, m + IDIAG_DST_OFFSET);
    buf[pos++] = COMMA;
    pos = putUint(buf, pos, b.readUInt32BE(m + IDIAG_INTERFACE_OFFSET)); // the interface, read big-endian as the original does
    buf[pos++] = COMMA;
    const cookieHi = u32At(s, m + IDIAG_COOKIE_HI_OFFSET);
    if (cookieHi !== 0) pos = putHex32(buf, pos, cookieHi, 1);
    pos = putHex32(buf, pos, u32At(s, m + IDIAG_COOKIE_LO_OFFSET), cookieHi !== 0 ? 8 : 1);
    for (let at = m + IDIAG_EXPIRES_OFFSET; at < m + SIZEOF_INET_DIAG_MSG; at += 4) {
      buf[pos++] = COMMA;
      pos = putUint(buf, pos, u32At(s, at)); // expires, rqueue, wqueue, uid, inode
    }
    buf[pos++] = COMMA;
  }
  if (congText !== undefined) {
    pos += out.buffer.write(congText, pos, 'utf8');
  } else if (congEnd > congAt) {
    pos = putBytes(buf, pos, b, congAt, congEnd);
  }
  buf[pos++] = COMMA;
  // TOS, TClass, ClassID, Shutdown, Protocol: the first byte (padding makes an empty value 0); Mark only when exactly 4 bytes.
  for (let i = 0; i < FIRST_BYTE_COLUMNS.length; i++) {
    const at = slot(s, FIRST_BYTE_COLUMNS[i]!);
    pos = putUint(buf, pos, at < 0 ? 0 : b[at]!);
    buf[pos++] = COMMA;
  }
  const markAt = slot(s, INET_DIAG_MARK);
  pos = putUint(buf, pos, markAt >= 0 && s.length[INET_DIAG_MARK] === 4 ? u32At(s, markAt) : 0);
  buf[pos++] = COMMA;
  const info = slot(s, INET_DIAG_INFO);
  if (info < 0) {
    for (let i = 0; i < TCP_OFFSET.length; i++) buf[pos++] = COMMA;
  } else {
    for (let i = 0; i < TCP_OFFSET.length; i++) {
      const at = info + TCP_OFFSET[i]!;
      switch (TCP_KIND[i]) {
        case Kind.U8: pos = putUint(buf, pos, b[at]!); break;
        case Kind.U16: pos = putUint(buf, pos, b[at]! | (b[at + 1]! << 8)); break;
        case Kind.U32: pos = putUint(buf, pos, u32At(s, at)); break;
        case Kind.I32: pos = putInt(buf, pos, i32At(s, at)); break;
        default: pos = putInt64(buf, pos, s, at); // every 64-bit field is int64 in the original
      }
      buf[pos++] = COMMA;
    }
  }
  pos = putU32s(buf, pos, s, slot(s, INET_DIAG_MEMINFO), 4); // MemInfo
  buf[pos++] = COMMA;
  pos = putU32s(buf, pos, s, slot(s, INET_DIAG_SKMEMINFO), 9); // SocketMemInfo
  buf[pos++] = COMMA;
  pos = putU32s(buf, pos, s, slot(s, INET_DIAG_VEGASINFO), 4); // Vegas
  buf[pos++] = COMMA;
  const dctcp = slot(s, INET_DIAG_DCTCPINFO);
  if (dctcp < 0) {
    for (let i = 0; i < 5; i++) buf[pos++] = COMMA;
  } else {
    pos = putUint(buf, pos, b[dctcp]! | (b[dctcp + 1]! << 8));
    buf[pos++] = COMMA;
    pos = putUint(buf, pos, b[dctcp + 2]! | (b[dctcp + 3]! << 8));
    for (let at = dctcp + 4; at < dctcp + 16; at += 4) {
      buf[pos++] = COMMA;
      pos = putUint(buf, pos, u32At(s, at));
    }
    buf[pos++] = COMMA;
  }
  const bbr = slot(s, INET_DIAG_BBRINFO);
  if (bbr < 0) {
    for (let i = 0; i < 3; i++) buf[pos++] = COMMA;
  } else {
    pos = putInt64(buf, pos, s, bbr);
    for (let at = bbr + 8; at < bbr + 20; at += 4) {
      buf[pos++] = COMMA;
      pos = putUint(buf, pos, u32At(s, at));
    }
  }
  out.position = pos;
}
