import { EventParseError } from './errors.js';

const NANOS_PER_SECOND = 1_000_000_000n;
const NANOS_PER_MILLI = 1_000_000n;

/** Floor division: `Date` and Go both count negative times downwards. */
function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b < 0n ? q - 1n : q;
}

// The events of a polling cycle share their second: its text is computed once.
let cachedSeconds: bigint | undefined;
let cachedWhole = '';

/** "YYYY-MM-DDTHH:MM:SS" of a Unix second; a RangeError outside years 0-9999 (Go refuses those too). */
function wholeSecondText(seconds: bigint): string {
  if (seconds === cachedSeconds) return cachedWhole;
  const date = new Date(Number(seconds) * 1000);
  const year = date.getUTCFullYear();
  if (!(year >= 0 && year <= 9999)) throw new RangeError(`time ${seconds} s is outside years 0-9999`);
  // toISOString writes 4-digit years in this range: "YYYY-MM-DDTHH:MM:SS.000Z".
  cachedWhole = date.toISOString().slice(0, 19);
  cachedSeconds = seconds;
  return cachedWhole;
}

/**
 * Go's `time.Time.MarshalJSON` (RFC3339Nano) of a UTC time given as Unix
 * nanoseconds: up to 9 fraction digits with trailing zeros removed, no dot for a
 * whole second, `Z`. Throws a RangeError outside years 0–9999, which Go refuses too.
 */
export function formatGoTimeUTC(unixNanos: bigint): string {
  const seconds = floorDiv(unixNanos, NANOS_PER_SECOND);
  const whole = wholeSecondText(seconds);
  let fraction = Number(unixNanos - seconds * NANOS_PER_SECOND); // < 1e9: exact as a number
  if (fraction === 0) return `${whole}Z`;
  let digits = 9;
  while (fraction % 10 === 0) {
    fraction /= 10;
    digits--;
  }
  return `${whole}.${String(fraction).padStart(digits, '0')}Z`;
}

const RFC3339 = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(?:(Z)|([+-])(\d\d):(\d\d))$/;

/**
 * RFC 3339 with any offset and up to 9 fraction digits (what Go's
 * `time.Time.UnmarshalJSON` accepts) to Unix nanoseconds. Throws
 * {@link EventParseError} `BAD_FIELD` otherwise.
 */
export function parseRfc3339Nanos(text: string): bigint {
  const m = RFC3339.exec(text);
  const bad = () => new EventParseError('BAD_FIELD', `Timestamp ${JSON.stringify(text)} is not RFC 3339`);
  if (m === null) throw bad();
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) throw bad();
  const date = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0-99 to 1900-1999 (Go's zero time is year 1).
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCDate() !== day) throw bad(); // e.g. February 30th rolled over
  let seconds = BigInt(date.getTime() / 1000) + BigInt(hour * 3600 + minute * 60 + second);
  if (m[8] === undefined) {
    const offsetHours = Number(m[10]);
    const offsetMinutes = Number(m[11]);
    if (offsetHours > 23 || offsetMinutes > 59) throw bad();
    const offset = BigInt((offsetHours * 60 + offsetMinutes) * 60);
    seconds -= m[9] === '-' ? -offset : offset;
  }
  return seconds * NANOS_PER_SECOND + BigInt((m[7] ?? '').padEnd(9, '0'));
}

/** The `Date` of Unix nanoseconds (milliseconds, rounded down as Go's `UnixMilli`). */
export function dateFromUnixNanos(unixNanos: bigint): Date {
  return new Date(Number(floorDiv(unixNanos, NANOS_PER_MILLI)));
}
