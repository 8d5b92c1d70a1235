import type { CsvColumn, CsvColumnType, CsvRowSource } from '@tcpinfo/parse';
import { parquetKindOf, type ParquetKind } from './parquet-schema.js';
import { timestampNanos } from './parquet-values.js';

/**
 * Rows as typed columns, built from the CSV column table's values (the
 * parse library's `CsvColumn.value`: the one rule of what a column holds)
 * on the thread that decodes them, a worker or the main thread, and appended
 * to the Parquet file by {@link ParquetOutput}. Typed arrays, so a worker
 * hands a batch over by transfer rather than by copying every value.
 */

/** One column of a batch: by kind, a typed array (NaN, or a set `nulls` byte, is NULL) or strings. */
export type BatchColumn =
  | { readonly kind: 'number'; readonly values: Float64Array }
  | { readonly kind: 'u64'; readonly values: BigUint64Array; readonly nulls: Uint8Array }
  | { readonly kind: 'i64'; readonly values: BigInt64Array; readonly nulls: Uint8Array }
  | { readonly kind: 'string'; readonly values: (string | null)[] };

/** Rows × columns, in the order of the column list the batch was built for. */
export interface ColumnBatch {
  readonly rows: number;
  readonly columns: readonly BatchColumn[];
}

/** The buffers of a batch's typed arrays: what to transfer when posting it. */
export function batchTransferList(batch: ColumnBatch): ArrayBuffer[] {
  const list: ArrayBuffer[] = [];
  for (const c of batch.columns) {
    if (c.kind === 'string') continue;
    list.push(c.values.buffer as ArrayBuffer);
    if (c.kind !== 'number') list.push(c.nulls.buffer as ArrayBuffer);
  }
  return list;
}

type Value = string | number | bigint | undefined;
const isNull = (v: Value) => v === undefined || v === '';

/**
 * A column value (as `CsvColumn.value` gives it: a number, a bigint, or text
 * for the columns the typed snapshot prints) as the Parquet kind's value.
 * An empty value is NULL, as the CSV's empty field. The original prints some
 * unsigned fields signed (`i32`, `i64`): the kernel's value is that modulo 2^width.
 */
const toNumber: Record<'u8' | 'u16' | 'u32', (v: Value, type: CsvColumnType) => number> = {
  u8: (v) => (isNull(v) ? NaN : Number(v)),
  u16: (v) => (isNull(v) ? NaN : Number(v)),
  u32: (v, type) => (isNull(v) ? NaN : type === 'i32' ? Number(v) >>> 0 : Number(v)),
};

/** The u64 of a value (NaN-free): decimal or bigint, modulo 2^64; hexadecimal for the cookie. */
function u64Of(v: string | number | bigint, kind: ParquetKind): bigint {
  if (kind === 'hex64') return BigInt(`0x${String(v)}`);
  return BigInt.asUintN(64, BigInt(v));
}

/** Builds batches of rows for a column list; grows as rows come (a batch of input lines adds many at once). */
export class ColumnBatchBuilder {
  readonly #columns: readonly CsvColumn[];
  readonly #kinds: readonly ParquetKind[];
  #capacity: number;
  #rows = 0;
  #data: BatchColumn[] = [];

  constructor(columns: readonly CsvColumn[], capacity = 1024) {
    this.#columns = columns;
    this.#kinds = columns.map((c) => parquetKindOf(c));
    this.#capacity = capacity;
    this.#data = this.#allocate(capacity);
  }

  get rows(): number {
    return this.#rows;
  }

  #allocate(n: number): BatchColumn[] {
    return this.#kinds.map((kind): BatchColumn => {
      switch (kind) {
        case 'u64':
        case 'hex64':
          return { kind: 'u64', values: new BigUint64Array(n), nulls: new Uint8Array(n) };
        case 'timestamp':
          return { kind: 'i64', values: new BigInt64Array(n), nulls: new Uint8Array(n) };
        case 'string':
          return { kind: 'string', values: new Array<string | null>(n) };
        default:
          return { kind: 'number', values: new Float64Array(n) };
      }
    });
  }

  #grow(): void {
    const n = this.#capacity * 2;
    const next = this.#allocate(n);
    next.forEach((c, i) => {
      const old = this.#data[i]!;
      if (c.kind === 'string') {
        const from = old.values as (string | null)[];
        for (let r = 0; r < this.#rows; r++) c.values[r] = from[r]!;
        return;
      }
      (c.values as Float64Array).set(old.values as Float64Array);
      if (c.kind !== 'number') c.nulls.set((old as { nulls: Uint8Array }).nulls);
    });
    this.#data = next;
    this.#capacity = n;
  }

  /** Adds one row: each column's value, typed by its kind. */
  add(row: CsvRowSource): void {
    if (this.#rows === this.#capacity) this.#grow();
    const r = this.#rows++;
    const columns = this.#columns;
    const kinds = this.#kinds;
    const data = this.#data;
    for (let i = 0; i < columns.length; i++) {
      const column = columns[i]!;
      const v = column.value(row);
      const c = data[i]!;
      const kind = kinds[i]!;
      switch (c.kind) {
        case 'number':
          c.values[r] = toNumber[kind as 'u8' | 'u16' | 'u32'](v, column.type);
          break;
        case 'u64':
          if (isNull(v)) c.nulls[r] = 1;
          else c.values[r] = u64Of(v!, kind);
          break;
        case 'i64':
          if (isNull(v)) c.nulls[r] = 1;
          else c.values[r] = timestampNanos(String(v));
          break;
        case 'string':
          c.values[r] = isNull(v) ? null : String(v);
          break;
      }
    }
  }

  /** Appends rows [from, from + n) of a batch built for the same columns (copies of its arrays). */
  append(batch: ColumnBatch, from: number, n: number): void {
    while (this.#rows + n > this.#capacity) this.#grow();
    const at = this.#rows;
    batch.columns.forEach((c, i) => {
      const to = this.#data[i]!;
      if (c.kind === 'string') {
        const values = to.values as (string | null)[];
        for (let r = 0; r < n; r++) values[at + r] = c.values[from + r]!;
        return;
      }
      (to.values as Float64Array).set((c.values as Float64Array).subarray(from, from + n), at);
      if (c.kind !== 'number') (to as { nulls: Uint8Array }).nulls.set(c.nulls.subarray(from, from + n), at);
    });
    this.#rows += n;
  }

  /** The rows added since the last take, as a batch; the builder starts empty. */
  take(): ColumnBatch {
    const rows = this.#rows;
    const columns = this.#data.map((c): BatchColumn => {
      switch (c.kind) {
        case 'number':
          return { kind: c.kind, values: c.values.subarray(0, rows) };
        case 'string':
          c.values.length = rows;
          return c;
        default:
          return { kind: c.kind, values: c.values.subarray(0, rows), nulls: c.nulls.subarray(0, rows) } as BatchColumn;
      }
    });
    this.#data = this.#allocate(this.#capacity);
    this.#rows = 0;
    return { rows, columns };
  }
}
