import { putInt } from './csv/put-text.js';

/**
 * A growing byte buffer that JSON text is written into, turned into one
 * string at the end: the JSON lines' writer (snapshot-json.ts) puts numbers
 * digit by digit and keys as cached bytes, instead of concatenating a few
 * hundred small strings a line (their allocation was ~1/3 of the JSON lines'
 * time). Reused from line to line; never re-entered (nothing it calls writes JSON).
 */
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

export class JsonText {
  #buf = Buffer.allocUnsafe(16 * 1024);
  #pos = 0;

  /** Starts a new text. */
  reset(): this {
    this.#pos = 0;
    return this;
  }

  /** The text written since {@link reset}. */
  text(): string {
    return this.#buf.toString('utf8', 0, this.#pos);
  }

  #room(n: number): Buffer {
    if (this.#pos + n > this.#buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#pos + n));
      this.#buf.copy(bigger, 0, 0, this.#pos);
      this.#buf = bigger;
    }
    return this.#buf;
  }

  /** One ASCII character by its code. */
  char(code: number): void {
    this.#room(1)[this.#pos++] = code;
  }

  /** Bytes as they are (cached ASCII: keys and punctuation). */
  bytes(b: Uint8Array): void {
    const buf = this.#room(b.length);
    buf.set(b, this.#pos);
    this.#pos += b.length;
  }

  /** Text as its UTF-8 bytes (already JSON: a JSON.stringify'd string, a number's text). */
  raw(text: string): void {
    const buf = this.#room(text.length * 3);
    this.#pos += buf.write(text, this.#pos, 'utf8');
  }

  /** Text known to be ASCII (digits, base64, a canonical timestamp), char by char: no call into C++ for a few bytes. */
  ascii(text: string): void {
    const buf = this.#room(text.length);
    let pos = this.#pos;
    for (let i = 0; i < text.length; i++) buf[pos++] = text.charCodeAt(i);
    this.#pos = pos;
  }

  /** A string as JSON.stringify writes it: printable ASCII char by char; anything else through JSON.stringify. */
  string(text: string): void {
    const buf = this.#room(text.length + 2);
    let pos = this.#pos;
    buf[pos++] = QUOTE;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === QUOTE || c === BACKSLASH) {
        this.raw(JSON.stringify(text)); // escapes and non-ASCII: JSON's own rules (the bytes written so far are overwritten)
        return;
      }
      buf[pos++] = c;
    }
    buf[pos++] = QUOTE;
    this.#pos = pos;
  }

  /** A number as JSON writes it: an integer below 2^53 digit by digit, others by String, non-finite as null. */
  number(n: number): void {
    if (Number.isSafeInteger(n)) this.#pos = putInt(this.#room(17), this.#pos, n);
    else this.raw(Number.isFinite(n) ? String(n) : 'null');
  }
}

/** ASCII text as bytes (keys, punctuation). */
export const asciiBytes = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));
