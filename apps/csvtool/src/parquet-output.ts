import type { Writable } from 'node:stream';
import type { CsvColumn } from '@tcpinfo/parse';
import { ByteWriter, ParquetWriter, type ColumnSource } from 'hyparquet-writer';
import { ColumnBatchBuilder, type BatchColumn, type ColumnBatch } from './parquet-batch.js';
import { parquetColumns, schemaElement, type ParquetColumn } from './parquet-schema.js';
import { zstdCompress } from './zstd-compress.js';

/**
 * Values (rows × columns) per row group. A row group is held as JS arrays
 * until it is encoded, and the encoder copies it a few times: 500,000 values
 * (~4,800 rows of the original 105 columns) kept peak RSS of 50 MB of JSONL
 * at ~180 MB where 1 million gave 220-250 MB and 2.5 million more
 * (bench/src/csv-scale.bench.mjs measures it for 1 GB), for files ~50%
 * larger than with 1 million on the replicated test archives.
 */
export const ROW_GROUP_VALUES = 500_000;
const MIN_ROW_GROUP_ROWS = 1_000;

/** Rows per row group for a number of columns. */
export function rowGroupRows(columns: number): number {
  return Math.max(MIN_ROW_GROUP_ROWS, Math.floor(ROW_GROUP_VALUES / Math.max(1, columns)));
}

/** Options of {@link ParquetOutput}. */
export interface ParquetOutputOptions {
  /** Rows per row group (default {@link rowGroupRows} of the column count). */
  readonly rowGroupRows?: number;
  /** Key-value metadata of the file (e.g. the tool and its version). */
  readonly createdBy?: string;
}

/** A value of a row group's column as hyparquet-writer takes it: null is NULL. */
type ParquetValue = number | bigint | Uint8Array | null;

/** Rows [from, to) of a typed column as hyparquet-writer takes them: a JS array, null for NULL. */
function values(data: BatchColumn, from: number, to: number): ParquetValue[] {
  const out = new Array<ParquetValue>(to - from);
  switch (data.kind) {
    case 'number':
      for (let i = from; i < to; i++) {
        const x = data.values[i]!;
        out[i - from] = x === x ? x : null; // NaN is NULL
      }
      break;
    case 'string': {
      // As UTF-8 bytes (what hyparquet-writer would encode each string into,
      // with TextEncoder: ~5% of the CPU of 50 MB in a profile), each text
      // encoded once while it repeats: a connection's rows share their
      // addresses and congestion control.
      let last: string | null = null;
      let bytes: Uint8Array | null = null;
      for (let i = from; i < to; i++) {
        const v = data.values[i]!;
        if (v !== last) {
          last = v;
          bytes = v === null ? null : Buffer.from(v, 'utf8');
        }
        out[i - from] = bytes;
      }
      break;
    }
    default:
      for (let i = from; i < to; i++) out[i - from] = data.nulls[i] === 1 ? null : data.values[i]!;
  }
  return out;
}

/**
 * A row group's column for hyparquet-writer, made a JS array only when the
 * writer takes it (`slice`, once per column and row group; the writer reads
 * nothing else of it but `length`). The group stays in typed arrays until
 * then, outside the JS heap: holding it as JS arrays (500,000 values, live
 * across many scavenges) promoted them all to the old generation, which V8
 * then grew row group after row group (1 GB of JSONL: heap 58 → 114 MB,
 * peak RSS 254 MB).
 */
function lazyColumn(data: BatchColumn, rows: number): ColumnSource['data'] {
  return { length: rows, slice: (from = 0, to = rows) => values(data, from, Math.min(to, rows)) } as unknown as ColumnSource['data'];
}

/**
 * Writes batches of typed rows (parquet-batch.ts, built from the CSV column
 * table, in the worker threads or on this one) to `out` as one Parquet file:
 * zstd pages, a row group every {@link rowGroupRows} rows whatever the
 * batches' sizes (a thousand files of 20 rows make row groups of thousands).
 * Memory is one row group's values plus the footer's metadata
 * (hyparquet-writer keeps each row group's column-chunk records until it
 * writes the footer).
 *
 * Column chunks are written PLAIN, without statistics but for the Timestamp
 * (time-range pruning): on the test archives (replicated to 14 MB of CSV)
 * that was 15-25% less CPU than hyparquet-writer's defaults (dictionary
 * trial per column, min/max of every column) and zstd made the files 13%
 * smaller than dictionary pages did.
 */
export class ParquetOutput {
  readonly #out: Writable;
  readonly #columns: readonly ParquetColumn[];
  readonly #groupLimit: number;
  /** The row group being filled, in typed arrays. */
  readonly #group: ColumnBatchBuilder;
  #groupRows = 0;
  #rows = 0;
  readonly #writer: ParquetWriter;
  readonly #bytes: ByteWriter;

  constructor(out: Writable, columns: readonly CsvColumn[], options: ParquetOutputOptions = {}) {
    this.#out = out;
    this.#columns = parquetColumns(columns);
    this.#groupLimit = options.rowGroupRows ?? rowGroupRows(this.#columns.length);
    this.#group = new ColumnBatchBuilder(columns, this.#groupLimit);
    // ParquetWriter calls the writer's flush (typed as optional) after each row group.
    const bytes: ByteWriter & { flush?: () => Promise<void> | undefined } = new ByteWriter(1 << 20);
    bytes.flush = () => this.#drainBytes();
    this.#bytes = bytes;
    this.#writer = new ParquetWriter({
      writer: bytes,
      schema: [{ name: 'schema', num_children: this.#columns.length }, ...this.#columns.map(schemaElement)],
      codec: 'ZSTD',
      compressors: { ZSTD: zstdCompress },
      ...(options.createdBy !== undefined ? { createdBy: options.createdBy } : {}),
    });
  }

  /** Rows written so far. */
  get rows(): number {
    return this.#rows;
  }

  /** Appends a batch's rows (its columns in this file's order); writes each row group as it fills. */
  async append(batch: ColumnBatch): Promise<void> {
    if (batch.columns.length !== this.#columns.length) throw new Error(`parquet output: a batch of ${batch.columns.length} columns, the file has ${this.#columns.length}`);
    let from = 0;
    while (from < batch.rows) {
      const n = Math.min(batch.rows - from, this.#groupLimit - this.#groupRows);
      this.#copy(batch, from, n);
      from += n;
      if (this.#groupRows >= this.#groupLimit) await this.#writeGroup();
    }
  }

  /** Copies rows [from, from + n) of a batch into the row group. */
  #copy(batch: ColumnBatch, from: number, n: number): void {
    this.#group.append(batch, from, n);
    this.#groupRows += n;
    this.#rows += n;
  }

  /** Hands the encoded bytes to `out` (a copy: the ByteWriter reuses its buffer); resolves when `out` takes more. */
  #drainBytes(): Promise<void> | undefined {
    const bytes = this.#bytes;
    if (bytes.index === 0) return undefined;
    const chunk = Buffer.from(new Uint8Array(bytes.buffer, 0, bytes.index));
    bytes.index = 0;
    if (this.#out.write(chunk)) return undefined;
    return new Promise((resolve, reject) => {
      const onError = (e: Error) => {
        this.#out.off('drain', onDrain);
        reject(e);
      };
      const onDrain = () => {
        this.#out.off('error', onError);
        resolve();
      };
      this.#out.once('drain', onDrain);
      this.#out.once('error', onError);
    });
  }

  /** Encodes the row group held (if any) and starts the next. */
  async #writeGroup(): Promise<void> {
    if (this.#groupRows === 0) return;
    const n = this.#groupRows;
    const group = this.#group.take();
    const columnData: ColumnSource[] = this.#columns.map((c, i) => ({
      name: c.name,
      data: lazyColumn(group.columns[i]!, n),
      encoding: 'PLAIN',
      statistics: c.kind === 'timestamp',
      offsetIndex: false,
    }));
    this.#groupRows = 0;
    await this.#writer.write({ columnData, rowGroupSize: n });
  }

  /** Writes the last row group and the footer, and ends `out`. */
  async finish(): Promise<void> {
    await this.#writeGroup();
    await this.#writer.finish();
    await this.#drainBytes();
    await new Promise<void>((resolve, reject) => {
      this.#out.once('error', reject);
      this.#out.end(() => resolve());
    });
  }
}
