/**
 * Writers of text into a byte array at a position, each returning the next
 * position: the row formatter's hot loop keeps the array and position in
 * locals and calls these small functions (which V8 inlines) instead of
 * methods that load and store an object's fields per byte. The caller
 * guarantees the room.
 */

/** "00" … "99" as character codes, two per number. */
const DIGIT_PAIRS = Uint8Array.from({ length: 200 }, (_, i) => 48 + (i % 2 === 0 ? Math.floor(i / 20) : (i >> 1) % 10));

/**
 * A non-negative integer below 2^53 in decimal (at most 16 digits). Digits are
 * produced right to left, two at a time, after counting them; values that fit
 * in 31 bits use integer division.
 */
export function putUint(buf: Uint8Array, pos: number, n: number): number {
  if (n < 10) {
    buf[pos] = 48 + n;
    return pos + 1;
  }
  const digits =
    n < 1e4 ? (n < 100 ? 2 : n < 1e3 ? 3 : 4)
    : n < 1e8 ? (n < 1e5 ? 5 : n < 1e6 ? 6 : n < 1e7 ? 7 : 8)
    : n < 1e12 ? (n < 1e9 ? 9 : n < 1e10 ? 10 : n < 1e11 ? 11 : 12)
    : n < 1e13 ? 13 : n < 1e14 ? 14 : n < 1e15 ? 15 : 16; // a comparison tree: a loop of multiplications cost more
  const end = pos + digits;
  let at = end;
  while (n > 0x7fffffff) {
    const q = Math.floor(n / 100);
    const r = 2 * (n - q * 100);
    buf[--at] = DIGIT_PAIRS[r + 1]!;
    buf[--at] = DIGIT_PAIRS[r]!;
    n = q;
  }
  let m = n | 0;
  while (m >= 100) {
    const q = (m / 100) | 0;
    const r = 2 * (m - q * 100);
    buf[--at] = DIGIT_PAIRS[r + 1]!;
    buf[--at] = DIGIT_PAIRS[r]!;
    m = q;
  }
  if (m >= 10) {
    buf[--at] = DIGIT_PAIRS[2 * m + 1]!;
    buf[--at] = DIGIT_PAIRS[2 * m]!;
  } else {
    buf[--at] = 48 + m;
  }
  return end;
}

/** `n` (below 10^8) as exactly 8 digits, zero-padded. */
function putEightDigits(buf: Uint8Array, pos: number, n: number): number {
  for (let at = pos + 6; at >= pos; at -= 2) {
    const q = (n / 100) | 0;
    const r = 2 * (n - q * 100);
    buf[at] = DIGIT_PAIRS[r]!;
    buf[at + 1] = DIGIT_PAIRS[r + 1]!;
    n = q;
  }
  return pos + 8;
}

/**
 * An unsigned 64-bit integer given as its 32-bit halves, in decimal (at most
 * 20 digits), without BigInt: a BigInt and its string per value were ~1% of
 * --format=jsonl, whose tcp_info has 2^64 - 1 (max_pacing_rate) in most lines.
 * Below 2^53 the halves combine exactly in a double; above, the value is
 * divided by 10^8 in 16-bit steps (every partial result stays below 2^53),
 * and the digits kept for the next call: the same value comes again and again.
 */
export function putUint64(buf: Uint8Array, pos: number, lo: number, hi: number): number {
  if (hi < 0x200000) return putUint(buf, pos, hi * 0x100000000 + lo);
  if (lo === lastLo && hi === lastHi) {
    // The value of the call before (most often 2^64 - 1, the kernel's "unlimited"): its digits again.
    for (let i = 0; i < lastLength; i++) buf[pos + i] = lastDigits[i]!;
    return pos + lastLength;
  }
  const end = putUint64Digits(buf, pos, lo, hi);
  lastLo = lo;
  lastHi = hi;
  lastLength = end - pos;
  for (let i = 0; i < lastLength; i++) lastDigits[i] = buf[pos + i]!;
  return end;
}
/** The last value above 2^53 that {@link putUint64} wrote, and its digits. */
let lastLo = -1;
let lastHi = -1;
let lastLength = 0;
const lastDigits = new Uint8Array(20);

/** {@link putUint64}'s division, for values of 2^53 and above. */
function putUint64Digits(buf: Uint8Array, pos: number, lo: number, hi: number): number {
  // Long division of hi:lo by 10^8: hi first, then lo's two 16-bit halves.
  let quotient = Math.floor(hi / 1e8);
  let rest = hi - quotient * 1e8;
  let cur = rest * 0x10000 + (lo >>> 16);
  let q = Math.floor(cur / 1e8);
  rest = cur - q * 1e8;
  quotient = quotient * 0x10000 + q;
  cur = rest * 0x10000 + (lo & 0xffff);
  q = Math.floor(cur / 1e8);
  rest = cur - q * 1e8;
  quotient = quotient * 0x10000 + q;
  // value = quotient * 10^8 + rest, quotient < 2^64 / 10^8 < 2^38.
  const top = Math.floor(quotient / 1e8);
  if (top > 0) {
    pos = putUint(buf, pos, top);
    pos = putEightDigits(buf, pos, quotient - top * 1e8);
  } else {
    pos = putUint(buf, pos, quotient);
  }
  return putEightDigits(buf, pos, rest);
}

/** A signed integer of magnitude below 2^53. */
export function putInt(buf: Uint8Array, pos: number, n: number): number {
  if (n >= 0) return putUint(buf, pos, n);
  buf[pos] = 45; // '-'
  return putUint(buf, pos + 1, -n);
}

/** A 32-bit value as upper-case hex digits, at least `width` of them (zero-padded). */
export function putHex32(buf: Uint8Array, pos: number, n: number, width: number): number {
  let digits = 1;
  while (digits < 8 && n >>> (4 * digits) !== 0) digits++;
  if (digits < width) digits = width;
  const end = pos + digits;
  let at = end;
  for (let i = 0; i < digits; i++) {
    const d = n & 0xf;
    buf[--at] = d < 10 ? 48 + d : 55 + d;
    n >>>= 4;
  }
  return end;
}

/** An ASCII string. */
export function putAscii(buf: Uint8Array, pos: number, text: string): number {
  for (let i = 0; i < text.length; i++) buf[pos++] = text.charCodeAt(i);
  return pos;
}

/** Bytes copied from `src[start, end)`. */
export function putBytes(buf: Uint8Array, pos: number, src: Uint8Array, start: number, end: number): number {
  for (let i = start; i < end; i++) buf[pos++] = src[i]!;
  return pos;
}
