import { ASCII } from '@tcpinfo/go-format';

/**
 * A growable byte buffer that JSON lines are written into, and the standard
 * base64 encoder that writes into it.
 *
 * Why bytes and not a string: the daemon needs each snapshot's line as UTF-8
 * bytes (for zstd), and building it as a string cost ~14 KB of garbage per
 * snapshot (a base64 string per attribute, the concatenation's cons-strings,
 * their flattening, then the encoding to bytes): 40% of everything the busy
 * daemon allocated, and the young-generation collections that come with it.
 * Written here, a line costs one copy out of a reused buffer.
 */

// Go's base64.StdEncoding alphabet, as byte values.
const ALPHABET = new Uint8Array(64);
for (let i = 0; i < 64; i++) ALPHABET[i] = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.charCodeAt(i);
const PAD = ASCII.EQUALS;

/** Bytes being written; reuse one instance (`reset`) for many lines. */
export class LineBytes {
  /** The bytes; valid in [0, length). Replaced when it grows. */
  buffer: Buffer;
  /** Bytes written since the last reset. */
  length = 0;

  constructor(initialSize = 4096) {
    this.buffer = Buffer.allocUnsafe(initialSize);
  }

  /** Starts a new line in the same buffer. */
  reset(): void {
    this.length = 0;
  }

  /**
   * Room for `n` more bytes; returns the buffer to write them into at
   * `length` (writers that put bytes themselves then advance `length`).
   */
  reserve(n: number): Buffer {
    const need = this.length + n;
    if (need <= this.buffer.length) return this.buffer;
    const grown = Buffer.allocUnsafe(Math.max(need, 2 * this.buffer.length));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
    return grown;
  }

  /** Appends `text`, which must be ASCII (JSON punctuation, keys, digits, timestamps). */
  ascii(text: string): void {
    const n = text.length;
    const buf = this.reserve(n);
    let at = this.length;
    for (let i = 0; i < n; i++) buf[at++] = text.charCodeAt(i);
    this.length = at;
  }

  /** Appends `text` as UTF-8 (any string). */
  utf8(text: string): void {
    this.length += this.reserve(3 * text.length).write(text, this.length, 'utf8');
  }

  /** Appends one byte. */
  byte(value: number): void {
    this.reserve(1)[this.length++] = value;
  }

  /** Appends bytes as they are (cached ASCII: keys and punctuation). */
  bytes(b: Uint8Array): void {
    this.reserve(b.length).set(b, this.length);
    this.length += b.length;
  }

  /** Appends standard padded base64 of `bytes[start, end)` (what Go's encoding/json writes for a []byte). */
  base64(bytes: Uint8Array, start: number, end: number): void {
    const n = end - start;
    const buf = this.reserve(4 * Math.ceil(n / 3));
    let at = this.length;
    let i = start;
    for (const whole = start + n - (n % 3); i < whole; i += 3) {
      const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
      buf[at] = ALPHABET[v >>> 18]!;
      buf[at + 1] = ALPHABET[(v >>> 12) & 63]!;
      buf[at + 2] = ALPHABET[(v >>> 6) & 63]!;
      buf[at + 3] = ALPHABET[v & 63]!;
      at += 4;
    }
    const rest = end - i;
    if (rest === 1) {
      const v = bytes[i]! << 16;
      buf[at] = ALPHABET[v >>> 18]!;
      buf[at + 1] = ALPHABET[(v >>> 12) & 63]!;
      buf[at + 2] = PAD;
      buf[at + 3] = PAD;
      at += 4;
    } else if (rest === 2) {
      const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
      buf[at] = ALPHABET[v >>> 18]!;
      buf[at + 1] = ALPHABET[(v >>> 12) & 63]!;
      buf[at + 2] = ALPHABET[(v >>> 6) & 63]!;
      buf[at + 3] = PAD;
      at += 4;
    }
    this.length = at;
  }

  /** The bytes written as a string (UTF-8). */
  toString(): string {
    return this.buffer.toString('utf8', 0, this.length);
  }

  /** A copy of the bytes written followed by a newline: one allocation, from Node's pool when small. */
  copyWithNewline(): Buffer {
    const out = Buffer.allocUnsafe(this.length + 1);
    this.buffer.copy(out, 0, 0, this.length);
    out[this.length] = 0x0a;
    return out;
  }
}
