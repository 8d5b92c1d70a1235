import { endianness } from 'node:os';
import type { ColumnChunk, SchemaElement } from 'hyparquet';
import { ByteWriter } from 'hyparquet-writer';
import { writePageHeader } from 'hyparquet-writer/src/datapage.js';
import type { BatchColumn } from './parquet-batch.js';
import { writeDefinitionLevels } from './parquet-levels.js';

/**
 * One column chunk of a row group, written straight from the batch's typed
 * arrays: one DATA_PAGE_V2 page, definition levels (RLE/bit-packed, as
 * hyparquet-writer writes them) and PLAIN values, the values zstd-compressed.
 * hyparquet-writer's thrift writer does the page header, and its
 * ParquetWriter the file's footer from the chunks returned here.
 *
 * Why not hyparquet-writer's own column writer: it takes a JS array of
 * values (a BigInt object per INT64 value), and per value runs its type
 * checks, unconversion, page-size estimate and DataView writes; on 50 MB of
 * JSONL that was 1.3 s of 3.1 s of CPU, plus much of the 0.4 s of garbage
 * collection. Here a column of integers is its typed array's bytes (copied
 * only to leave NULLs out), and a row's strings are encoded once while they repeat.
 */

/** PLAIN values are little-endian: a typed array's bytes are theirs on a little-endian host (every platform Node ships for but s390x). */
const LITTLE_ENDIAN = endianness() === 'LE';

/** What {@link writeColumnChunk} needs of a column: its schema element and its file name (path in schema). */
export interface ChunkColumn {
  readonly name: string;
  readonly element: SchemaElement;
  /** Write min/max statistics (the Timestamp: time-range pruning). */
  readonly statistics: boolean;
}

type Compress = (data: Uint8Array) => Uint8Array;

/**
 * The buffers a column chunk is assembled in, reused from column to column
 * and row group to row group: made anew per column (~2.5 MB of ArrayBuffers
 * per row group of the original columns, nearly all with a few NULLs), their
 * external memory made V8 run a full GC every few row groups (~8% of
 * --format=parquet's CPU). What they hold is valid until the next column.
 */
export class PageScratch {
  #words = new Uint32Array(0);
  #levels = new Uint8Array(0);
  /** The page's encoded levels (emptied per column). */
  readonly levelWriter = new ByteWriter(1024);

  /** `n` words for the non-NULL values. */
  words(n: number): Uint32Array {
    if (this.#words.length < n) this.#words = new Uint32Array(Math.max(n, 2 * this.#words.length));
    return this.#words.subarray(0, n);
  }

  /** `n` levels, all 0. */
  levels(n: number): Uint8Array {
    if (this.#levels.length < n) this.#levels = new Uint8Array(Math.max(n, 2 * this.#levels.length));
    return this.#levels.subarray(0, n).fill(0);
  }
}

/**
 * The runs of non-NULL rows among rows [0, rows), as [start, end) pairs, and
 * how many rows they hold. A column's NULLs come in runs (an attribute the
 * input lacks, the rows of header records), so the runs are found with
 * indexOf over the NULL bytes (native), and levels and values are then
 * filled and copied run by run rather than row by row.
 */
interface ValueRuns {
  readonly bounds: number[];
  readonly values: number;
}

function valueRuns(data: BatchColumn, rows: number): ValueRuns {
  const bounds: number[] = [];
  let values = 0;
  if (data.kind === 'string') {
    const v = data.values;
    for (let i = 0; i < rows; ) {
      while (i < rows && v[i] === null) i++;
      const start = i;
      while (i < rows && v[i] !== null) i++;
      if (i > start) bounds.push(start, i);
      values += i - start;
    }
  } else {
    const n = data.nulls.subarray(0, rows);
    for (let i = n.indexOf(0); i !== -1; ) {
      const next = n.indexOf(1, i);
      const end = next === -1 ? rows : next;
      bounds.push(i, end);
      values += end - i;
      i = next === -1 ? -1 : n.indexOf(0, next);
    }
  }
  return { bounds, values };
}

/** Definition levels of a column's rows (1: a value, 0: NULL): only made for a column with NULLs. */
function definitionLevels(runs: ValueRuns, rows: number, scratch: PageScratch): Uint8Array {
  const levels = scratch.levels(rows);
  const b = runs.bounds;
  for (let k = 0; k < b.length; k += 2) levels.fill(1, b[k], b[k + 1]);
  return levels;
}

/**
 * The PLAIN bytes of the non-NULL values of rows [0, rows): with no NULL, a
 * view of the column's own array on a little-endian host (the compressor
 * copies it; nothing writes it before the next row group), else the runs of
 * values copied together.
 */
function plainValues(data: BatchColumn, rows: number, runs: ValueRuns, scratch: PageScratch): Uint8Array {
  if (data.kind === 'string') return plainStrings(data.values, rows);
  // INT32 (u32 columns: the 32 bits Parquet stores) or INT64 (the 8 bytes of each value, as two 32-bit words: no BigInt made).
  const width = data.kind === 'u32' ? 4 : 8;
  const wordsPerValue = width >>> 2;
  const words = new Uint32Array(data.values.buffer, data.values.byteOffset, rows * wordsPerValue);
  if (runs.values === rows) {
    const bytes = new Uint8Array(words.buffer, words.byteOffset, rows * width);
    return LITTLE_ENDIAN ? bytes : littleEndian(bytes.slice(), width);
  }
  const out = scratch.words(runs.values * wordsPerValue);
  const b = runs.bounds;
  for (let k = 0, j = 0; k < b.length; k += 2) {
    const run = words.subarray(b[k]! * wordsPerValue, b[k + 1]! * wordsPerValue);
    out.set(run, j);
    j += run.length;
  }
  return littleEndian(new Uint8Array(out.buffer, out.byteOffset, out.byteLength), width);
}

/** A host-order array of `width`-byte integers, little-endian (a no-op but on big-endian hosts). */
function littleEndian(bytes: Uint8Array, width: 4 | 8): Uint8Array {
  if (LITTLE_ENDIAN) return bytes;
  for (let i = 0; i < bytes.length; i += width) bytes.subarray(i, i + width).reverse();
  return bytes;
}

/** BYTE_ARRAY PLAIN: each non-NULL string as its UTF-8 length (u32 LE) and bytes; a text repeated row after row is measured and encoded once. */
function plainStrings(values: readonly (string | null)[], rows: number): Uint8Array {
  let size = 0;
  let last: string | null = null;
  let lastLength = 0;
  for (let i = 0; i < rows; i++) {
    const s = values[i]!;
    if (s === null) continue;
    if (s !== last) {
      last = s;
      lastLength = Buffer.byteLength(s, 'utf8');
    }
    size += 4 + lastLength;
  }
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  last = null;
  let lastAt = 0;
  for (let i = 0; i < rows; i++) {
    const s = values[i]!;
    if (s === null) continue;
    if (s === last) {
      // The same string as the previous value (addresses and names repeat row after row): its bytes copied, not encoded again.
      out.copyWithin(at, lastAt, lastAt + 4 + lastLength);
      at += 4 + lastLength;
      continue;
    }
    const n = out.write(s, at + 4, 'utf8');
    out.writeUInt32LE(n, at);
    last = s;
    lastAt = at;
    lastLength = n;
    at += 4 + n;
  }
  return out;
}

/** Min and max of an INT64 column's non-NULL values (signed: the Timestamp is the only column with statistics). */
function int64Statistics(data: BatchColumn, rows: number, nulls: number): { min_value?: bigint; max_value?: bigint; null_count: bigint } {
  if (data.kind !== 'i64' && data.kind !== 'u64') throw new Error('statistics are written for INT64 columns only');
  let min: bigint | undefined;
  let max: bigint | undefined;
  for (let i = 0; i < rows; i++) {
    if (data.nulls[i] === 1) continue;
    const v = data.kind === 'i64' ? data.values[i]! : BigInt.asIntN(64, data.values[i]!);
    if (min === undefined || v < min) min = v;
    if (max === undefined || v > max) max = v;
  }
  return { ...(min !== undefined ? { min_value: min, max_value: max! } : {}), null_count: BigInt(nulls) };
}

/** Writes rows [0, rows) of a column as one column chunk at the writer's offset; returns its footer record. */
export function writeColumnChunk(writer: ByteWriter, column: ChunkColumn, data: BatchColumn, rows: number, compress: Compress, scratch: PageScratch): ColumnChunk {
  const type = column.element.type;
  if (type === undefined) throw new Error(`parquet column ${column.name} has no type`);
  const start = writer.offset;
  const runs = valueRuns(data, rows);
  const nulls = rows - runs.values;
  const levels = nulls === 0 ? undefined : definitionLevels(runs, rows, scratch);
  const values = plainValues(data, rows, runs, scratch);
  const compressed = compress(values);

  // The page's levels go uncompressed after its header (DATA_PAGE_V2): the header needs their length first.
  const levelWriter = scratch.levelWriter;
  levelWriter.offset = 0;
  levelWriter.index = 0;
  let levelBytes: number;
  if (levels === undefined) {
    // Every row has a value (most columns): one RLE run of 1s, without the encoder's scan.
    levelWriter.appendVarInt(rows << 1);
    levelWriter.appendUint8(1);
    levelBytes = levelWriter.offset;
  } else {
    levelBytes = writeDefinitionLevels(levelWriter, levels, runs.bounds); // the runs' bounds are where the levels change
  }

  const headerStart = writer.offset;
  writePageHeader(writer, {
    type: 'DATA_PAGE_V2',
    uncompressed_page_size: levelBytes + values.length,
    compressed_page_size: levelBytes + compressed.length,
    data_page_header_v2: {
      num_values: rows,
      num_nulls: nulls,
      num_rows: rows,
      encoding: 'PLAIN',
      definition_levels_byte_length: levelBytes,
      repetition_levels_byte_length: 0,
      is_compressed: true,
    },
  });
  const headerBytes = writer.offset - headerStart;
  writer.appendBytes(levelWriter.getBytes());
  writer.appendBytes(compressed);
  return {
    file_offset: BigInt(start),
    meta_data: {
      type,
      encodings: ['PLAIN', 'RLE'],
      path_in_schema: [column.name],
      codec: 'ZSTD',
      num_values: BigInt(rows),
      total_uncompressed_size: BigInt(headerBytes + levelBytes + values.length),
      total_compressed_size: BigInt(writer.offset - start),
      data_page_offset: BigInt(start),
      ...(column.statistics ? { statistics: int64Statistics(data, rows, nulls) } : {}),
    },
  };
}
