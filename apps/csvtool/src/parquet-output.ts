import { Writable } from 'node:stream';
import { ByteWriter, ParquetWriter, type ColumnSource } from 'hyparquet-writer';
import { CsvFieldSplitter, fieldText, type FieldSink } from './csv-fields.js';
import { parquetColumns, schemaElement, type ParquetColumn } from './parquet-schema.js';
import { parquetValue, type ParquetValue } from './parquet-values.js';
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

/**
 * Column chunks are written PLAIN, without statistics but for the Timestamp
 * (time-range pruning): on the test archives (replicated to 14 MB of CSV)
 * that was 15-25% less CPU than hyparquet-writer's defaults (dictionary
 * trial per column, min/max of every column) and zstd made the files 13%
 * smaller than dictionary pages did.
 *
 * A Writable that takes the CSV text of tcpinfo-csv (its header line first)
 * and writes it to `out` as one Parquet file: the same rows and columns,
 * typed by parquet-schema.ts, zstd pages, a row group every
 * {@link rowGroupRows} rows. Memory is one row group's values plus the
 * footer's metadata (hyparquet-writer keeps each row group's column-chunk
 * records until it writes the footer). `out` is ended when this stream finishes.
 *
 * Taking the CSV text (rather than snapshots) keeps one column schema: what
 * a CSV column prints is what its Parquet column holds.
 */
export class ParquetOutput extends Writable implements FieldSink {
  readonly #out: Writable;
  readonly #splitter = new CsvFieldSplitter(this);
  readonly #options: ParquetOutputOptions;
  #header: string[] | undefined;
  /** The header's fields while its line is read. */
  #pendingHeader: string[] | undefined;
  #columns: ParquetColumn[] = [];
  #values: ParquetValue[][] = [];
  #rows = 0;
  #groupRows = 0;
  #writer: ParquetWriter | undefined;
  #bytes: ByteWriter | undefined;
  #pending: Promise<void> | undefined;
  /** The first field that did not fit its column's type (thrown at the end of the chunk). */
  #error: Error | undefined;
  /** Line number (1-based, the header being line 1) of the row being read. */
  #line = 1;

  constructor(out: Writable, options: ParquetOutputOptions = {}) {
    super({ highWaterMark: 1 << 20 });
    this.#out = out;
    this.#options = options;
  }

  /** Rows written so far. */
  get rows(): number {
    return this.#rows;
  }

  field(index: number, bytes: Buffer, start: number, end: number, quoted: boolean): void {
    if (this.#header === undefined) {
      (this.#pendingHeader ??= []).push(fieldText(bytes, start, end, quoted));
      return;
    }
    const column = this.#columns[index];
    if (column === undefined) {
      this.#error ??= new Error(`line ${this.#line}: more fields than the header's ${this.#columns.length}`);
      return;
    }
    try {
      this.#values[index]![this.#groupRows] = parquetValue(column.kind, bytes, start, end, quoted);
    } catch (err) {
      this.#error ??= new Error(`line ${this.#line}, column ${column.name}: ${(err as Error).message}`);
    }
  }

  endRow(fields: number): void {
    this.#line++;
    if (this.#header === undefined) {
      this.#start(this.#pendingHeader ?? ['']);
      return;
    }
    if (fields !== this.#columns.length) {
      this.#error ??= new Error(`line ${this.#line - 1}: ${fields} fields, the header has ${this.#columns.length}`);
    }
    this.#groupRows++;
    this.#rows++;
  }

  #start(header: string[]): void {
    this.#header = header;
    this.#columns = parquetColumns(header);
    this.#newGroup();
    // ParquetWriter calls the writer's flush (typed as optional) after each row group.
    const bytes: ByteWriter & { flush?: () => Promise<void> | undefined } = new ByteWriter(1 << 20);
    bytes.flush = () => this.#drainBytes();
    this.#bytes = bytes;
    this.#writer = new ParquetWriter({
      writer: bytes,
      schema: [{ name: 'schema', num_children: this.#columns.length }, ...this.#columns.map(schemaElement)],
      codec: 'ZSTD',
      compressors: { ZSTD: zstdCompress },
      ...(this.#options.createdBy !== undefined ? { createdBy: this.#options.createdBy } : {}),
    });
  }

  get #groupLimit(): number {
    return this.#options.rowGroupRows ?? rowGroupRows(this.#columns.length);
  }

  #newGroup(): void {
    const limit = this.#groupLimit;
    this.#values = this.#columns.map(() => new Array<ParquetValue>(limit));
    this.#groupRows = 0;
  }

  /** Hands the encoded bytes to `out` (a copy: the ByteWriter reuses its buffer); resolves when `out` takes more. */
  #drainBytes(): Promise<void> | undefined {
    const bytes = this.#bytes!;
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
    const columnData: ColumnSource[] = this.#columns.map((c, i) => {
      const values = this.#values[i]!;
      values.length = n;
      return { name: c.name, data: values, encoding: 'PLAIN', statistics: c.kind === 'timestamp', offsetIndex: false };
    });
    this.#newGroup();
    await this.#writer!.write({ columnData, rowGroupSize: n });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#consume(chunk).then(() => callback(), callback);
  }

  async #consume(chunk: Buffer): Promise<void> {
    // Row by row would encode mid-chunk; the splitter takes the whole chunk, so
    // a chunk is bounded (stream chunks, 64 KiB to a few MB) beyond the row group.
    this.#splitter.push(chunk);
    this.#check();
    if (this.#header !== undefined && this.#groupRows >= this.#groupLimit) await this.#writeGroup();
  }

  #check(): void {
    if (this.#error !== undefined) throw new Error(`parquet output: ${this.#error.message}`);
  }

  override _final(callback: (error?: Error | null) => void): void {
    (async () => {
      this.#splitter.end();
      this.#check();
      if (this.#header === undefined) throw new Error('parquet output: no CSV header');
      await this.#writeGroup();
      await this.#writer!.finish();
      await this.#drainBytes();
      await new Promise<void>((resolve, reject) => {
        this.#out.once('error', reject);
        this.#out.end(() => resolve());
      });
    })().then(() => callback(), callback);
  }
}
