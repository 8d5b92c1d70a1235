import type { Writable } from 'node:stream';

/** Output is handed to the stream in chunks of about this size (one write call each). */
const CHUNK_BYTES = 64 * 1024;

/** "00" … "99" as character codes, two per number. */
const DIGIT_PAIRS = Uint8Array.from({ length: 200 }, (_, i) => 48 + (i % 2 === 0 ? Math.floor(i / 20) : (i >> 1) % 10));

/**
 * Text written as bytes into a chunk, digits included, so a CSV row costs no
 * string building; full chunks go to the stream whole. A chunk is never
 * reused after it is written (the stream may still hold it): each flush
 * starts a fresh one.
 */
export class ByteOutput {
  #buf: Buffer = Buffer.allocUnsafe(2 * CHUNK_BYTES);
  /** Next free offset in the current chunk. */
  #pos = 0;
  /** The stream returned false from write: wait for 'drain' at the next {@link flushIfFull}. */
  #mustWait = false;

  constructor(private readonly out: Writable) {}

  /**
   * Makes room for `n` more bytes: when the chunk cannot hold them, it goes to
   * the stream now (without waiting; {@link flushIfFull} waits for 'drain')
   * and a fresh chunk starts.
   */
  reserve(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    this.#handOver();
    if (n > this.#buf.length) this.#buf = Buffer.allocUnsafe(n);
  }

  /** One byte (a separator), within reserved room. */
  byte(code: number): void {
    this.#buf[this.#pos++] = code;
  }

  /** An ASCII string, within reserved room. */
  ascii(text: string): void {
    const buf = this.#buf;
    let pos = this.#pos;
    for (let i = 0; i < text.length; i++) buf[pos++] = text.charCodeAt(i);
    this.#pos = pos;
  }

  /** Any string as UTF-8 (reserves its own room). */
  utf8(text: string): void {
    this.reserve(text.length * 3);
    this.#pos += this.#buf.write(text, this.#pos, 'utf8');
  }

  /** Bytes copied from `src[start, end)`, within reserved room. */
  bytes(src: Uint8Array, start: number, end: number): void {
    const buf = this.#buf;
    let pos = this.#pos;
    for (let i = start; i < end; i++) buf[pos++] = src[i]!;
    this.#pos = pos;
  }

  /**
   * A non-negative integer below 2^53 in decimal, within reserved room (at most
   * 16 digits). Digits are produced right to left, two at a time, after
   * counting them; values that fit in 31 bits use integer division.
   */
  uint(n: number): void {
    const buf = this.#buf;
    if (n < 10) {
      buf[this.#pos++] = 48 + n;
      return;
    }
    let digits = 2;
    for (let p = 100; p <= n && digits < 16; p *= 10) digits++;
    let pos = this.#pos + digits;
    this.#pos = pos;
    while (n > 0x7fffffff) {
      const q = Math.floor(n / 100);
      const r = 2 * (n - q * 100);
      buf[--pos] = DIGIT_PAIRS[r + 1]!;
      buf[--pos] = DIGIT_PAIRS[r]!;
      n = q;
    }
    let m = n | 0;
    while (m >= 100) {
      const q = (m / 100) | 0;
      const r = 2 * (m - q * 100);
      buf[--pos] = DIGIT_PAIRS[r + 1]!;
      buf[--pos] = DIGIT_PAIRS[r]!;
      m = q;
    }
    if (m >= 10) {
      buf[--pos] = DIGIT_PAIRS[2 * m + 1]!;
      buf[--pos] = DIGIT_PAIRS[2 * m]!;
    } else {
      buf[--pos] = 48 + m;
    }
  }

  /** A signed integer of magnitude below 2^53, within reserved room. */
  int(n: number): void {
    if (n < 0) {
      this.#buf[this.#pos++] = 45; // '-'
      n = -n;
    }
    this.uint(n);
  }

  /** A 32-bit value as upper-case hex digits, `width` at least (zero-padded), within reserved room. */
  hex32(n: number, width: number): void {
    const buf = this.#buf;
    let digits = 1;
    while (digits < 8 && n >>> (4 * digits) !== 0) digits++;
    if (digits < width) digits = width;
    let pos = this.#pos + digits;
    this.#pos = pos;
    for (let i = 0; i < digits; i++) {
      const d = n & 0xf;
      buf[--pos] = d < 10 ? 48 + d : 55 + d;
      n >>>= 4;
    }
  }

  /** Bytes waiting in the current chunk. */
  get pending(): number {
    return this.#pos;
  }

  /** Hands the chunk to the stream once it holds {@link CHUNK_BYTES}, then waits for 'drain' if the stream asked to. */
  async flushIfFull(): Promise<void> {
    if (this.#pos >= CHUNK_BYTES) this.#handOver();
    if (this.#mustWait) {
      this.#mustWait = false;
      await drained(this.out);
    }
  }

  /** Hands whatever is buffered to the stream (and waits for 'drain' if asked to). */
  async flush(): Promise<void> {
    this.#handOver();
    await this.flushIfFull();
  }

  #handOver(): void {
    if (this.#pos === 0) return;
    const chunk = this.#buf.subarray(0, this.#pos);
    this.#buf = Buffer.allocUnsafe(2 * CHUNK_BYTES);
    this.#pos = 0;
    if (!this.out.write(chunk)) this.#mustWait = true;
  }
}

function drained(out: Writable): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (e: Error) => {
      out.off('drain', onDrain);
      reject(e);
    };
    const onDrain = () => {
      out.off('error', onError);
      resolve();
    };
    out.once('error', onError);
    out.once('drain', onDrain);
  });
}
