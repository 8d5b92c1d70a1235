import type { ParquetKind } from './parquet-schema.js';
import { fieldText } from './csv-fields.js';

/**
 * How a printed CSV field becomes a Parquet value, per kind (parquet-schema.ts
 * says which). Pure functions of the field's bytes: the tests hold them to
 * the CSV of the same input.
 */

/** A value of a Parquet column: null for an empty field. */
export type ParquetValue = number | bigint | string | null;

const MINUS = 45;
const ZERO = 48;
const DOT = 46;

/** Parses `[-]digits` of b[start, end) as a number (exact below 2^53); NaN when not an integer. */
function decimal(b: Buffer, start: number, end: number): number {
  let i = start;
  const negative = b[i] === MINUS;
  if (negative) i++;
  if (i === end) return NaN;
  let v = 0;
  for (; i < end; i++) {
    const d = b[i]! - ZERO;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  return negative ? -v : v;
}

function invalid(kind: ParquetKind, b: Buffer, start: number, end: number): Error {
  return new Error(`not a ${kind} value: ${JSON.stringify(b.toString('utf8', start, end))}`);
}

/** An unsigned integer of `bits` (8, 16, 32): the printed value modulo 2^bits (the original prints some as signed). */
function unsigned(bits: number, kind: ParquetKind, b: Buffer, start: number, end: number): number {
  const v = decimal(b, start, end);
  if (!Number.isInteger(v) || v >= 2 ** bits || v < -(2 ** (bits - 1))) throw invalid(kind, b, start, end);
  return v < 0 ? v + 2 ** bits : v;
}

/** Digits that a double holds exactly (15 < log10(2^53)). */
const EXACT_DIGITS = 15;
const U64 = 2n ** 64n;

/** A u64: the printed value (decimal, signed in the original for the 64-bit counters) modulo 2^64. */
function u64(b: Buffer, start: number, end: number): bigint {
  if (end - start <= EXACT_DIGITS) {
    const v = decimal(b, start, end);
    if (!Number.isInteger(v)) throw invalid('u64', b, start, end);
    return v < 0 ? BigInt(v) + U64 : BigInt(v);
  }
  let v: bigint;
  try {
    v = BigInt(b.toString('latin1', start, end));
  } catch {
    throw invalid('u64', b, start, end);
  }
  if (v >= U64 || v < -(U64 >> 1n)) throw invalid('u64', b, start, end);
  return v < 0n ? v + U64 : v;
}

function hex64(b: Buffer, start: number, end: number): bigint {
  const text = b.toString('latin1', start, end);
  if (!/^[0-9A-Fa-f]{1,16}$/.test(text)) throw invalid('hex64', b, start, end);
  return BigInt('0x' + text);
}

/** Seconds since the epoch of the last timestamp's date and time (rows of a file share them), and that text. */
let lastSecondsText = '';
let lastSeconds = 0n;
const TIMESTAMP = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)$/;
const OFFSET = /^([+-])(\d\d):(\d\d)$/;

/** RFC 3339 text (Go's time.Time in JSON: `2019-03-28T23:32:44.954263954Z`, up to 9 fraction digits, Z or ±hh:mm) as nanoseconds since the epoch. */
export function timestampNanos(b: Buffer, start: number, end: number): bigint {
  const secondsEnd = start + 19;
  const secondsText = b.toString('latin1', start, Math.min(secondsEnd, end));
  let seconds: bigint;
  if (secondsText === lastSecondsText) {
    seconds = lastSeconds;
  } else {
    const m = TIMESTAMP.exec(secondsText);
    if (m === null) throw invalid('timestamp', b, start, end);
    const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
    // Date.UTC maps years 0-99 to 1900-1999; Go's times are proleptic from year 1.
    const fixed = +m[1]! < 100 ? new Date(ms).setUTCFullYear(+m[1]!) : ms;
    seconds = BigInt(fixed / 1000);
    lastSecondsText = secondsText;
    lastSeconds = seconds;
  }
  let i = secondsEnd;
  let nanos = 0;
  if (b[i] === DOT) {
    let scale = 100_000_000;
    for (i++; i < end && b[i]! >= ZERO && b[i]! <= ZERO + 9; i++) {
      nanos += (b[i]! - ZERO) * scale;
      scale /= 10;
    }
    if (scale < 0.1) throw invalid('timestamp', b, start, end); // more than 9 digits
  }
  let offsetSeconds = 0;
  const zone = b.toString('latin1', i, end);
  if (zone !== 'Z') {
    const m = OFFSET.exec(zone);
    if (m === null) throw invalid('timestamp', b, start, end);
    offsetSeconds = (m[1] === '-' ? -1 : 1) * (+m[2]! * 3600 + +m[3]! * 60);
  }
  return (seconds - BigInt(offsetSeconds)) * 1_000_000_000n + BigInt(nanos);
}

/** The Parquet value of a field of the given kind; throws (with the text) when the field does not fit the kind. */
export function parquetValue(kind: ParquetKind, b: Buffer, start: number, end: number, quoted: boolean): ParquetValue {
  if (start === end && !quoted) return null;
  switch (kind) {
    case 'u8':
      return unsigned(8, kind, b, start, end);
    case 'u16':
      return unsigned(16, kind, b, start, end);
    case 'u32':
      return unsigned(32, kind, b, start, end);
    case 'u64':
      return u64(b, start, end);
    case 'hex64':
      return hex64(b, start, end);
    case 'timestamp':
      return timestampNanos(b, start, end);
    default:
      return fieldText(b, start, end, quoted);
  }
}
