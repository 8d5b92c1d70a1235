import { ArchivalRecord, NetlinkParseError } from '@tcpinfo/netlink';
import { InetDiagParseError } from '@tcpinfo/inetdiag';
import { TcpInfoReadError } from './errors.js';
import { readLineBytesBatches, type Input, type InputLine, type LineBytesBatch, type ReadOptions } from './input.js';
import { decodeRecord, type DecodedRecord } from './snapshot.js';
import { snapshotOfSlots } from './snapshot-on-access.js';
import { CanonicalLineScanner } from './csv/line-scanner.js';
import { RecordSlots } from './csv/record-slots.js';

/** Options of the record readers. */
export interface RecordReadOptions extends ReadOptions {
  /**
   * Called for a line that is not an ArchivalRecord; the line is skipped. Without
   * it, such a line ends the iteration with a {@link TcpInfoReadError} (BAD_RECORD).
   */
  readonly onInvalid?: (error: TcpInfoReadError) => void;
}

/** A raw record with the line it came from. */
export interface RecordWithLine {
  readonly record: ArchivalRecord;
  readonly line: InputLine;
}

/** A decoded record with the line it came from. */
export interface SnapshotWithLine extends DecodedRecord {
  readonly line: InputLine;
}

function badRecord(line: InputLine, err: unknown): TcpInfoReadError {
  const known = err instanceof NetlinkParseError || err instanceof InetDiagParseError;
  return new TcpInfoReadError('BAD_RECORD', line.source, line.number, `not an ArchivalRecord: ${known ? (err as Error).message : String(err)}`);
}

/**
 * The ArchivalRecords of a JSONL input (plain or .zst), streamed. A bad line
 * of corrupt zstd data is reported as the corruption (BAD_ZSTD), naming the file.
 */
export async function* readRecords(input: Input, options: RecordReadOptions = {}): AsyncGenerator<RecordWithLine> {
  for await (const batch of readLineBytesBatches(input, options)) {
    const { bytes, starts, ends, numbers, source } = batch;
    for (let i = 0; i < starts.length; i++) {
      const line: InputLine = { text: bytes.toString('utf8', starts[i], ends[i]), number: numbers[i]!, source };
      let record: ArchivalRecord;
      try {
        record = ArchivalRecord.parseLine(line.text);
      } catch (err) {
        const e = badRecord(line, err);
        if (options.onInvalid === undefined) throw await batch.lineError(e);
        options.onInvalid(e);
        continue;
      }
      yield { record, line };
    }
  }
}

/**
 * The decoded snapshots of a JSONL input (plain or .zst), streamed, with the
 * header's metadata on header records: `for await (const { metadata, snapshot } of readSnapshots(path))`.
 * Handed to {@link toCsv} before it is iterated, the input is converted
 * straight from its bytes (the fast path); any other use iterates it.
 */
export function readSnapshots(input: Input, options: RecordReadOptions = {}): SnapshotStream {
  return new SnapshotStream(input, options);
}

/** What {@link readSnapshots} returns: an async iterator of snapshots that remembers its input. */
export class SnapshotStream implements AsyncIterableIterator<SnapshotWithLine> {
  #iterator: SnapshotDecoder | undefined;
  constructor(
    /** The input, for consumers that read its bytes themselves (toCsv) before anyone iterated. */
    readonly input: Input,
    readonly options: RecordReadOptions,
  ) {}

  /** Whether iteration began (the input is then being consumed). */
  get started(): boolean {
    return this.#iterator !== undefined;
  }

  #it(): SnapshotDecoder {
    return (this.#iterator ??= new SnapshotDecoder(this.input, this.options));
  }
  next(): Promise<IteratorResult<SnapshotWithLine>> {
    return this.#it().next();
  }
  return(value?: unknown): Promise<IteratorResult<SnapshotWithLine>> {
    return this.#it().return(value);
  }
  throw(error?: unknown): Promise<IteratorResult<SnapshotWithLine>> {
    return this.#it().throw(error);
  }
  [Symbol.asyncIterator](): this {
    return this;
  }
}

/**
 * A fast-path line: its text is made from the input's bytes when first read
 * (most jobs never read it; making it was ~7% of a snapshot). Until then it
 * keeps the input chunk it lies in (up to 256 KiB, shared by the chunk's
 * lines: a job that keeps a few lines of many chunks should read their text);
 * a Uint8Array input is read from where it is, so it must not change while
 * its lines are in use.
 */
class ChunkLine implements InputLine {
  #bytes: Buffer | undefined;
  #text: string | undefined;
  readonly #start: number;
  readonly #end: number;
  constructor(
    bytes: Buffer,
    start: number,
    end: number,
    readonly number: number,
    readonly source: string,
  ) {
    this.#bytes = bytes;
    this.#start = start;
    this.#end = end;
  }
  get text(): string {
    if (this.#text === undefined) {
      // The scanner takes only ASCII lines: their text is their bytes as latin1 (a plain copy, no UTF-8 decoding).
      this.#text = this.#bytes!.toString('latin1', this.#start, this.#end);
      this.#bytes = undefined;
    }
    return this.#text;
  }
  toJSON(): InputLine {
    return { text: this.text, number: this.number, source: this.source };
  }
}

const DONE: IteratorResult<SnapshotWithLine> = Object.freeze({ value: undefined, done: true });

/**
 * Lines in the original's exact snapshot form (all but header records, in
 * files the daemon or the original wrote) are scanned into bytes and give
 * snapshots that decode on access (snapshot-on-access.ts); any other line is
 * parsed and decoded by the reference path (ArchivalRecord.parseLine,
 * decodeRecord), which also words the error of a bad line.
 *
 * A hand-written async iterator rather than an async generator: while a
 * batch of lines lasts, `next()` decodes one line synchronously and returns
 * an already resolved promise; an async generator paid several microtask
 * turns a snapshot for its queue and the implicit await of each `yield`.
 * Calls of `next()` made before the previous one settled are served in order.
 */
class SnapshotDecoder implements AsyncIterableIterator<SnapshotWithLine> {
  readonly #options: RecordReadOptions;
  readonly #batches: AsyncGenerator<LineBytesBatch>;
  readonly #scanner = new CanonicalLineScanner();
  readonly #slots = new RecordSlots();
  #batch: LineBytesBatch | undefined;
  #i = 0;
  /** A bad line met by {@link #decodeNext} (no onInvalid): the iteration ends with it. */
  #bad: TcpInfoReadError | undefined;
  #done = false;
  /** The last slow-path call in flight: later calls wait for it. */
  #pending: Promise<IteratorResult<SnapshotWithLine>> | undefined;

  constructor(input: Input, options: RecordReadOptions) {
    this.#options = options;
    this.#batches = readLineBytesBatches(input, options);
  }

  next(): Promise<IteratorResult<SnapshotWithLine>> {
    if (this.#pending === undefined && !this.#done) {
      let value: SnapshotWithLine | undefined;
      try {
        value = this.#decodeNext();
      } catch (err) {
        return this.#queue(() => this.#fail(err)); // onInvalid threw
      }
      if (value !== undefined) return Promise.resolve({ value, done: false });
    }
    return this.#queue(() => this.#advance());
  }

  return(value?: unknown): Promise<IteratorResult<SnapshotWithLine>> {
    return this.#queue(async () => {
      this.#done = true;
      await this.#batches.return(undefined);
      return { value: value as undefined, done: true };
    });
  }

  throw(error?: unknown): Promise<IteratorResult<SnapshotWithLine>> {
    return this.#queue(() => this.#fail(error));
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Runs `step` after the slow-path call in flight, if any. */
  #queue(step: () => Promise<IteratorResult<SnapshotWithLine>>): Promise<IteratorResult<SnapshotWithLine>> {
    const before = this.#pending;
    const p = before === undefined ? step() : before.then(step, step);
    this.#pending = p;
    const settled = () => {
      if (this.#pending === p) this.#pending = undefined;
    };
    p.then(settled, settled);
    return p;
  }

  /** The next line's snapshot from the current batch; undefined at its end or at a bad line (then in {@link #bad}). */
  #decodeNext(): SnapshotWithLine | undefined {
    const batch = this.#batch;
    if (batch === undefined) return undefined;
    const { bytes, starts, ends, numbers, source } = batch;
    while (this.#i < starts.length) {
      const i = this.#i++;
      const start = starts[i]!;
      const end = ends[i]!;
      if (this.#scanner.scanBytes(bytes, start, end, this.#slots)) {
        return { snapshot: snapshotOfSlots(this.#slots), line: new ChunkLine(bytes, start, end, numbers[i]!, source) };
      }
      const line: InputLine = { text: bytes.toString('utf8', start, end), number: numbers[i]!, source };
      try {
        return { ...decodeRecord(ArchivalRecord.parseLine(line.text)), line };
      } catch (err) {
        const e = badRecord(line, err);
        if (this.#options.onInvalid === undefined) {
          this.#bad = e;
          return undefined;
        }
        this.#options.onInvalid(e);
      }
    }
    return undefined;
  }

  /** Ends the iteration with `error`, the input closed. */
  async #fail(error: unknown): Promise<never> {
    this.#done = true;
    await this.#batches.return(undefined);
    throw error;
  }

  /** The slow path: a bad line's error, or the next batch. */
  async #advance(): Promise<IteratorResult<SnapshotWithLine>> {
    for (;;) {
      if (this.#done) return DONE;
      // A bad line may have been met by next()'s synchronous step already.
      let value: SnapshotWithLine | undefined;
      if (this.#bad === undefined) {
        try {
          value = this.#decodeNext();
        } catch (err) {
          return this.#fail(err); // onInvalid threw
        }
        if (value !== undefined) return { value, done: false };
      }
      const bad = this.#bad;
      if (bad !== undefined) {
        this.#bad = undefined;
        this.#done = true;
        return this.#fail(await this.#batch!.lineError(bad));
      }
      let r: IteratorResult<LineBytesBatch>;
      try {
        r = await this.#batches.next();
      } catch (err) {
        this.#done = true;
        throw err;
      }
      if (r.done === true) {
        this.#done = true;
        return DONE;
      }
      this.#batch = r.value;
      this.#i = 0;
    }
  }
}
