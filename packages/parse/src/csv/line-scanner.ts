import { ASCII } from '@tcpinfo/go-format';
import { SIZEOF_INET_DIAG_MSG } from '@tcpinfo/inetdiag';
import { DEFAULT_MAX_ATTRIBUTE_LENGTH, DEFAULT_MAX_LINE_LENGTH } from '@tcpinfo/netlink';
import type { RecordSlots } from './record-slots.js';

/**
 * The default CSV's fast path: reads a JSON line of exactly the shape the Go
 * original writes for a snapshot,
 *
 *   {"Timestamp":"<RFC 3339>","RawIDM":"<base64 of 72 bytes>","Attributes":[null,"<base64>",…]}
 *
 * character by character, decoding the base64 straight into the slots' buffer
 * (no JSON.parse, no per-value allocation). Anything else — another key order,
 * whitespace, escapes, a Metadata header, a timestamp that would print
 * differently once parsed, limits exceeded — returns false and the caller
 * parses the line with ArchivalRecord.parseLine, which also produces the
 * error message for bad lines. The scanner never accepts a line that
 * parseLine rejects, and fills the same bytes parseLine would decode
 * (line-scanner.property.test.ts checks both).
 */

const OPEN = '{"Timestamp":"';
const RAW_IDM = '","RawIDM":"';
const ATTRIBUTES = '","Attributes":[';
// The bytes this scanner tests, by name (EQUALS: base64 padding; LETTER_N: of `null`).
const { QUOTE, COMMA, CLOSE_BRACKET, CLOSE_BRACE, EQUALS, DASH, PLUS, COLON, DOT, DIGIT_0, LETTER_T, LETTER_Z, LETTER_N } = ASCII;

/** Base64 alphabet value of each byte, -1 for anything else (every byte above 127 included). */
const BASE64_VALUE = (() => {
  const t = new Int8Array(256).fill(-1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < 64; i++) t[alphabet.charCodeAt(i)] = i;
  return t;
})();

/**
 * The 12 bits of each pair of base64 characters, indexed by `first << 8 |
 * second`; -1 when either is not in the alphabet. Halves the lookups of the
 * hot loop.
 */
const PAIR_VALUE = (() => {
  const t = new Int16Array(256 * 256).fill(-1);
  for (let a = 0; a < 256; a++) {
    for (let b = 0; b < 256; b++) {
      const x = BASE64_VALUE[a]!;
      const y = BASE64_VALUE[b]!;
      if (x >= 0 && y >= 0) t[(a << 8) | b] = (x << 6) | y;
    }
  }
  return t;
})();

// The tables cover every byte value, so a byte above 127 (a line that is not
// ASCII) is simply not base64; every other check compares exact ASCII bytes.
// Non-ASCII input is thus rejected without a separate pass over the line.
function base64Value(code: number): number {
  return BASE64_VALUE[code]!;
}

function pairValue(first: number, second: number): number {
  return PAIR_VALUE[(first << 8) | second]!;
}

/**
 * Decodes padded standard base64 from `src` at `from` up to the closing
 * quote into `out` at `at`. Returns the number of bytes written, or -1 when
 * the text is not padded standard base64 followed by a quote. (Like Go's
 * StdEncoding and Node, trailing bits of the last character are ignored.)
 * Sets `end.pos` after the closing quote.
 */
function decodeBase64Into(src: Uint8Array, from: number, out: Buffer, at: number, end: { pos: number }): number {
  let i = from;
  let o = at;
  for (;;) {
    const c0 = src[i]!;
    if (c0 === QUOTE) break;
    const high = pairValue(c0, src[i + 1]!);
    const c2 = src[i + 2]!;
    const c3 = src[i + 3]!;
    const low = pairValue(c2, c3);
    if (high >= 0 && low >= 0) {
      out[o] = high >>> 4;
      out[o + 1] = ((high & 0x0f) << 4) | (low >>> 8);
      out[o + 2] = low & 0xff;
      o += 3;
      i += 4;
      continue;
    }
    // Padding: only in the last quad, '==' after two characters or '=' after three.
    if (high < 0 || c3 !== EQUALS || src[i + 4]! !== QUOTE) return -1;
    out[o++] = high >>> 4;
    if (c2 !== EQUALS) {
      const c = base64Value(c2);
      if (c < 0) return -1;
      out[o++] = ((high & 0x0f) << 4) | (c >>> 2);
    }
    i += 4;
    break;
  }
  end.pos = i + 1; // after the closing quote
  return o - at;
}

const digit = (src: Uint8Array, at: number): number => {
  const c = src[at]! - DIGIT_0;
  return c >= 0 && c <= 9 ? c : -100; // -100 makes any sum of two digits negative
};
const twoDigits = (src: Uint8Array, at: number): number => digit(src, at) * 10 + digit(src, at + 1);

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Where a timestamp starting at `from` ends (its closing quote), if it is in
 * the exact form Go writes, so that parsing and printing it again gives the
 * same text: YYYY-MM-DDThh:mm:ss, a fraction of 1-9 digits without trailing
 * zero, then Z or a non-zero ±hh:mm offset (Go writes a zero offset as Z).
 * Returns -1 otherwise.
 */
function canonicalTimestampEnd(src: Uint8Array, from: number): number {
  const century = twoDigits(src, from);
  const yearOfCentury = twoDigits(src, from + 2);
  if (century < 0 || yearOfCentury < 0) return -1;
  const year = century * 100 + yearOfCentury;
  const month = twoDigits(src, from + 5);
  const day = twoDigits(src, from + 8);
  const hour = twoDigits(src, from + 11);
  const minute = twoDigits(src, from + 14);
  const second = twoDigits(src, from + 17);
  if (src[from + 4]! !== DASH || src[from + 7]! !== DASH || src[from + 10]! !== LETTER_T) return -1;
  if (src[from + 13]! !== COLON || src[from + 16]! !== COLON) return -1;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return -1;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return -1;
  let i = from + 19;
  if (src[i]! === DOT) {
    const first = i + 1;
    i = first;
    while (digit(src, i) >= 0) i++;
    if (i === first || i - first > 9 || src[i - 1]! === DIGIT_0) return -1;
  }
  const zone = src[i]!;
  if (zone === LETTER_Z) {
    i++;
  } else if (zone === PLUS || zone === DASH) {
    const offHours = twoDigits(src, i + 1);
    const offMinutes = twoDigits(src, i + 4);
    if (src[i + 3]! !== COLON || offHours < 0 || offHours > 23 || offMinutes < 0 || offMinutes > 59) return -1;
    if (offHours === 0 && offMinutes === 0) return -1;
    i += 6;
  } else {
    return -1;
  }
  return src[i]! === QUOTE ? i : -1;
}

/** Bytes read past a line's end by the fixed-offset checks are zeros (never a quote or a base64 character). */
const SENTINEL_BYTES = 48;

/** Whether `src` holds the ASCII text `literal` at `at`. */
function holds(src: Uint8Array, at: number, literal: Uint8Array): boolean {
  for (let i = 0; i < literal.length; i++) if (src[at + i] !== literal[i]) return false;
  return true;
}
const ascii = (literal: string) => Uint8Array.from(literal, (c) => c.charCodeAt(0));
const OPEN_BYTES = ascii(OPEN);
const RAW_IDM_BYTES = ascii(RAW_IDM);
const ATTRIBUTES_BYTES = ascii(ATTRIBUTES);
const NULL_BYTES = ascii('null');

/**
 * Scans lines of the original's exact snapshot form into {@link RecordSlots}.
 * Each instance owns its scratch line buffer and base64 cursor (reused from
 * line to line: no allocation per line), so converters running side by side,
 * in one thread or several, never share state.
 */
export class CanonicalLineScanner {
  /** The current line as bytes: typed-array reads cost a fraction of String.charCodeAt. Reused; grows for longer lines (one scanner per converter: per input file of tcpinfo-csv, so it starts small). */
  private text = Buffer.alloc(8 * 1024);
  /** Where the last base64 value ended (after its closing quote). */
  private readonly cursor = { pos: 0 };

  /**
   * Fills `slots` from a line in the original's exact snapshot form and
   * returns true; returns false (slots in an unspecified state) for any other
   * line. See the comment at the top of this file.
   */
  scanLine(line: string, slots: RecordSlots): boolean {
    const length = line.length;
    if (length > DEFAULT_MAX_LINE_LENGTH) return false;
    if (this.text.length < length * 3 + SENTINEL_BYTES) this.text = Buffer.alloc(Math.max(length * 3 + SENTINEL_BYTES, this.text.length * 2));
    // As many bytes as characters: the line is ASCII (anything else never takes the fast path).
    if (this.text.write(line, 0, 'utf8') !== length) return false;
    return this.scanText(length, slots);
  }

  /**
   * The same for a line given as UTF-8 bytes, `src[start, end)` (no newline):
   * what the streaming reader has, so no string is made for lines that take the
   * fast path. Accepts exactly the lines scanLine accepts for their text.
   */
  scanBytes(src: Uint8Array, start: number, end: number, slots: RecordSlots): boolean {
    const length = end - start;
    if (length > DEFAULT_MAX_LINE_LENGTH) return false;
    if (this.text.length < length + SENTINEL_BYTES) this.text = Buffer.alloc(Math.max(length + SENTINEL_BYTES, this.text.length * 2));
    this.text.set(src.subarray(start, end), 0);
    return this.scanText(length, slots);
  }

  /** Scans the line of `length` bytes at the start of `text`. */
  private scanText(length: number, slots: RecordSlots): boolean {
    const src = this.text;
    const cursor = this.cursor;
    for (let i = length; i < length + SENTINEL_BYTES; i++) src[i] = 0;
    if (!holds(src, 0, OPEN_BYTES)) return false;
    const tsStart = OPEN.length;
    const tsEnd = canonicalTimestampEnd(src, tsStart);
    if (tsEnd < 0 || !holds(src, tsEnd, RAW_IDM_BYTES)) return false;
    slots.reset(length);
    slots.setTimestamp(src, tsStart, tsEnd);
    const bytes = slots.bytes;
    const base = slots.base;
    const idmLength = decodeBase64Into(src, tsEnd + RAW_IDM.length, bytes, base, cursor);
    if (idmLength !== SIZEOF_INET_DIAG_MSG) return false;
    slots.idmAt = base;
    slots.end = base + SIZEOF_INET_DIAG_MSG;
    if (!holds(src, cursor.pos - 1, ATTRIBUTES_BYTES)) return false;
    let i = cursor.pos - 1 + ATTRIBUTES.length;
    const maxCount = slots.start.length;
    for (;;) {
      if (slots.count === maxCount) return false;
      const c = src[i];
      if (c === QUOTE) {
        const n = decodeBase64Into(src, i + 1, bytes, slots.end, cursor);
        if (n < 0 || n > DEFAULT_MAX_ATTRIBUTE_LENGTH) return false;
        slots.addValue(n);
        i = cursor.pos;
      } else if (c === LETTER_N && holds(src, i, NULL_BYTES)) {
        slots.addNull();
        i += 4;
      } else {
        return false;
      }
      const next = src[i];
      if (next === COMMA) {
        i++;
      } else if (next === CLOSE_BRACKET) {
        break;
      } else {
        return false;
      }
    }
    return src[i + 1] === CLOSE_BRACE && i + 2 === length;
  }
}
