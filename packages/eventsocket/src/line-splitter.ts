/**
 * Splits a stream of text chunks into lines as Go's `bufio.Scanner` does
 * (`\n` ends a line, one `\r` before it is dropped), with a length limit so
 * that a peer that never sends a newline cannot grow memory without bound.
 * The part of a too-long line is reported once and skipped up to its newline.
 */
export class LineSplitter {
  #partial = '';
  #skipping = false;

  constructor(
    /** Longest line accepted, in UTF-16 code units (newline excluded). */
    readonly maxLineLength: number,
    private readonly onLine: (line: string) => void,
    private readonly onTooLong: (prefix: string) => void,
  ) {}

  /** Feeds one chunk; calls `onLine` for each complete line in it. */
  push(chunk: string): void {
    let start = 0;
    for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', start)) {
      const piece = chunk.slice(start, nl);
      start = nl + 1;
      if (this.#skipping) {
        this.#skipping = false;
        continue;
      }
      let line = this.#partial === '' ? piece : this.#partial + piece;
      this.#partial = '';
      if (line.endsWith('\r')) line = line.slice(0, -1);
      if (line.length > this.maxLineLength) this.onTooLong(line.slice(0, 80));
      else this.onLine(line);
    }
    if (this.#skipping || start === chunk.length) return;
    this.#partial += chunk.slice(start);
    // One byte of slack for a '\r' that the newline may still drop.
    if (this.#partial.length > this.maxLineLength + 1) {
      this.onTooLong(this.#partial.slice(0, 80));
      this.#partial = '';
      this.#skipping = true;
    }
  }

  /** Forgets a partial line (the connection it came from is gone). */
  reset(): void {
    this.#partial = '';
    this.#skipping = false;
  }
}
