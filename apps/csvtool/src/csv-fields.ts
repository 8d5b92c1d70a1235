/**
 * Splits CSV text (RFC 4180, as csvField and Go's encoding/csv write it:
 * fields quoted only when needed, `""` for a quote, newlines allowed inside
 * quotes) into rows of fields, incrementally over chunks. A field is handed
 * over as a byte range of the current buffer, so a numeric column never
 * becomes a string.
 */

const QUOTE = 34;
const COMMA = 44;
const CR = 13;
const LF = 10;

/** Receives the fields of each row. */
export interface FieldSink {
  /** Field `index` of the current row is `bytes[start, end)`; `quoted`: it was quoted (unescape `""`). */
  field(index: number, bytes: Buffer, start: number, end: number, quoted: boolean): void;
  /** The current row ended after `fields` fields. */
  endRow(fields: number): void;
}

/** The text of a field as {@link FieldSink.field} gives it. */
export function fieldText(bytes: Buffer, start: number, end: number, quoted: boolean): string {
  const text = bytes.toString('utf8', start, end);
  return quoted ? text.replace(/""/g, '"') : text;
}

/**
 * Feeds CSV chunks to a {@link FieldSink} row by row. A row split across
 * chunks is kept until its end arrives; {@link end} takes a last row without
 * a final newline.
 */
export class CsvFieldSplitter {
  #carry: Buffer = Buffer.alloc(0);

  constructor(private readonly sink: FieldSink) {}

  /** Splits every complete row of `carry + chunk`; keeps the rest. */
  push(chunk: Buffer): void {
    const bytes = this.#carry.length === 0 ? chunk : Buffer.concat([this.#carry, chunk]);
    const done = this.#rows(bytes, false);
    this.#carry = done === bytes.length ? Buffer.alloc(0) : Buffer.from(bytes.subarray(done));
  }

  /** Ends the input: a last row without a newline is a row. */
  end(): void {
    if (this.#carry.length > 0) this.#rows(this.#carry, true);
    this.#carry = Buffer.alloc(0);
  }

  /** Splits rows from the start of `b`; returns where the first incomplete row starts (b.length when none). */
  #rows(b: Buffer, final: boolean): number {
    const sink = this.sink;
    const n = b.length;
    let rowStart = 0;
    let pos = 0;
    let index = 0;
    while (pos < n || (final && pos === n && rowStart < n)) {
      let start = pos;
      let end: number;
      let quoted = false;
      if (b[pos] === QUOTE) {
        // A quoted field: up to the quote not followed by another.
        quoted = true;
        start = ++pos;
        for (;;) {
          const q = b.indexOf(QUOTE, pos);
          if (q < 0) {
            if (!final) return rowStart; // its end is in a later chunk
            end = pos = n;
            break;
          }
          if (b[q + 1] === QUOTE) {
            pos = q + 2;
            continue;
          }
          if (q + 1 === n && !final) return rowStart; // the next chunk may start with a quote
          end = q;
          pos = q + 1;
          break;
        }
      } else {
        while (pos < n && b[pos] !== COMMA && b[pos] !== LF) pos++;
        if (pos === n && !final) return rowStart;
        end = pos > start && b[pos - 1] === CR && b[pos] === LF ? pos - 1 : pos;
      }
      sink.field(index++, b, start, end, quoted);
      if (pos < n && b[pos] === COMMA) {
        pos++;
        continue;
      }
      if (b[pos] === CR && b[pos + 1] === LF) pos++;
      pos++; // the newline (or past the end)
      sink.endRow(index);
      index = 0;
      rowStart = pos;
    }
    return Math.min(rowStart, n);
  }
}
