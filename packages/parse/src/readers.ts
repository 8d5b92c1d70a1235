import { ArchivalRecord, NetlinkParseError } from '@tcpinfo/netlink';
import { InetDiagParseError } from '@tcpinfo/inetdiag';
import { TcpInfoReadError } from './errors.js';
import { readLineBytesBatches, type Input, type InputLine, type ReadOptions } from './input.js';
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
  #iterator: AsyncGenerator<SnapshotWithLine> | undefined;
  constructor(
    /** The input, for consumers that read its bytes themselves (toCsv) before anyone iterated. */
    readonly input: Input,
    readonly options: RecordReadOptions,
  ) {}

  /** Whether iteration began (the input is then being consumed). */
  get started(): boolean {
    return this.#iterator !== undefined;
  }

  #it(): AsyncGenerator<SnapshotWithLine> {
    return (this.#iterator ??= decodeSnapshots(this.input, this.options));
  }
  next(): Promise<IteratorResult<SnapshotWithLine>> {
    return this.#it().next();
  }
  return(value?: unknown): Promise<IteratorResult<SnapshotWithLine>> {
    return this.#it().return(value as undefined);
  }
  throw(error?: unknown): Promise<IteratorResult<SnapshotWithLine>> {
    return this.#it().throw(error);
  }
  [Symbol.asyncIterator](): this {
    return this;
  }
}

/**
 * Lines in the original's exact snapshot form (all but header records, in
 * files the daemon or the original wrote) are scanned into bytes and give
 * snapshots that decode on access (snapshot-on-access.ts); any other line is
 * parsed and decoded by the reference path (ArchivalRecord.parseLine,
 * decodeRecord), which also words the error of a bad line.
 */
async function* decodeSnapshots(input: Input, options: RecordReadOptions): AsyncGenerator<SnapshotWithLine> {
  const scanner = new CanonicalLineScanner();
  const slots = new RecordSlots();
  for await (const batch of readLineBytesBatches(input, options)) {
    const { bytes, starts, ends, numbers, source } = batch;
    for (let i = 0; i < starts.length; i++) {
      if (scanner.scanBytes(bytes, starts[i]!, ends[i]!, slots)) {
        // The scanner takes only ASCII lines: their text is their bytes as latin1 (a plain copy, no UTF-8 decoding).
        yield { snapshot: snapshotOfSlots(slots), line: { text: bytes.toString('latin1', starts[i], ends[i]), number: numbers[i]!, source } };
        continue;
      }
      const line: InputLine = { text: bytes.toString('utf8', starts[i], ends[i]), number: numbers[i]!, source };
      let decoded: DecodedRecord;
      try {
        decoded = decodeRecord(ArchivalRecord.parseLine(line.text));
      } catch (err) {
        const e = badRecord(line, err);
        if (options.onInvalid === undefined) throw await batch.lineError(e);
        options.onInvalid(e);
        continue;
      }
      yield { ...decoded, line };
    }
  }
}
