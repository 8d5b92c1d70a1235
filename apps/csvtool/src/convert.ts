import { closeSync, createReadStream, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import {
  ByteOutput, csvColumns, csvLine, KEY_COLUMNS, LineConverter, readLineBytesBatches, TcpInfoReadError, type ColumnSet, type CsvColumn,
} from '@tcpinfo/parse';
import { ColumnBatchBuilder, type ColumnBatch } from './parquet-batch.js';
/** Bytes per read of a plain file: the fs default (64 KiB) costs ~10% more CPU in reads; 1 MiB, more RSS and longer scavenges for the same speed. */
const READ_CHUNK_BYTES = 256 * 1024;
/**
 * Bytes per read of a zstd file: each read is decompressed in one go, and
 * archives compress up to ~200 times, so 16 KiB bounds a burst to a few MB.
 */
const ZSTD_READ_CHUNK_BYTES = 16 * 1024;
const ZSTD_MAGIC = 0xfd2fb528; // 28 b5 2f fd, little-endian

/** Whether a file starts with the zstd magic number; false when it cannot be read (the reader reports why). */
async function startsWithZstdMagic(path: string): Promise<boolean> {
  let file: FileHandle | undefined;
  try {
    file = await open(path, 'r');
    const head = Buffer.alloc(4);
    const { bytesRead } = await file.read(head, 0, 4, 0);
    return bytesRead === 4 && head.readUInt32LE(0) === ZSTD_MAGIC;
  } catch {
    return false;
  } finally {
    await file?.close();
  }
}

/**
 * Files up to this size are read whole, synchronously, in one open: a stream
 * costs each file ~6 round trips through libuv's thread pool (the zstd check's
 * open, read, close; the stream's open, reads, close), and on 1,000 files of
 * 20 rows the converting thread sat idle ~40% of the time waiting for them.
 * A worker has nothing else to do meanwhile, and the main thread's wait is a
 * read from the page cache. Larger files stream (bounded memory).
 */
const WHOLE_FILE_BYTES = 1024 * 1024;

/**
 * A file input: a small regular file's bytes (plain or zstd: the reader tells
 * them apart), else a stream. Only a regular file is opened before the
 * stream: a pipe (`<(zstdcat …)`) has no size, and bytes read from it to
 * look for the zstd magic would be gone from the stream (its chunks are
 * zstd-sized: small either way).
 */
async function openInput(path: string): Promise<Readable | Buffer> {
  let regular = false;
  try {
    const s = statSync(path);
    regular = s.isFile();
    if (regular && s.size <= WHOLE_FILE_BYTES) {
      const whole = wholeFile(path);
      if (whole !== undefined) return whole;
    }
  } catch {
    // Not there or not readable: the stream reports why.
  }
  const zstdSized = !regular || (await startsWithZstdMagic(path));
  return createReadStream(path, { highWaterMark: zstdSized ? ZSTD_READ_CHUNK_BYTES : READ_CHUNK_BYTES });
}

/** A regular file's bytes, read in one open, or undefined when it grew past {@link WHOLE_FILE_BYTES} or cannot be read. */
function wholeFile(path: string): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    if (size > WHOLE_FILE_BYTES) return undefined;
    const bytes = Buffer.allocUnsafe(size);
    let n = 0;
    while (n < size) {
      const got = readSync(fd, bytes, n, size - n, n);
      if (got === 0) break; // shrunk meanwhile
      n += got;
    }
    return n === size ? bytes : bytes.subarray(0, n);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Options of {@link convert}. */
export interface ConvertOptions {
  /** File paths; `-` (or no path at all) means standard input. */
  readonly inputs: readonly string[];
  readonly output: Writable;
  /** `original` (default): the original's 105 columns; `all`: plus the fields it cannot show. */
  readonly columns?: 'original' | 'all';
  /**
   * `csv` (default), `jsonl` (the decoded snapshots, bigints as decimal
   * strings) or `parquet`: the CSV's rows as typed column batches, handed to
   * `onBatch` (`output` is not written).
   */
  readonly format?: 'csv' | 'jsonl' | 'parquet';
  /**
   * `parquet`: takes each batch of rows; the next is built when the promise
   * resolves, in the same arrays unless they were transferred: copy what you
   * keep past that point.
   */
  readonly onBatch?: (batch: ColumnBatch) => Promise<void> | void;
  /** `parquet`: rows per batch (default {@link BATCH_ROWS}); every batch has exactly as many but an input's last. */
  readonly batchRows?: number;
  /** Append the UUID (from the file's header record) and File columns: a key per row across hosts and files. */
  readonly keys?: boolean;
  /** Write the CSV header line (default true); false when the caller writes it once for many converts. */
  readonly header?: boolean;
  /** Skip lines that are not ArchivalRecords (counted) instead of failing. */
  readonly skipInvalid?: boolean;
  /** Standard input (default process.stdin). */
  readonly stdin?: Readable;
  /** Progress: bytes of input read so far and the total (files only). */
  readonly onProgress?: (done: number, total: number) => void;
}

/** What {@link convert} did. */
export interface ConvertResult {
  readonly rows: number;
  readonly skipped: number;
  /** The first few skipped lines' errors (file:line: reason). */
  readonly skippedExamples: readonly string[];
}

/**
 * Converts tcp-info JSONL (plain or .zst) to CSV (or decoded JSONL), streaming:
 * one header line for all inputs, a row per record. Throws a
 * {@link TcpInfoReadError} (with file and line) for unreadable input or, without
 * `skipInvalid`, a line that is not an ArchivalRecord; rows before it are written.
 */
export async function convert(options: ConvertOptions): Promise<ConvertResult> {
  const jsonl = options.format === 'jsonl';
  const parquet = options.format === 'parquet';
  const inputs = options.inputs.length === 0 ? ['-'] : options.inputs;
  let skipped = 0;
  const skippedExamples: string[] = [];
  const onInvalid = options.skipInvalid
    ? (e: TcpInfoReadError) => {
        skipped++;
        if (skippedExamples.length < 5) skippedExamples.push(e.message);
      }
    : undefined;
  let total = 0;
  if (options.onProgress) {
    for (const p of inputs) if (p !== '-') total += statSafe(p);
  }
  let doneBefore = 0;
  const out = new ByteOutput(options.output);
  if (!jsonl && !parquet && options.header !== false) out.utf8(csvHeaderLine(options.columns ?? 'original', options.keys === true));
  let rows = 0;
  try {
    for (const path of inputs) {
      const isStdin = path === '-';
      // Large reads of plain files: each is a round trip to the thread pool. Small ones of zstd files (memory).
      const input = isStdin ? (options.stdin ?? process.stdin) : await openInput(path);
      const onProgress = options.onProgress && !isStdin ? (n: number) => options.onProgress!(doneBefore + n, total) : undefined;
      const readOptions = { sourceName: isStdin ? '<stdin>' : path, ...(onProgress ? { onProgress } : {}), ...(onInvalid ? { onInvalid } : {}) };
      if (parquet) {
        rows += await convertBatches(input, readOptions, options);
      } else {
        // The library's row writer (toCsv's byte-level path, snapshotToJson's text), straight into the output.
        rows += await convertLines(input, readOptions, out, { all: jsonl || options.columns === 'all', keys: !jsonl && options.keys === true, jsonl });
      }
      if (onProgress) doneBefore += statSafe(path);
    }
  } finally {
    // Rows decoded before an error are written before it is reported.
    await out.flush();
  }
  return { rows, skipped, skippedExamples };
}

/**
 * CSV rows (the original's columns, `all`'s, the keys) or `--format=jsonl`'s
 * lines, written by the library's LineConverter into `out`: what
 * toCsvBytes(readSnapshots(input)) yields for these columns (its byte-level
 * path is this converter), without its chunks copied into `out` and their
 * newlines counted again (~3% of --columns=all's CPU).
 */
async function convertLines(
  input: Readable | Uint8Array,
  options: { sourceName: string; onInvalid?: (e: TcpInfoReadError) => void },
  out: ByteOutput,
  settings: { all: boolean; keys: boolean; jsonl: boolean },
): Promise<number> {
  const lines = new LineConverter(out, { ...settings, ...(options.onInvalid ? { onInvalid: options.onInvalid } : {}) });
  let rows = 0;
  for await (const batch of readLineBytesBatches(input, options)) {
    try {
      rows += lines.convertBytesBatch(batch);
    } catch (err) {
      // A line mangled by corrupt zstd data is reported as the corruption.
      throw err instanceof TcpInfoReadError ? await batch.lineError(err) : err;
    }
    await out.flushIfFull();
  }
  return rows;
}

/** Rows per column batch of `--format=parquet` (~0.5 MB of typed values of the original's columns). */
export const BATCH_ROWS = 1024;

/** The columns of a run: the set's, with the key columns when asked. */
export function runColumns(columns: ColumnSet, keys = false): readonly CsvColumn[] {
  return [...csvColumns(columns), ...(keys ? KEY_COLUMNS : [])];
}

/**
 * `--format=parquet`: each record through the column table (the CSV's
 * values, typed: parquet-batch.ts) into batches handed to `onBatch`; the
 * rows before an error are handed over before it is reported.
 */
async function convertBatches(input: Readable | Uint8Array, readOptions: { sourceName: string; onInvalid?: (e: TcpInfoReadError) => void }, options: ConvertOptions): Promise<number> {
  const onBatch = options.onBatch;
  if (onBatch === undefined) throw new TypeError('format parquet needs onBatch');
  const limit = options.batchRows ?? BATCH_ROWS;
  const builder = new ColumnBatchBuilder(runColumns(options.columns ?? 'original', options.keys === true), limit);
  // Batches cut at exactly `limit` rows (a batch of input lines adds many rows): the builder never grows,
  // and a batch of a row group's size is encoded in place (ParquetOutput.append).
  const full: ColumnBatch[] = [];
  const lines = new LineConverter(null, {
    all: options.columns === 'all',
    keys: options.keys === true,
    jsonl: false,
    rows: (row) => {
      builder.add(row);
      if (builder.rows === limit) full.push(builder.take());
    },
    ...(readOptions.onInvalid ? { onInvalid: readOptions.onInvalid } : {}),
  });
  let rows = 0;
  try {
    for await (const batch of readLineBytesBatches(input, readOptions)) {
      try {
        rows += lines.convertBytesBatch(batch);
      } catch (err) {
        // A line mangled by corrupt zstd data is reported as the corruption.
        throw err instanceof TcpInfoReadError ? await batch.lineError(err) : err;
      }
      for (let taken = full.shift(); taken !== undefined; taken = full.shift()) {
        await onBatch(taken);
        builder.recycle(taken); // onBatch is done with it (see ConvertOptions.onBatch)
      }
    }
  } finally {
    // The rows before an error: the full batches, then the rest.
    for (let taken = full.shift(); taken !== undefined; taken = full.shift()) await onBatch(taken);
    if (builder.rows > 0) await onBatch(builder.take());
  }
  return rows;
}

/** The CSV header line (with its newline) of a column set, with the key columns when asked. */
export function csvHeaderLine(columns: ColumnSet, keys = false): string {
  return csvLine(runColumns(columns, keys).map((c) => c.name));
}

function statSafe(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0; // reported as unreadable when opened
  }
}
