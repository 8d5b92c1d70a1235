import { stringify } from 'csv-stringify/sync';
import type { Metadata } from '@tcpinfo/netlink';
import { TcpInfoReadError } from '../errors.js';
import { readLineBytesBatches, type InputLine } from '../input.js';
import { SnapshotStream } from '../readers.js';
import type { Snapshot } from '../snapshot.js';
import { ByteOutput, type ByteSink } from './byte-output.js';
import { ALL_EXTRA_COLUMNS, csvColumns, KEY_COLUMNS, ORIGINAL_COLUMNS, type ColumnSet, type CsvColumn, type CsvRowSource } from './columns.js';
import { LineConverter } from './line-converter.js';
import { RecordSlots } from './record-slots.js';

/** One item of what {@link toCsv} converts: what {@link readSnapshots} yields. */
export interface CsvSourceItem {
  readonly metadata?: Metadata;
  readonly snapshot: Snapshot;
  /** Where it was read (the `File` column); absent: an empty File. */
  readonly line?: InputLine;
}

/** Options of {@link toCsv}. */
export interface ToCsvOptions {
  /**
   * `original` (default): the original csvtool's 105 columns, byte-identical to
   * it; `all`: plus every field it cannot show; or a list of column names from
   * {@link CSV_COLUMNS} (`UUID` and `File` included), in the order to print.
   */
  readonly columns?: ColumnSet | readonly string[];
  /** Write the header line first (default true). */
  readonly header?: boolean;
}

/**
 * Go's encoding/csv quotes a field that holds a quote, comma, CR or LF, that
 * starts with a space (unicode.IsSpace), or that is `\.`; csv-stringify quotes
 * the first kinds itself.
 */
const GO_QUOTED = [/^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/, /^\\\.$/, /\r/];
const STRINGIFY_OPTIONS = {
  quoted_match: GO_QUOTED,
  record_delimiter: 'unix' as const,
  cast: { bigint: (v: bigint) => v.toString(), boolean: (v: boolean) => (v ? '1' : '0') },
};
/** Rows stringified at once on the flexible path (one call per row costs ~3 times more). */
const FLEXIBLE_BATCH_ROWS = 256;

/** A CSV line of values, as Go's encoding/csv writes it (csv-stringify with Go's quoting rules). */
export function csvLine(values: readonly (string | number | bigint | undefined)[]): string {
  return stringify([values as unknown[]], STRINGIFY_OPTIONS);
}

const namesOf = (cols: readonly CsvColumn[]) => cols.map((c) => c.name);
const sameNames = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((n, i) => n === b[i]);

/** The byte-level path's settings for a column list, when it can print it: the original's columns, the `all` extras, the keys. */
function fastPathOf(columns: readonly CsvColumn[]): { all: boolean; keys: boolean } | undefined {
  const names = namesOf(columns);
  const original = namesOf(ORIGINAL_COLUMNS);
  const extras = namesOf(ALL_EXTRA_COLUMNS);
  const keys = namesOf(KEY_COLUMNS);
  for (const all of [false, true]) {
    for (const withKeys of [false, true]) {
      if (sameNames(names, [...original, ...(all ? extras : []), ...(withKeys ? keys : [])])) return { all, keys: withKeys };
    }
  }
  return undefined;
}

/** A sink that collects a ByteOutput's chunks for a generator to yield. */
class Collector implements ByteSink {
  chunks: Buffer[] = [];
  write(chunk: Buffer): boolean {
    this.chunks.push(chunk);
    return true;
  }
  once(): this {
    return this;
  }
  off(): this {
    return this;
  }
  take(): Buffer[] {
    const c = this.chunks;
    this.chunks = [];
    return c;
  }
}

/**
 * The snapshots of `source` (what {@link readSnapshots} yields, as any
 * iterable or async iterable) as CSV text, streamed in chunks of about 64 KiB:
 * `Readable.from(toCsv(readSnapshots(path))).pipe(out)`. A row per record,
 * header records included (as the original does). Errors of the source
 * (TcpInfoReadError) end the iteration after the rows before them.
 *
 * `readSnapshots(input)` handed over before it is iterated, with the
 * original's columns (with or without `all`'s and the keys), is converted
 * straight from the input's bytes: the original csvtool's rows, byte for
 * byte, without decoding snapshots. Any other source and column list take
 * the flexible path (the column table and csv-stringify); tests prove both
 * print the same rows.
 */
export async function* toCsv(source: AsyncIterable<CsvSourceItem> | Iterable<CsvSourceItem>, options: ToCsvOptions = {}): AsyncGenerator<string> {
  for await (const chunk of toCsvBytes(source, options)) yield chunk.toString('utf8');
}

/** {@link toCsv} as UTF-8 bytes (no string per chunk: for writing to a stream). */
export async function* toCsvBytes(source: AsyncIterable<CsvSourceItem> | Iterable<CsvSourceItem>, options: ToCsvOptions = {}): AsyncGenerator<Buffer> {
  const columns = csvColumns(options.columns ?? 'original');
  if (options.header !== false) yield Buffer.from(csvLine(namesOf(columns)), 'utf8');
  const fast = fastPathOf(columns);
  if (fast !== undefined && source instanceof SnapshotStream && !source.started) {
    yield* fastRows(source, fast);
    return;
  }
  yield* flexibleRows(source, columns);
}

/** The byte-level path: lines scanned straight into the original's row (see LineConverter). */
async function* fastRows(stream: SnapshotStream, settings: { all: boolean; keys: boolean }): AsyncGenerator<Buffer> {
  const sink = new Collector();
  const out = new ByteOutput(sink);
  const { onInvalid } = stream.options;
  const lines = new LineConverter(out, { all: settings.all, keys: settings.keys, jsonl: false, ...(onInvalid ? { onInvalid } : {}) });
  let error: unknown;
  try {
    for await (const batch of readLineBytesBatches(stream.input, stream.options)) {
      try {
        lines.convertBytesBatch(batch);
      } catch (err) {
        // A line mangled by corrupt zstd data is reported as the corruption.
        throw err instanceof TcpInfoReadError ? await batch.lineError(err) : err;
      }
      await out.flushIfFull();
      for (const c of sink.take()) yield c;
    }
  } catch (err) {
    error = err;
  }
  // The rows before an error come out before it (not on an early return: the consumer stopped).
  await out.flush();
  for (const c of sink.take()) yield c;
  if (error !== undefined) throw error;
}

/** The flexible path: each snapshot through the column table, rows through csv-stringify. */
async function* flexibleRows(source: AsyncIterable<CsvSourceItem> | Iterable<CsvSourceItem>, columns: readonly CsvColumn[]): AsyncGenerator<Buffer> {
  const needsBytes = columns.some((c) => ORIGINAL_COLUMNS.includes(c));
  const slots = new RecordSlots();
  let uuid: string | undefined;
  let rows: unknown[][] = [];
  const row: { -readonly [K in keyof CsvRowSource]: CsvRowSource[K] } = { snapshot: undefined as unknown as Snapshot, slots, uuid, file: '' };
  let error: unknown;
  try {
    for await (const item of source) {
      if (item.metadata !== undefined) uuid = item.metadata.UUID;
      if (needsBytes) slots.fillFromRecord(item.snapshot.record);
      row.snapshot = item.snapshot;
      row.uuid = uuid;
      row.file = item.line?.source ?? '';
      rows.push(columns.map((c) => c.value(row)));
      if (rows.length >= FLEXIBLE_BATCH_ROWS) {
        yield Buffer.from(stringify(rows, STRINGIFY_OPTIONS), 'utf8');
        rows = [];
      }
    }
  } catch (err) {
    error = err;
  }
  // The rows before an error come out before it.
  if (rows.length > 0) yield Buffer.from(stringify(rows, STRINGIFY_OPTIONS), 'utf8');
  if (error !== undefined) throw error;
}
