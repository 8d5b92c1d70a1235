/**
 * Go's `time.Time` as `encoding/json` writes and reads it (RFC3339Nano), on
 * plain numbers: an instant is Unix nanoseconds (`bigint`) plus the UTC offset
 * it is written with, in minutes. The calendar is computed here (proleptic
 * Gregorian, years 0000..9999) rather than through `Date`, which cannot hold
 * nanoseconds and maps years 0..99 to 1900..1999.
 */

import { ASCII } from './ascii.js';
import { GoFormatError } from './errors.js';

const NANOS_PER_SECOND = 1_000_000_000n;
const NANOS_PER_MINUTE = 60n * NANOS_PER_SECOND;
const SECONDS_PER_DAY = 86_400;
/** Largest offset Go's strict RFC 3339 parser accepts: ±23:59. */
export const MAX_OFFSET_MINUTES = 23 * 60 + 59;
/** Go's encoding/json refuses to marshal years outside [0, 9999]. */
const MIN_YEAR = 0;
const MAX_YEAR = 9999;

/** Go's zero `time.Time`, 0001-01-01T00:00:00Z, in Unix nanoseconds. */
export const GO_ZERO_TIME_UNIX_NANOS = -62_135_596_800n * NANOS_PER_SECOND;

/** An instant and the UTC offset it is written with. */
export interface GoTimeParts {
  /** Nanoseconds since 1970-01-01T00:00:00Z. */
  readonly unixNanos: bigint;
  /** Minutes east of UTC (-240 for `-04:00`). */
  readonly offsetMinutes: number;
}

/**
 * Where the date and time lie in an RFC 3339 text, `YYYY-MM-DDThh:mm:ss`
 * (then an optional fraction and the zone): each field's first character and
 * its digit count, each separator's place and character code. The one layout
 * for every reader that goes by character positions (parseRfc3339Nano here,
 * tcpinfo-csv's Parquet timestamp reader over bytes).
 */
export const RFC3339_LAYOUT = {
  year: { at: 0, digits: 4 },
  month: { at: 5, digits: 2 },
  day: { at: 8, digits: 2 },
  hour: { at: 11, digits: 2 },
  minute: { at: 14, digits: 2 },
  second: { at: 17, digits: 2 },
  separators: [
    { at: 4, code: ASCII.DASH },
    { at: 7, code: ASCII.DASH },
    { at: 10, code: ASCII.LETTER_T },
    { at: 13, code: ASCII.COLON },
    { at: 16, code: ASCII.COLON },
  ],
  /** Characters up to the end of the seconds: the fraction's dot or the zone comes here. */
  length: 19,
} as const;

// YYYY-MM-DDTHH:MM:SS[.fraction](Z|±hh:mm); Go's JSON time parser insists on
// upper-case T and Z, two-digit fields and a dot before the fraction.
/** The form parseRfc3339Nano reads (its scanner follows it by character codes; time.test.ts holds the two together). */
export const RFC3339_PATTERN = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;

/**
 * Exactly Go's `time.RFC3339Nano` as `MarshalJSON` writes it: up to 9 fraction
 * digits with trailing zeros removed, no dot for a whole second, `Z` for a zero
 * offset, `±hh:mm` otherwise. Throws {@link GoFormatError} `OUT_OF_RANGE` for an
 * offset beyond ±23:59 (or not whole minutes) or a local year outside
 * 0000..9999, which Go refuses to marshal.
 */
export function formatRfc3339Nano(unixNanos: bigint, offsetMinutes = 0): string {
  if (!Number.isInteger(offsetMinutes) || Math.abs(offsetMinutes) > MAX_OFFSET_MINUTES) {
    throw new GoFormatError('OUT_OF_RANGE', `UTC offset out of range: ${offsetMinutes} minutes`);
  }
  const local = unixNanos + BigInt(offsetMinutes) * NANOS_PER_MINUTE;
  const seconds = floorDiv(local, NANOS_PER_SECOND);
  const nanos = Number(local - seconds * NANOS_PER_SECOND);
  const secs = Number(seconds);
  const days = Math.floor(secs / SECONDS_PER_DAY);
  const secOfDay = secs - days * SECONDS_PER_DAY;
  const [year, month, day] = civilFromDays(days);
  if (year < MIN_YEAR || year > MAX_YEAR) throw new GoFormatError('OUT_OF_RANGE', `year ${year} outside 0000..9999`);
  let text =
    `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T` +
    `${pad(Math.floor(secOfDay / 3600), 2)}:${pad(Math.floor(secOfDay / 60) % 60, 2)}:${pad(secOfDay % 60, 2)}`;
  if (nanos !== 0) text += '.' + pad(nanos, 9).replace(/0+$/, '');
  if (offsetMinutes === 0) return text + 'Z';
  const abs = Math.abs(offsetMinutes);
  return text + (offsetMinutes < 0 ? '-' : '+') + pad(Math.floor(abs / 60), 2) + ':' + pad(abs % 60, 2);
}

/**
 * Reads an RFC 3339 timestamp as Go's `time.Time.UnmarshalJSON` accepts it:
 * any offset within ±23:59, fraction digits beyond nine truncated (as Go does),
 * dates checked against the calendar. Keeps the offset, so
 * `formatRfc3339Nano(parsed) === text` for every text Go writes (`+00:00`
 * reads as offset 0 and is written `Z`, as in Go). Throws
 * {@link GoFormatError} `BAD_TIMESTAMP` otherwise.
 */
export function parseRfc3339Nano(text: string): GoTimeParts {
  // Read by character codes (the form of RFC3339_PATTERN, digit by digit):
  // a regex match made a dozen substrings per timestamp, ~10% of reading a snapshot.
  const fields = scanRfc3339(text);
  if (fields === undefined) throw new GoFormatError('BAD_TIMESTAMP', `not an RFC 3339 timestamp: ${preview(text)}`);
  const { year, month, day, hour, minute, second, fraction, offsetSign, offHours, offMinutes } = fields;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new GoFormatError('BAD_TIMESTAMP', `day out of range: ${preview(text)}`);
  }
  if (hour > 23 || minute > 59 || second > 59) {
    throw new GoFormatError('BAD_TIMESTAMP', `time of day out of range: ${preview(text)}`);
  }
  let offsetMinutes = 0;
  if (offsetSign !== 0) {
    if (offHours > 23 || offMinutes > 59) throw new GoFormatError('BAD_TIMESTAMP', `UTC offset out of range: ${preview(text)}`);
    offsetMinutes = offsetSign * (offHours * 60 + offMinutes);
  }
  const localSeconds = daysFromCivil(year, month, day) * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second;
  // Whole seconds are exact as a number (|v| < 2^53 for years 0..9999): two BigInt steps instead of four.
  const unixNanos = BigInt(localSeconds - offsetMinutes * 60) * NANOS_PER_SECOND + BigInt(fraction);
  return { unixNanos, offsetMinutes };
}

let clockAnchorNanos: bigint | undefined;

/**
 * The wall-clock time in Unix nanoseconds, as Go's `time.Now()` resolves it: the
 * monotonic high-resolution clock anchored to `Date.now()`, re-anchored when the
 * wall clock has been stepped by more than 2 ms.
 */
export function unixNanosNow(): bigint {
  const wallNanos = BigInt(Date.now()) * 1_000_000n;
  const mono = process.hrtime.bigint();
  if (clockAnchorNanos !== undefined) {
    const candidate = clockAnchorNanos + mono;
    const drift = candidate - wallNanos;
    // Date.now() is truncated to the millisecond, so a correct reading lies in [0, 1 ms).
    if (drift > -2_000_000n && drift < 2_000_000n) return candidate;
  }
  clockAnchorNanos = wallNanos - mono;
  return wallNanos;
}

/** Floor division: `Date` and Go both count negative times downwards. */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b < 0n ? q - 1n : q;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function preview(text: string): string {
  return JSON.stringify(text.length > 64 ? text.slice(0, 64) + '…' : text);
}

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  return month === 2 ? (isLeapYear(year) ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

// Proleptic Gregorian calendar <-> days since 1970-01-01, by counting 400-year
// eras that start on March 1st (so the leap day is the last day of a year).
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

function civilFromDays(days: number): [year: number, month: number, day: number] {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

/** The numbers of an RFC 3339 text in the form of {@link RFC3339_PATTERN}, undefined for any other text. */
function scanRfc3339(text: string):
  | { year: number; month: number; day: number; hour: number; minute: number; second: number; fraction: number; offsetSign: number; offHours: number; offMinutes: number }
  | undefined {
  const n = text.length;
  const L = RFC3339_LAYOUT;
  if (n < L.length + 1) return undefined;
  const year = digitsAt(text, L.year.at, L.year.digits);
  const month = digitsAt(text, L.month.at, L.month.digits);
  const day = digitsAt(text, L.day.at, L.day.digits);
  const hour = digitsAt(text, L.hour.at, L.hour.digits);
  const minute = digitsAt(text, L.minute.at, L.minute.digits);
  const second = digitsAt(text, L.second.at, L.second.digits);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return undefined;
  for (const sep of L.separators) if (text.charCodeAt(sep.at) !== sep.code) return undefined;
  let i: number = L.length;
  let fraction = 0;
  if (text.charCodeAt(i) === DOT) {
    const first = i + 1;
    let j = first;
    while (j < n && isDigit(text.charCodeAt(j))) j++;
    if (j === first) return undefined;
    // Nanoseconds: the first nine digits, the rest truncated (as Go does).
    const kept = Math.min(j - first, 9);
    fraction = digitsAt(text, first, kept) * 10 ** (9 - kept);
    i = j;
  }
  const zone = text.charCodeAt(i);
  if (zone === LETTER_Z) {
    return i + 1 === n ? { year, month, day, hour, minute, second, fraction, offsetSign: 0, offHours: 0, offMinutes: 0 } : undefined;
  }
  if ((zone !== PLUS && zone !== DASH) || i + 6 !== n || text.charCodeAt(i + 3) !== COLON) return undefined;
  const offHours = digitsAt(text, i + 1, 2);
  const offMinutes = digitsAt(text, i + 4, 2);
  if (offHours < 0 || offMinutes < 0) return undefined;
  return { year, month, day, hour, minute, second, fraction, offsetSign: zone === DASH ? -1 : 1, offHours, offMinutes };
}

const { DASH, PLUS, COLON, DOT, LETTER_T, LETTER_Z, DIGIT_0, DIGIT_9 } = ASCII;
const isDigit = (c: number): boolean => c >= DIGIT_0 && c <= DIGIT_9;

/** The `count` decimal digits at `at` as a number, -1 when one is not an ASCII digit (or is past the end). */
function digitsAt(text: string, at: number, count: number): number {
  let v = 0;
  for (let i = at; i < at + count; i++) {
    const c = text.charCodeAt(i); // NaN past the end: not a digit
    if (!isDigit(c)) return -1;
    v = v * 10 + (c - DIGIT_0);
  }
  return v;
}
