import { ASCII, RFC3339_LAYOUT } from '@tcpinfo/go-format';
import { HOST_IS_LITTLE_ENDIAN, slotFieldAt, slotTextEnd, slotTextStart, type CsvColumn, type RecordSlots, type SlotField } from '@tcpinfo/parse';

/**
 * Typed values straight from a record's bytes, for the columns whose value is
 * one field of them (the column table's `SlotField`, the same description the
 * column's `value` getter is derived from): what the getter would return,
 * without the number, BigInt or string it makes per row. A 64-bit value is
 * copied as its two 32-bit words into a Uint32Array view of the column's
 * BigInt64Array; an address is formatted once per distinct value (a file's
 * rows are one connection's); the timestamp's nanoseconds are computed from
 * its digits (Date.UTC of the date and time once per second). Anything outside
 * the plain cases returns "not done" and the caller takes the getter.
 * parquet-typed.test.ts holds this to the getters for every row of the sample
 * files and for random records.
 */

/** Whether the typed readers may be used: they read little-endian words as host-order typed arrays. */
export const TYPED_FIELDS = HOST_IS_LITTLE_ENDIAN;

type IntField = Extract<SlotField, { kind: 'int' }>;

/** An int field of width 1, 2 or 4 as the typed column stores it (a signed field as its u32); NaN when empty. */
export function fieldNumber(s: RecordSlots, f: IntField): number {
  const a = slotFieldAt(s, f);
  if (a < 0) return f.absent === 'zero' ? 0 : NaN;
  const b = s.bytes;
  switch (f.width) {
    case 1:
      return b[a]!;
    case 2:
      return f.bigEndian ? (b[a]! << 8) | b[a + 1]! : b[a]! | (b[a + 1]! << 8);
    default:
      if (f.bigEndian) return b.readUInt32BE(a);
      return (a & 3) === 0 ? s.u32[a >>> 2]! : b.readUInt32LE(a);
  }
}

/**
 * Copies a 64-bit int field's two little-endian words to `words[2i]`,
 * `words[2i + 1]` (the value modulo 2^64, as a BigUint64Array stores the
 * getter's int64); returns false when the field is absent (NULL).
 */
export function fieldWords(s: RecordSlots, f: IntField, words: Uint32Array, i: number): boolean {
  const a = slotFieldAt(s, f);
  if (a < 0) return false;
  if ((a & 3) === 0) {
    words[2 * i] = s.u32[a >>> 2]!;
    words[2 * i + 1] = s.u32[(a >>> 2) + 1]!;
  } else {
    words[2 * i] = s.bytes.readUInt32LE(a);
    words[2 * i + 1] = s.bytes.readUInt32LE(a + 4);
  }
  return true;
}

const { DOT, DIGIT_0: ZERO, LETTER_Z: Z, PLUS, DASH, COLON } = ASCII;

/** The decimal number of `text[at, at + n)`, or -1 when a byte is not a digit. */
function digits(text: Uint8Array, at: number, n: number): number {
  let v = 0;
  for (let k = at; k < at + n; k++) {
    const d = text[k]! - ZERO;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}
/** `YYYY-MM-DDThh:mm:ss`: the part of a timestamp that rows of one file share. */
const SECONDS_TEXT = RFC3339_LAYOUT.length;
/** `±hh:mm`: a zone other than Z (Go writes the local zone's offset when the daemon's clock is not in UTC). */
const OFFSET_TEXT = 6;
/** A dot and at most nine digits. */
const MAX_FRACTION_TEXT = 10;
const TWO_16 = 65536;
const TWO_32 = 4294967296;

/** A timestamp's nanoseconds as int64 words, with the seconds of the last date and time parsed (rows come in time order). */
export class TimestampWords {
  readonly #prefix = new Uint8Array(SECONDS_TEXT);
  #seconds = -1;
  /** The last text {@link put} declined and its words as converted by the caller ({@link remember}): the zero time repeats row after row. */
  readonly #slowText = new Uint8Array(64);
  #slowLength = -1;
  #slowLo = 0;
  #slowHi = 0;

  /** Keeps the words the caller converted (the getter's way) for `text[0, length)`, which {@link put} declined. */
  remember(text: Uint8Array, length: number, words: Uint32Array, i: number): void {
    if (length > this.#slowText.length) return;
    this.#slowText.set(text.subarray(0, length));
    this.#slowLength = length;
    this.#slowLo = words[2 * i]!;
    this.#slowHi = words[2 * i + 1]!;
  }

  /** Copies the remembered words when the text is the one last declined. */
  #putRemembered(text: Uint8Array, length: number, words: Uint32Array, i: number): boolean {
    if (length !== this.#slowLength) return false;
    const t = this.#slowText;
    for (let k = 0; k < length; k++) if (t[k] !== text[k]) return false;
    words[2 * i] = this.#slowLo;
    words[2 * i + 1] = this.#slowHi;
    return true;
  }

  /**
   * Writes the nanoseconds since the epoch of `text[0, length)`, when it is
   * `YYYY-MM-DDThh:mm:ss[.f…]` and `Z` or `±hh:mm`, at or after 1970 (what
   * Go writes), to `words[2i]`, `words[2i + 1]`; returns false for any other
   * text (the zero time), which the caller converts from the getter's text,
   * except the last such text {@link remember}ed.
   */
  put(text: Uint8Array, length: number, words: Uint32Array, i: number): boolean {
    return this.#putPlain(text, length, words, i) || this.#putRemembered(text, length, words, i);
  }

  #putPlain(text: Uint8Array, length: number, words: Uint32Array, i: number): boolean {
    // The zone, after the fraction: Z, or an offset east of UTC in seconds (timestampNanos's rule: hh and mm not range-checked).
    let zoneAt = length - 1;
    let offset = 0;
    if (text[zoneAt] !== Z) {
      zoneAt = length - OFFSET_TEXT;
      const sign = text[zoneAt];
      if (zoneAt < SECONDS_TEXT || (sign !== PLUS && sign !== DASH) || text[zoneAt + 3] !== COLON) return false;
      const hours = digits(text, zoneAt + 1, 2);
      const minutes = digits(text, zoneAt + 4, 2);
      if (hours < 0 || minutes < 0) return false;
      offset = (sign === PLUS ? 1 : -1) * (hours * 3600 + minutes * 60);
    }
    if (zoneAt < SECONDS_TEXT || zoneAt > SECONDS_TEXT + MAX_FRACTION_TEXT) return false;
    let nanos = 0;
    if (zoneAt > SECONDS_TEXT) {
      if (text[SECONDS_TEXT] !== DOT || zoneAt === SECONDS_TEXT + 1) return false;
      let count = 0;
      for (let k = SECONDS_TEXT + 1; k < zoneAt; k++) {
        const d = text[k]! - ZERO;
        if (d < 0 || d > 9) return false;
        nanos = nanos * 10 + d;
        count++;
      }
      for (; count < 9; count++) nanos *= 10;
    }
    const local = this.#secondsOf(text);
    if (local < 0) return false;
    // local < 2^33 and the offset under 101 hours: within what the 16-bit halves below keep exact (< 2^34).
    const seconds = local - offset;
    if (seconds < 0) return false;
    // seconds * 1e9 + nanos exceeds 2^53: built from 16-bit halves of the seconds, each product exact in a double.
    const high = Math.floor(seconds / TWO_16);
    const y = high * 1e9; // < 2^48
    const low = (y % TWO_16) * TWO_16 + (seconds - high * TWO_16) * 1e9 + nanos; // < 2^48
    const lo = low % TWO_32;
    words[2 * i] = lo;
    words[2 * i + 1] = Math.floor(y / TWO_16) + (low - lo) / TWO_32;
    return true;
  }

  /** Seconds since the epoch of the text's date and time; -1 when before 1970 or not a date and time. */
  #secondsOf(text: Uint8Array): number {
    const p = this.#prefix;
    let same = this.#seconds >= 0;
    for (let k = 0; k < SECONDS_TEXT && same; k++) same = p[k] === text[k];
    if (same) return this.#seconds;
    // Digits where timestampNanos's pattern has them, its separators between; the
    // fields' ranges are not checked, as Date.UTC does not (both roll over alike).
    let seconds = -1;
    const L = RFC3339_LAYOUT;
    if (L.separators.every((sep) => text[sep.at] === sep.code)) {
      const year = digits(text, L.year.at, L.year.digits);
      const month = digits(text, L.month.at, L.month.digits);
      const day = digits(text, L.day.at, L.day.digits);
      const hour = digits(text, L.hour.at, L.hour.digits);
      const minute = digits(text, L.minute.at, L.minute.digits);
      const second = digits(text, L.second.at, L.second.digits);
      // Before 1970 (and years below 100, which Date.UTC maps to the 1900s): timestampNanos's BigInt path.
      if (year >= 1970 && month >= 0 && day >= 0 && hour >= 0 && minute >= 0 && second >= 0) {
        seconds = Date.UTC(year, month - 1, day, hour, minute, second) / 1000;
      }
    }
    if (seconds < 0 || seconds >= 2 ** 33) return -1;
    p.set(text.subarray(0, SECONDS_TEXT));
    this.#seconds = seconds;
    return seconds;
  }
}

/**
 * Address texts kept per column: a file of many connections (the test
 * archives: a few hundred) cycles through its addresses, one connection's
 * rows repeat two. Direct-mapped by a hash of the four words, as the CSV
 * writer's address cache (@tcpinfo/parse address-text.ts).
 */
const ADDRESS_SLOTS = 1024;

/** An address column's text, formatted by the column's getter once per distinct address (while it stays in the cache; four words compared per row). */
export class AddressText {
  readonly #keys = new Uint32Array(4 * ADDRESS_SLOTS);
  readonly #texts: (string | undefined)[] = new Array<string | undefined>(ADDRESS_SLOTS).fill(undefined);

  constructor(
    private readonly column: CsvColumn,
    private readonly offset: number,
  ) {}

  /** The text of the row's address (null when the record has no inet_diag_msg). */
  text(s: RecordSlots, row: Parameters<CsvColumn['value']>[0]): string | null {
    if (s.idmAt < 0) return null;
    const a = s.idmAt + this.offset;
    if ((a & 3) !== 0) return String(this.column.value(row));
    const w = s.u32;
    const i = a >>> 2;
    const w0 = w[i]!;
    const w1 = w[i + 1]!;
    const w2 = w[i + 2]!;
    const w3 = w[i + 3]!;
    const slot = (Math.imul(w0 ^ w1, 0x9e3779b1) ^ Math.imul(w2 ^ w3, 0x85ebca6b)) >>> 22; // top 10 bits: ADDRESS_SLOTS
    const keys = this.#keys;
    const k = 4 * slot;
    const cached = this.#texts[slot];
    if (cached !== undefined && keys[k] === w0 && keys[k + 1] === w1 && keys[k + 2] === w2 && keys[k + 3] === w3) return cached;
    const text = String(this.column.value(row));
    keys[k] = w0;
    keys[k + 1] = w1;
    keys[k + 2] = w2;
    keys[k + 3] = w3;
    this.#texts[slot] = text;
    return text;
  }
}

/** A text column's value, decoded by the column's getter once per distinct byte string (the congestion algorithm: the same every row). */
export class CachedText {
  #last = new Uint8Array(32);
  #lastLength = -1;
  #text: string | null = null;

  constructor(
    private readonly column: CsvColumn,
    private readonly field: Extract<SlotField, { kind: 'text' }>,
  ) {}

  /** The row's text (null when the attribute is absent). */
  text(s: RecordSlots, row: Parameters<CsvColumn['value']>[0]): string | null {
    const start = slotTextStart(s, this.field);
    if (start < 0) return null;
    const end = slotTextEnd(s, this.field, start);
    const n = end - start;
    const b = s.bytes;
    const last = this.#last;
    let same = n === this.#lastLength;
    for (let k = 0; k < n && same; k++) same = last[k] === b[start + k];
    if (same) return this.#text;
    if (n > last.length) this.#last = new Uint8Array(2 * n);
    this.#last.set(b.subarray(start, end));
    this.#lastLength = n;
    const v = this.column.value(row);
    this.#text = v === undefined || v === '' ? null : String(v);
    return this.#text;
  }
}
