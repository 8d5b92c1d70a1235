import type { Writable } from 'node:stream';
import type { CsvColumn } from '@tcpinfo/parse';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import { ColumnBatchBuilder, type ColumnBatch } from './parquet-batch.js';
import { PageScratch, writeColumnChunk, type ChunkColumn } from './parquet-pages.js';
import { parquetColumns, schemaElement, type ParquetColumn } from './parquet-schema.js';
import { zstdCompress } from './zstd-compress.js';

/**
 * Values (rows × columns) per row group. A row group is held in typed
 * arrays (strings as JS strings) until it is encoded, and the encoder copies
 * each column once: 500,000 values (~4,800 rows of the original 105
 * columns) keep peak RSS of 1 GB of JSONL at ~180 MB; 1 million made files
 * ~35% smaller for ~15 MB more at 50 MB, too close to the 200 MB bound
 * (bench/src/csv-scale.bench.mjs measures it for 1 GB).
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

/**
 * Writes batches of typed rows (parquet-batch.ts, built from the CSV column
 * table, in the worker threads or on this one) to `out` as one Parquet file:
 * zstd pages, a row group every {@link rowGroupRows} rows whatever the
 * batches' sizes (a thousand files of 20 rows make row groups of thousands).
 * Memory is one row group's values plus the footer's metadata
 * (hyparquet-writer keeps each row group's column-chunk records until it
 * writes the footer).
 *
 * Column chunks are written PLAIN from the typed arrays (parquet-pages.ts),
 * without statistics but for the Timestamp (time-range pruning): on the test
 * archives (replicated to 14 MB of CSV) PLAIN was 15-25% less CPU than
 * hyparquet-writer's defaults (dictionary trial per column, min/max of every
 * column) and zstd made the files 13% smaller than dictionary pages did.
 * hyparquet-writer writes the file's header, the page headers and the footer.
 */
export class ParquetOutput {
  readonly #out: Writable;
  readonly #columns: readonly ParquetColumn[];
  readonly #chunkColumns: readonly ChunkColumn[];
  readonly #groupLimit: number;
  /** The row group being filled, in typed arrays. */
  readonly #group: ColumnBatchBuilder;
  #groupRows = 0;
  #rows = 0;
  readonly #writer: ParquetWriter;
  readonly #bytes: ByteWriter;
  readonly #scratch = new PageScratch();

  constructor(out: Writable, columns: readonly CsvColumn[], options: ParquetOutputOptions = {}) {
    this.#out = out;
    this.#columns = parquetColumns(columns);
    this.#chunkColumns = this.#columns.map((c) => ({ name: c.name, element: schemaElement(c), statistics: c.kind === 'timestamp' }));
    this.#groupLimit = options.rowGroupRows ?? rowGroupRows(this.#columns.length);
    this.#group = new ColumnBatchBuilder(columns, this.#groupLimit);
    // ParquetWriter calls the writer's flush (typed as optional) after each row group.
    const bytes: ByteWriter & { flush?: () => Promise<void> | undefined } = new ByteWriter(1 << 20);
    bytes.flush = () => this.#drainBytes();
    this.#bytes = bytes;
    this.#writer = new ParquetWriter({
      writer: bytes,
      schema: [{ name: 'schema', num_children: this.#columns.length }, ...this.#chunkColumns.map((c) => c.element)],
      codec: 'ZSTD',
      compressors: { ZSTD: zstdCompress },
      ...(options.createdBy !== undefined ? { createdBy: options.createdBy } : {}),
    });
  }

  /** Rows per row group: a batch of this many, appended between row groups, is encoded without a copy. */
  get groupRows(): number {
    return this.#groupLimit;
  }

  /** Rows written so far. */
  get rows(): number {
    return this.#rows;
  }

  /** Appends a batch's rows (its columns in this file's order); writes each row group as it fills. */
  async append(batch: ColumnBatch): Promise<void> {
    if (batch.columns.length !== this.#columns.length) throw new Error(`parquet output: a batch of ${batch.columns.length} columns, the file has ${this.#columns.length}`);
    if (this.#groupRows === 0 && batch.rows === this.#groupLimit) {
      // A whole row group (this thread's converter cuts batches so): encoded from the batch's own arrays.
      this.#rows += batch.rows;
      await this.#encode(batch);
      return;
    }
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

  /** Encodes the row group held (if any) and starts the next: its column chunks, recorded in the writer's footer. */
  async #writeGroup(): Promise<void> {
    if (this.#groupRows === 0) return;
    const group = this.#group.take();
    this.#groupRows = 0;
    const written = this.#encode(group);
    this.#group.recycle(group); // encoded: its arrays hold the next group
    await written;
  }

  /** Encodes a batch as one row group (recorded in the writer's footer) and hands its bytes on. */
  #encode(group: ColumnBatch): Promise<void> | undefined {
    const n = group.rows;
    const bytes = this.#bytes;
    const start = bytes.offset;
    const columns = this.#chunkColumns.map((c, i) => writeColumnChunk(bytes, c, group.columns[i]!, n, zstdCompress, this.#scratch));
    let uncompressed = 0n;
    for (const c of columns) uncompressed += c.meta_data!.total_uncompressed_size;
    this.#writer.row_groups.push({ columns, total_byte_size: uncompressed, num_rows: BigInt(n), total_compressed_size: BigInt(bytes.offset - start) });
    this.#writer.num_rows += BigInt(n);
    return this.#drainBytes();
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
