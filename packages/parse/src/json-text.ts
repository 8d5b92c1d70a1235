import { ASCII } from '@tcpinfo/go-format';
import { LineBytes } from '@tcpinfo/netlink';
import { putInt } from './csv/put-text.js';

/**
 * The growing byte buffer JSON text is written into (netlink's LineBytes,
 * the daemon's line writer), turned into one string at the end, plus JSON's
 * rules for strings and numbers: the JSON lines' writer (snapshot-json.ts)
 * puts numbers digit by digit and keys as cached bytes, instead of
 * concatenating a few hundred small strings a line (their allocation was ~1/3
 * of the JSON lines' time). Reused from line to line; never re-entered
 * (nothing it calls writes JSON).
 */
const { QUOTE, BACKSLASH } = ASCII;

export class JsonText extends LineBytes {
  #view: DataView = new DataView(new ArrayBuffer(0));
  #viewOf: Buffer | undefined;

  constructor() {
    super(16 * 1024);
  }

  /** Nothing but ASCII written since {@link reset}: the text is then its bytes as latin1 (a plain copy, no UTF-8 decoding). */
  #ascii = true;

  override reset(): void {
    super.reset();
    this.#ascii = true;
  }

  /** This text's own buffer while it writes into someone else's ({@link writeInto}). */
  #own: Buffer | undefined;

  /**
   * Continues the bytes `target[0, position)` in place: what is written next
   * lands in `target` (a ByteOutput's chunk), with no copy out. {@link release}
   * ends it and returns the buffer holding the result: `target`, or, if the
   * text outgrew it, a larger copy of it (made by {@link reserve}, bytes
   * before `position` included).
   */
  writeInto(target: Buffer, position: number): void {
    this.#own ??= this.buffer;
    this.buffer = target;
    this.length = position;
    this.#ascii = true;
  }

  /** Ends {@link writeInto}: returns the buffer written into (its end is {@link length}); this text writes into its own buffer again. */
  release(): Buffer {
    const written = this.buffer;
    if (this.#own !== undefined) this.buffer = this.#own;
    this.#own = undefined;
    return written;
  }

  /** The text written since {@link reset}. */
  override toString(): string {
    return this.buffer.toString(this.#ascii ? 'latin1' : 'utf8', 0, this.length);
  }

  override utf8(text: string): void {
    this.#ascii = false; // (perhaps not: the flag only has to be true when it is)
    super.utf8(text);
  }

  override bytes(b: Uint8Array): void {
    for (let i = 0; i < b.length; i++) if (b[i]! > 0x7f) this.#ascii = false;
    super.bytes(b);
  }

  override byte(value: number): void {
    if (value > 0x7f) this.#ascii = false;
    super.byte(value);
  }

  /** A DataView of {@link buffer} (made again when it grows): unaligned 32-bit stores for writers of cached ASCII. */
  view(): DataView {
    const b = this.buffer;
    if (this.#viewOf !== b) {
      this.#viewOf = b;
      this.#view = new DataView(b.buffer, b.byteOffset, b.length);
    }
    return this.#view;
  }

  /** A string as JSON.stringify writes it: printable ASCII char by char; anything else through JSON.stringify. */
  string(text: string): void {
    const buf = this.reserve(text.length + 2);
    let pos = this.length;
    buf[pos++] = QUOTE;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === QUOTE || c === BACKSLASH) {
        this.utf8(JSON.stringify(text)); // escapes and non-ASCII: JSON's own rules (the bytes written so far are overwritten)
        return;
      }
      buf[pos++] = c;
    }
    buf[pos++] = QUOTE;
    this.length = pos;
  }

  /** A number as JSON writes it: an integer below 2^53 digit by digit, others by String, non-finite as null. */
  number(n: number): void {
    if (Number.isSafeInteger(n)) this.length = putInt(this.reserve(17), this.length, n);
    else this.utf8(Number.isFinite(n) ? String(n) : 'null');
  }
}

/** ASCII text as bytes (keys, punctuation). */
export const asciiBytes = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));
