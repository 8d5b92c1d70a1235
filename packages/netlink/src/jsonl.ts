import { ArchivalRecord } from './archival-record.js';
import { NetlinkParseError } from './errors.js';
import { DEFAULT_MAX_LINE_LENGTH, type RecordParseOptions } from './record-parse.js';

/** One line's outcome when reading JSONL: a record, or the error of that line. */
export type JsonlReadResult =
  | { readonly lineNumber: number; readonly record: ArchivalRecord; readonly error?: undefined }
  | { readonly lineNumber: number; readonly record?: undefined; readonly error: NetlinkParseError };

/** One line of input, or the reason a line was refused. 1-based line numbers. */
export type JsonlLine =
  | { readonly lineNumber: number; readonly line: Buffer; readonly error?: undefined }
  | { readonly lineNumber: number; readonly line?: undefined; readonly error: NetlinkParseError };

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * Splits a byte stream into lines as Go's `bufio.Scanner` does (split at `\n`,
 * one trailing `\r` removed, no empty line after a final newline), but never
 * holds more than `maxLineLength` bytes: a longer line is reported once as a
 * `LINE_TOO_LONG` error and skipped up to its newline, and splitting goes on.
 */
export class JsonlLineSplitter {
  readonly #maxLineLength: number;
  #pending: Buffer[] = [];
  #pendingLength = 0;
  #skipping = false;
  #lineNumber = 0;

  constructor(options: { readonly maxLineLength?: number } = {}) {
    this.#maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  }

  /** Feeds a chunk; returns the lines it completes (views into `chunk` or copies of joined parts). */
  push(chunk: Uint8Array | string): JsonlLine[] {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const out: JsonlLine[] = [];
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(NEWLINE, start);
      if (nl < 0) break;
      this.#emit(buf.subarray(start, nl), out);
      start = nl + 1;
    }
    if (start < buf.length) this.#hold(buf.subarray(start), out);
    return out;
  }

  /** Ends the input; returns the last line when it had no newline. */
  end(): JsonlLine[] {
    const out: JsonlLine[] = [];
    if (this.#pendingLength > 0 || this.#skipping) this.#emit(Buffer.alloc(0), out);
    return out;
  }

  #hold(part: Buffer, out: JsonlLine[]): void {
    if (this.#skipping) return;
    if (this.#pendingLength + part.length > this.#maxLineLength + 1) {
      // +1: the \r a line may end with before its \n does not count.
      this.#tooLong(out);
      return;
    }
    // Copy: the caller may reuse the chunk's memory once push returns.
    this.#pending.push(Buffer.from(part));
    this.#pendingLength += part.length;
  }

  #emit(tail: Buffer, out: JsonlLine[]): void {
    if (this.#skipping) {
      this.#skipping = false;
      return;
    }
    const lineNumber = ++this.#lineNumber;
    let line = this.#pending.length === 0 ? tail : Buffer.concat([...this.#pending, tail]);
    this.#pending = [];
    this.#pendingLength = 0;
    if (line.length > 0 && line[line.length - 1] === CARRIAGE_RETURN) line = line.subarray(0, line.length - 1);
    if (line.length > this.#maxLineLength) {
      out.push({ lineNumber, error: tooLongError(lineNumber, this.#maxLineLength) });
      return;
    }
    out.push({ lineNumber, line });
  }

  #tooLong(out: JsonlLine[]): void {
    const lineNumber = ++this.#lineNumber;
    out.push({ lineNumber, error: tooLongError(lineNumber, this.#maxLineLength) });
    this.#pending = [];
    this.#pendingLength = 0;
    this.#skipping = true;
  }
}

function tooLongError(lineNumber: number, max: number): NetlinkParseError {
  return new NetlinkParseError('LINE_TOO_LONG', `line ${lineNumber} is longer than ${max} bytes`);
}

/**
 * Reads ArchivalRecords from a stream of JSONL chunks (e.g. a decompressed
 * file or stdin). Yields one result per line; a bad line yields its error and
 * reading continues with the next line.
 */
export async function* readArchivalRecords(
  source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  options: RecordParseOptions = {},
): AsyncGenerator<JsonlReadResult> {
  const splitter = new JsonlLineSplitter(options);
  for await (const chunk of source) {
    for (const line of splitter.push(chunk)) yield parseJsonlLine(line, options);
  }
  for (const line of splitter.end()) yield parseJsonlLine(line, options);
}

/** {@link readArchivalRecords} over a whole text or buffer held in memory. */
export function parseArchivalRecords(input: Uint8Array | string, options: RecordParseOptions = {}): JsonlReadResult[] {
  const splitter = new JsonlLineSplitter(options);
  return [...splitter.push(input), ...splitter.end()].map((line) => parseJsonlLine(line, options));
}

/** Records as JSONL text: each record's line followed by `\n`. */
export function formatJsonl(records: Iterable<ArchivalRecord>): string {
  let text = '';
  for (const record of records) text += record.toJSONLine() + '\n';
  return text;
}

function parseJsonlLine(line: JsonlLine, options: RecordParseOptions): JsonlReadResult {
  if (line.error !== undefined) return line;
  try {
    return { lineNumber: line.lineNumber, record: ArchivalRecord.parseLine(line.line, options) };
  } catch (err) {
    if (err instanceof NetlinkParseError) return { lineNumber: line.lineNumber, error: err };
    throw err;
  }
}
