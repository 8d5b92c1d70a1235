import { formatGoIP } from '@tcpinfo/inetdiag';
import { originalParsesFully, originalBit } from '@tcpinfo/parse';
import { TCP_INFO_FIELDS } from '@tcpinfo/tcp';
import type { ByteOutput } from './byte-output.js';
import type { RecordSlots } from './record-slots.js';

/**
 * The default CSV's row: the original's 105 columns printed straight from a
 * record's bytes (RecordSlots) at the original's offsets, with its
 * zero-extension rules, as bytes into a ByteOutput — no typed snapshot, no
 * strings per field.
 */

const ZERO_TIME = '0001-01-01T00:00:00Z';
/** What the original prints for the zero time (its CSV library's quirk; the reference CSVs say so). */
const ZERO_TIME_IN_CSV = '2009-05-29T23:59:59Z';
/** Room for every fixed-width part of a row: 105 fields of at most 20 characters, two addresses and a timestamp. */
const ROW_ROOM = 4096;

const COMMA = 44;
/** TOS, TClass, ClassID, Shutdown, Protocol: attribute types of the columns printed as the value's first byte. */
const FIRST_BYTE_COLUMNS = [5, 6, 17, 8, 10] as const;
const NEWLINE = 10;

/** Quotes a field as Go's encoding/csv does (only when needed). */
export function csvField(text: string): string {
  if (text === '') return text;
  if (!/[",\r\n]/.test(text) && !startsWithGoSpace(text) && text !== '\\.') return text;
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

/**
 * An int64 (little-endian) as decimal text. Counters fit in 53 bits, where the
 * two 32-bit halves combine exactly in a double; beyond that, BigInt.
 */
function int64(out: ByteOutput, b: Buffer, at: number): void {
  const hi = b.readInt32LE(at + 4);
  if (hi >= -0x200000 && hi < 0x200000) out.int(hi * 0x100000000 + b.readUInt32LE(at));
  else out.ascii(String(b.readBigInt64LE(at)));
}

/** Whether the original parses a value of this type and length fully; the rule depends on the length only, so it is cached. */
const parsesFullyCache = new Map<number, boolean>();
const LENGTH_PROBE = new Uint8Array(0x10000);
function parsesFully(type: number, length: number): boolean {
  const key = type * 0x10000 + length;
  let ok = parsesFullyCache.get(key);
  if (ok === undefined) {
    ok = originalParsesFully(type, LENGTH_PROBE.subarray(0, length));
    if (parsesFullyCache.size < 4096) parsesFullyCache.set(key, ok);
  }
  return ok;
}

/** A small cache of the text of the last address seen at each of the two places (a connection's rows repeat them). */
class AddressText {
  #key = Buffer.alloc(16);
  #text = '';
  #valid = false;
  of(b: Buffer, at: number): string {
    if (!this.#valid || b.compare(this.#key, 0, 16, at, at + 16) !== 0) {
      b.copy(this.#key, 0, at, at + 16);
      this.#text = formatGoIP(this.#key);
      this.#valid = true;
    }
    return this.#text;
  }
}
const srcText = new AddressText();
const dstText = new AddressText();

/** Prints `count` u32 (little-endian) from a padded value, or `count` empty fields. */
function u32s(out: ByteOutput, s: RecordSlots, type: number, count: number): void {
  const at = type < s.count ? s.start[type]! : -1;
  if (at < 0) {
    for (let i = 1; i < count; i++) out.byte(COMMA);
    return;
  }
  const b = s.bytes;
  out.uint(b.readUInt32LE(at));
  for (let i = 1; i < count; i++) {
    out.byte(COMMA);
    out.uint(b.readUInt32LE(at + 4 * i));
  }
}

/** The congestion algorithm: the value minus its last byte (the original drops its NUL), quoted when needed. */
function congestion(out: ByteOutput, s: RecordSlots): void {
  const at = s.count > 4 ? s.start[4]! : -1;
  const length = s.length[4]!;
  if (at < 0 || length <= 1) return;
  const b = s.bytes;
  const end = at + length - 1;
  let plain = b[at] !== 32 && b[at] !== 9;
  for (let i = at; i < end && plain; i++) {
    const c = b[i]!;
    if (c === 34 || c === COMMA || c === 13 || c === NEWLINE || c >= 0x80 || c < 0x20) plain = false;
  }
  if (plain && !(length === 3 && b[at] === 92 && b[at + 1] === 46)) {
    out.reserve(length);
    out.bytes(b, at, end);
  } else {
    out.utf8(csvField(b.toString('utf8', at, end)));
  }
}

/** The first byte of a scalar attribute, 0 when absent or empty (padding holds a zero). */
function firstByte(s: RecordSlots, type: number): number {
  const at = type < s.count ? s.start[type]! : -1;
  return at < 0 ? 0 : s.bytes[at]!;
}

/** Writes the original's 105 columns of one record (no newline: `--columns=all` appends more). */
export function writeOriginalRow(out: ByteOutput, s: RecordSlots): void {
  out.reserve(ROW_ROOM);
  const b = s.bytes;
  let observed = 0;
  let notFullyParsed = 0;
  for (let type = 0; type < s.count; type++) {
    if (s.start[type]! < 0) continue;
    const bit = originalBit(type);
    observed = (observed | bit) >>> 0;
    if (!parsesFully(type, s.length[type]!)) notFullyParsed = (notFullyParsed | bit) >>> 0;
  }
  // Timestamps and addresses never hold a character that needs quoting.
  out.ascii(s.timestamp === ZERO_TIME ? ZERO_TIME_IN_CSV : s.timestamp);
  out.byte(COMMA);
  out.uint(observed);
  out.byte(COMMA);
  out.uint(notFullyParsed);
  out.byte(COMMA);
  const m = s.idmAt;
  if (m < 0) {
    for (let i = 0; i < 15; i++) out.byte(COMMA);
  } else {
    for (let i = 0; i < 4; i++) {
      out.uint(b[m + i]!); // family, state, timer, retrans
      out.byte(COMMA);
    }
    out.uint(b.readUInt16BE(m + 4));
    out.byte(COMMA);
    out.uint(b.readUInt16BE(m + 6));
    out.byte(COMMA);
    out.ascii(srcText.of(b, m + 8));
    out.byte(COMMA);
    out.ascii(dstText.of(b, m + 24));
    out.byte(COMMA);
    out.uint(b.readUInt32BE(m + 40)); // the interface, read big-endian as the original does
    out.byte(COMMA);
    const cookieHi = b.readUInt32LE(m + 48);
    if (cookieHi !== 0) out.hex32(cookieHi, 1);
    out.hex32(b.readUInt32LE(m + 44), cookieHi !== 0 ? 8 : 1);
    for (let at = m + 52; at < m + 72; at += 4) {
      out.byte(COMMA);
      out.uint(b.readUInt32LE(at)); // expires, rqueue, wqueue, uid, inode
    }
    out.byte(COMMA);
  }
  congestion(out, s);
  out.byte(COMMA);
  // TOS, TClass, ClassID, Shutdown, Protocol: the first byte; Mark only when exactly 4 bytes.
  for (const type of FIRST_BYTE_COLUMNS) {
    out.uint(firstByte(s, type));
    out.byte(COMMA);
  }
  const markAt = s.count > 15 ? s.start[15]! : -1;
  out.uint(markAt >= 0 && s.length[15] === 4 ? b.readUInt32LE(markAt) : 0);
  out.byte(COMMA);
  const info = s.count > 2 ? s.start[2]! : -1;
  if (info < 0) {
    for (let i = 0; i < TCP_OFFSET.length; i++) out.byte(COMMA);
  } else {
    for (let i = 0; i < TCP_OFFSET.length; i++) {
      const at = info + TCP_OFFSET[i]!;
      switch (TCP_KIND[i]) {
        case Kind.U8: out.uint(b[at]!); break;
        case Kind.U16: out.uint(b.readUInt16LE(at)); break;
        case Kind.U32: out.uint(b.readUInt32LE(at)); break;
        case Kind.I32: out.int(b.readInt32LE(at)); break;
        default: int64(out, b, at); // every 64-bit field is int64 in the original
      }
      out.byte(COMMA);
    }
  }
  u32s(out, s, 1, 4); // MemInfo
  out.byte(COMMA);
  u32s(out, s, 7, 9); // SocketMemInfo
  out.byte(COMMA);
  u32s(out, s, 3, 4); // Vegas
  out.byte(COMMA);
  const dctcp = s.count > 9 ? s.start[9]! : -1;
  if (dctcp < 0) {
    for (let i = 0; i < 5; i++) out.byte(COMMA);
  } else {
    out.uint(b.readUInt16LE(dctcp));
    out.byte(COMMA);
    out.uint(b.readUInt16LE(dctcp + 2));
    for (let at = dctcp + 4; at < dctcp + 16; at += 4) {
      out.byte(COMMA);
      out.uint(b.readUInt32LE(at));
    }
    out.byte(COMMA);
  }
  const bbr = s.count > 16 ? s.start[16]! : -1;
  if (bbr < 0) {
    for (let i = 0; i < 3; i++) out.byte(COMMA);
  } else {
    int64(out, b, bbr);
    for (let at = bbr + 8; at < bbr + 20; at += 4) {
      out.byte(COMMA);
      out.uint(b.readUInt32LE(at));
    }
  }
}
