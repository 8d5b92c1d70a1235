import type { CsvColumn, CsvRowSource, SlotField } from '@tcpinfo/parse';
import { parquetKindOf, type ParquetKind } from './parquet-schema.js';
import { timestampNanos } from './parquet-values.js';
import { IntFieldGroups, type IntColumn, type IntTargets } from './parquet-field-groups.js';
import { AddressText, CachedText, TimestampWords, TYPED_FIELDS } from './parquet-typed.js';

/**
 * Rows as typed columns, built from the CSV column table's values (the
 * parse library's `CsvColumn.value`: the one rule of what a column holds)
 * on the thread that decodes them, a worker or the main thread, and appended
 * to the Parquet file by {@link ParquetOutput}. Typed arrays, so a worker
 * hands a batch over by transfer rather than by copying every value.
 */

/**
 * One column of a batch: by kind, a typed array (a set `nulls` byte is NULL)
 * or strings. `u32` holds the INT32 columns (u8, u16, u32) as the 32 bits
 * Parquet stores, so a page's values are the array's bytes as they are.
 */
export type BatchColumn =
  | { readonly kind: 'u32'; readonly values: Uint32Array; readonly nulls: Uint8Array }
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
    list.push(c.values.buffer as ArrayBuffer, c.nulls.buffer as ArrayBuffer);
  }
  return list;
}


/**
 * How a column's value (as `CsvColumn.value` gives it: a number, a bigint,
 * or text for the columns the typed snapshot prints) becomes its Parquet
 * kind's value: an int per column, switched on per value (a table of
 * functions called per value was ~10% of the CPU of --format=parquet).
 * An empty value (undefined or '') is NULL, as the CSV's empty field. The
 * original prints some unsigned fields signed (`i32`, `i64`): the kernel's
 * value is that modulo 2^width (a BigUint64Array stores a bigint modulo 2^64).
 */
const enum Store {
  /** u8, u16, u32 and `i32` (the u32 of a signed value): x >>> 0. */
  U32,
  U64,
  /** The cookie: hexadecimal text. */
  Hex64,
  Timestamp,
  Text,
  /** Typed from the record's bytes: an int field (by attribute: parquet-field-groups.ts). */
  FieldInt,
  FieldTimestamp,
  FieldAddress,
  FieldText,
}

function storeOf(kind: ParquetKind, field: SlotField | undefined): Store {
  if (field !== undefined) {
    if (field.kind === 'int') return Store.FieldInt;
    if (field.kind === 'text') return Store.FieldText;
    return field.kind === 'timestamp' ? Store.FieldTimestamp : Store.FieldAddress;
  }
  switch (kind) {
    case 'u64':
      return Store.U64;
    case 'hex64':
      return Store.Hex64;
    case 'timestamp':
      return Store.Timestamp;
    case 'string':
      return Store.Text;
    default:
      return Store.U32;
  }
}

/** Placeholders in {@link IntTargets} for the columns of another kind (never written). */
const NO_NUMBERS = new Uint32Array(0);
const NO_WORDS = new Uint32Array(0);
const NO_NULLS = new Uint8Array(0);

/** Builds batches of rows for a column list; grows as rows come (a batch of input lines adds many at once). */
export class ColumnBatchBuilder {
  readonly #columns: readonly CsvColumn[];
  readonly #kinds: readonly ParquetKind[];
  readonly #stores: readonly Store[];
  #capacity: number;
  #rows = 0;
  #data: BatchColumn[] = [];
  /** The 64-bit columns' values as 32-bit words (for the typed readers), by column. */
  #words: Uint32Array[] = [];
  /** Where the int columns' values go (the arrays of {@link #data}). */
  #targets: IntTargets = { numbers: [], words: [], nulls: [] };
  /** The int columns, read attribute by attribute; the other columns, one by one. */
  readonly #ints: IntFieldGroups;
  readonly #others: Int32Array;
  /** Arrays of a batch handed back ({@link recycle}), for the next take. */
  #spare: BatchColumn[] | undefined = undefined;
  readonly #timestamp = new TimestampWords();
  /** The address and text columns' caches, by column. */
  readonly #addresses: (AddressText | undefined)[];
  readonly #texts: (CachedText | undefined)[];

  /**
   * `typed` (the default, on little-endian hosts) stores the columns that are
   * one field of the record's bytes by the typed readers (parquet-typed.ts);
   * false takes every value from the column's getter (the reference the tests
   * hold the typed readers to).
   */
  constructor(columns: readonly CsvColumn[], capacity = 1024, typed = TYPED_FIELDS) {
    this.#columns = columns;
    this.#kinds = columns.map((c) => parquetKindOf(c));
    this.#stores = columns.map((c, i) => storeOf(this.#kinds[i]!, typed ? c.field : undefined));
    this.#addresses = columns.map((c, i) =>
      this.#stores[i] === Store.FieldAddress && c.field?.kind === 'address' ? new AddressText(c, c.field.offset) : undefined,
    );
    this.#texts = columns.map((c) => (typed && c.field?.kind === 'text' ? new CachedText(c, c.field) : undefined));
    const ints: IntColumn[] = [];
    columns.forEach((c, index) => {
      if (this.#stores[index] === Store.FieldInt && c.field?.kind === 'int') ints.push({ index, field: c.field });
    });
    this.#ints = new IntFieldGroups(ints);
    this.#others = Int32Array.from(columns.keys()).filter((i) => this.#stores[i] !== Store.FieldInt);
    this.#capacity = capacity;
    this.#use(this.#allocate(capacity));
  }

  get rows(): number {
    return this.#rows;
  }

  /** Sets the columns being filled (and their 64-bit words' views). */
  #use(data: BatchColumn[]): void {
    this.#data = data;
    this.#words = data.map((c) => (c.kind === 'u64' || c.kind === 'i64' ? new Uint32Array(c.values.buffer, c.values.byteOffset, 2 * c.values.length) : NO_WORDS));
    this.#targets = {
      numbers: data.map((c) => (c.kind === 'u32' ? c.values : NO_NUMBERS)),
      words: this.#words,
      nulls: data.map((c) => (c.kind === 'string' ? NO_NULLS : c.nulls)),
    };
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
          return { kind: 'u32', values: new Uint32Array(n), nulls: new Uint8Array(n) };
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
      (c.values as Uint32Array).set(old.values as Uint32Array);
      c.nulls.set((old as { nulls: Uint8Array }).nulls);
    });
    this.#use(next);
    this.#capacity = n;
    this.#spare = undefined;
  }

  /** Adds one row: each column's value, typed by its kind. */
  add(row: CsvRowSource): void {
    if (this.#rows === this.#capacity) this.#grow();
    const r = this.#rows++;
    const columns = this.#columns;
    const stores = this.#stores;
    const data = this.#data;
    const slots = row.slots;
    this.#ints.put(slots, this.#targets, r);
    const others = this.#others;
    for (let k = 0; k < others.length; k++) {
      const i = others[k]!;
      const c = data[i]!;
      const column = columns[i]!;
      switch (stores[i]!) {
        case Store.FieldTimestamp:
          if (this.#timestamp.put(slots.timestamp, slots.timestampLength, this.#words[i]!, r)) continue;
          break; // not the plain form: from the getter's text
        case Store.FieldAddress:
          (c.values as (string | null)[])[r] = this.#addresses[i]!.text(slots, row);
          continue;
        case Store.FieldText:
          (c.values as (string | null)[])[r] = this.#texts[i]!.text(slots, row);
          continue;
      }
      const v = column.value(row);
      const empty = v === undefined || v === '';
      switch (stores[i]!) {
        case Store.U32:
          if (empty) (c as { nulls: Uint8Array }).nulls[r] = 1;
          else (c.values as Uint32Array)[r] = Number(v) >>> 0;
          break;
        case Store.U64:
          if (empty) (c as { nulls: Uint8Array }).nulls[r] = 1;
          else (c.values as BigUint64Array)[r] = typeof v === 'bigint' ? v : BigInt(v);
          break;
        case Store.Hex64:
          if (empty) (c as { nulls: Uint8Array }).nulls[r] = 1;
          else (c.values as BigUint64Array)[r] = BigInt(`0x${String(v)}`);
          break;
        case Store.Timestamp:
        case Store.FieldTimestamp:
          if (empty) (c as { nulls: Uint8Array }).nulls[r] = 1;
          else {
            (c.values as BigInt64Array)[r] = timestampNanos(String(v));
            if (stores[i] === Store.FieldTimestamp) this.#timestamp.remember(slots.timestamp, slots.timestampLength, this.#words[i]!, r);
          }
          break;
        case Store.Text:
          (c.values as (string | null)[])[r] = empty ? null : String(v);
          break;
        default:
          break; // stored above
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
      (to.values as Uint32Array).set((c.values as Uint32Array).subarray(from, from + n), at);
      (to as { nulls: Uint8Array }).nulls.set(c.nulls.subarray(from, from + n), at);
    });
    this.#rows += n;
  }

  /** The rows added since the last take, as a batch; the builder starts empty. */
  take(): ColumnBatch {
    const rows = this.#rows;
    const columns = this.#data.map((c): BatchColumn => {
      switch (c.kind) {
        case 'string':
          c.values.length = rows;
          return c;
        default:
          return { kind: c.kind, values: c.values.subarray(0, rows), nulls: c.nulls.subarray(0, rows) } as BatchColumn;
      }
    });
    this.#use(this.#spare ?? this.#allocate(this.#capacity));
    this.#spare = undefined;
    this.#rows = 0;
    return { rows, columns };
  }

  /**
   * Hands back a batch this builder took, once its consumer is done with it
   * (copied it, or transferred it to another thread): the next {@link take}
   * fills its arrays again instead of allocating new ones (~0.5 MB per 1,024
   * rows of the original columns, whose churn kept the GC busy). A batch
   * whose buffers were transferred (detached) or of another size is dropped.
   */
  recycle(batch: ColumnBatch): void {
    const n = this.#capacity;
    const columns: BatchColumn[] = [];
    for (const c of batch.columns) {
      if (c.kind === 'string') {
        columns.push({ kind: 'string', values: new Array<string | null>(n) });
        continue;
      }
      const buffer = c.values.buffer as ArrayBuffer;
      if (buffer.byteLength !== n * c.values.BYTES_PER_ELEMENT) return; // detached (0) or not ours
      if (c.nulls.buffer.byteLength !== n) return;
      const nulls = new Uint8Array(c.nulls.buffer, 0, n).fill(0);
      // A NULL's value is not written: zeroed (as words: no BigInt per element), so a recycled batch holds what a new one would.
      new Uint32Array(buffer).fill(0);
      if (c.kind === 'u32') columns.push({ kind: 'u32', values: new Uint32Array(buffer, 0, n), nulls });
      else if (c.kind === 'u64') columns.push({ kind: 'u64', values: new BigUint64Array(buffer, 0, n), nulls });
      else columns.push({ kind: 'i64', values: new BigInt64Array(buffer, 0, n), nulls });
    }
    this.#spare = columns;
  }
}
