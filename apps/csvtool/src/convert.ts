import { createReadStream, statSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { readLineBytesBatches, TcpInfoReadError } from '@tcpinfo/parse';
import { ByteOutput } from './byte-output.js';
import { EXTRA_COLUMNS, ORIGINAL_COLUMN_NAMES } from './columns.js';
import { LineConverter } from './line-converter.js';
import { csvField } from './raw-row.js';
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

/** Options of {@link convert}. */
export interface ConvertOptions {
  /** File paths; `-` (or no path at all) means standard input. */
  readonly inputs: readonly string[];
  readonly output: Writable;
  /** `original` (default): the original's 105 columns; `all`: plus the fields it cannot show. */
  readonly columns?: 'original' | 'all';
  /** `csv` (default) or `jsonl` (the decoded snapshots, bigints as decimal strings). */
  readonly format?: 'csv' | 'jsonl';
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
  const all = options.columns === 'all';
  const jsonl = options.format === 'jsonl';
  const out = new ByteOutput(options.output);
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
  if (!jsonl && options.header !== false) out.utf8(csvHeaderLine(options.columns ?? 'original'));
  const lines = new LineConverter(out, { all, jsonl, ...(onInvalid ? { onInvalid } : {}) });
  let rows = 0;
  try {
    for (const path of inputs) {
      const isStdin = path === '-';
      // Large reads of plain files: each is a round trip to the thread pool. Small ones of zstd files (memory).
      const input = isStdin
        ? (options.stdin ?? process.stdin)
        : createReadStream(path, { highWaterMark: (await startsWithZstdMagic(path)) ? ZSTD_READ_CHUNK_BYTES : READ_CHUNK_BYTES });
      const onProgress = options.onProgress && !isStdin ? (n: number) => options.onProgress!(doneBefore + n, total) : undefined;
      for await (const batch of readLineBytesBatches(input, {
        sourceName: isStdin ? '<stdin>' : path,
        ...(onProgress ? { onProgress } : {}),
      })) {
        try {
          rows += lines.convertBytesBatch(batch);
        } catch (err) {
          // A line mangled by corrupt zstd data is reported as the corruption.
          throw err instanceof TcpInfoReadError ? await batch.lineError(err) : err;
        }
        await out.flushIfFull();
      }
      if (!isStdin) doneBefore += statSafe(path);
    }
  } finally {
    // Rows decoded before an error are written before it is reported.
    await out.flush();
  }
  return { rows, skipped, skippedExamples };
}

/** The CSV header line (with its newline) of a column set. */
export function csvHeaderLine(columns: 'original' | 'all'): string {
  const header = [...ORIGINAL_COLUMN_NAMES, ...(columns === 'all' ? EXTRA_COLUMNS.map((c) => c.name) : [])];
  return header.map(csvField).join(',') + '\n';
}

function statSafe(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0; // reported as unreadable when opened
  }
}
