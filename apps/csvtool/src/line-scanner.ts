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
const QUOTE = 34;
const COMMA = 44;
const CLOSE_BRACKET = 93;
const CLOSE_BRACE = 125;

/** Base64 alphabet value of each character code below 128, -1 for anything else. */
const BASE64_VALUE = (() => {
  const t = new Int8Array(128).fill(-1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < 64; i++) t[alphabet.charCodeAt(i)] = i;
  return t;
})();

/**
 * The 12 bits of each pair of base64 characters (both codes below 128),
 * indexed by `first << 7 | second`; -1 when either is not in the alphabet.
 * Halves the lookups of the hot loop.
 */
const PAIR_VALUE = (() => {
  const t = new Int16Array(128 * 128).fill(-1);
  for (let a = 0; a < 128; a++) {
    for (let b = 0; b < 128; b++) {
      const x = BASE64_VALUE[a]!;
      const y = BASE64_VALUE[b]!;
      if (x >= 0 && y >= 0) t[(a << 7) | b] = (x << 6) | y;
    }
  }
  return t;
})();

function base64Value(code: number): number {
  return code < 128 ? BASE64_VALUE[code]! : -1;
}

function pairValue(first: number, second: number): number {
  return (first | second) < 128 ? PAIR_VALUE[(first << 7) | second]! : -1;
}

/**
 * Decodes padded standard base64 from `line` at `from` up to the closing
 * quote into `out` at `at`. Returns the number of bytes written, or -1 when
 * the text is not padded standard base64 followed by a quote. (Like Go's
 * StdEncoding and Node, trailing bits of the last character are ignored.)
 * Sets `end.pos` after the closing quote.
 */
function decodeBase64Into(line: string, from: number, out: Buffer, at: number, end: { pos: number }): number {
  let i = from;
  let o = at;
  for (;;) {
    const c0 = line.charCodeAt(i);
    if (c0 === QUOTE) break;
    const high = pairValue(c0, line.charCodeAt(i + 1));
    const c2 = line.charCodeAt(i + 2);
    const c3 = line.charCodeAt(i + 3);
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
    if (high < 0 || c3 !== 61 || line.charCodeAt(i + 4) !== QUOTE) return -1;
    out[o++] = high >>> 4;
    if (c2 !== 61) {
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

const digit = (line: string, at: number): number => {
  const c = line.charCodeAt(at) - 48;
  return c >= 0 && c <= 9 ? c : -100; // -100 makes any sum of two digits negative
};
const twoDigits = (line: string, at: number): number => digit(line, at) * 10 + digit(line, at + 1);

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
function canonicalTimestampEnd(line: string, from: number): number {
  const century = twoDigits(line, from);
  const yearOfCentury = twoDigits(line, from + 2);
  if (century < 0 || yearOfCentury < 0) return -1;
  const year = century * 100 + yearOfCentury;
  const month = twoDigits(line, from + 5);
  const day = twoDigits(line, from + 8);
  const hour = twoDigits(line, from + 11);
  const minute = twoDigits(line, from + 14);
  const second = twoDigits(line, from + 17);
  if (line.charCodeAt(from + 4) !== 45 || line.charCodeAt(from + 7) !== 45 || line.charCodeAt(from + 10) !== 84) return -1;
  if (line.charCodeAt(from + 13) !== 58 || line.charCodeAt(from + 16) !== 58) return -1;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return -1;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return -1;
  let i = from + 19;
  if (line.charCodeAt(i) === 46) {
    const first = i + 1;
    i = first;
    while (digit(line, i) >= 0) i++;
    if (i === first || i - first > 9 || line.charCodeAt(i - 1) === 48) return -1;
  }
  const zone = line.charCodeAt(i);
  if (zone === 90) {
    i++;
  } else if (zone === 43 || zone === 45) {
    const offHours = twoDigits(line, i + 1);
    const offMinutes = twoDigits(line, i + 4);
    if (line.charCodeAt(i + 3) !== 58 || offHours < 0 || offHours > 23 || offMinutes < 0 || offMinutes > 59) return -1;
    if (offHours === 0 && offMinutes === 0) return -1;
    i += 6;
  } else {
    return -1;
  }
  return line.charCodeAt(i) === QUOTE ? i : -1;
}

const cursor = { pos: 0 };

/**
 * Fills `slots` from a line in the original's exact snapshot form and
 * returns true; returns false (slots in an unspecified state) for any other
 * line. See the comment at the top of this file.
 */
export function scanCanonicalLine(line: string, slots: RecordSlots): boolean {
  if (line.length > DEFAULT_MAX_LINE_LENGTH || !line.startsWith(OPEN)) return false;
  const tsStart = OPEN.length;
  const tsEnd = canonicalTimestampEnd(line, tsStart);
  if (tsEnd < 0 || !line.startsWith(RAW_IDM, tsEnd)) return false;
  slots.reset(line.slice(tsStart, tsEnd), line.length);
  const bytes = slots.bytes;
  const idmLength = decodeBase64Into(line, tsEnd + RAW_IDM.length, bytes, 0, cursor);
  if (idmLength !== SIZEOF_INET_DIAG_MSG) return false;
  slots.idmAt = 0;
  slots.end = SIZEOF_INET_DIAG_MSG;
  if (!line.startsWith(ATTRIBUTES, cursor.pos - 1)) return false;
  let i = cursor.pos - 1 + ATTRIBUTES.length;
  const maxCount = slots.start.length;
  for (;;) {
    if (slots.count === maxCount) return false;
    const c = line.charCodeAt(i);
    if (c === QUOTE) {
      const n = decodeBase64Into(line, i + 1, bytes, slots.end, cursor);
      if (n < 0 || n > DEFAULT_MAX_ATTRIBUTE_LENGTH) return false;
      slots.addValue(n);
      i = cursor.pos;
    } else if (c === 110 && line.startsWith('null', i)) {
      slots.addNull();
      i += 4;
    } else {
      return false;
    }
    const next = line.charCodeAt(i);
    if (next === COMMA) {
      i++;
    } else if (next === CLOSE_BRACKET) {
      break;
    } else {
      return false;
    }
  }
  return line.charCodeAt(i + 1) === CLOSE_BRACE && i + 2 === line.length;
}
