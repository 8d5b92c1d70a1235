import { statSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { ArchivalRecord } from '@tcpinfo/netlink';
import { decodeRecord, readLineBatches, TcpInfoReadError, type Snapshot } from '@tcpinfo/parse';
import { EXTRA_COLUMNS, ORIGINAL_COLUMN_NAMES } from './columns.js';
import { csvField, fastView, formatOriginalRow, viewOfRecord } from './raw-row.js';

/** Options of {@link convert}. */
export interface ConvertOptions {
  /** File paths; `-` (or no path at all) means standard input. */
  readonly inputs: readonly string[];
  readonly output: Writable;
  /** `original` (default): the original's 105 columns; `all`: plus the fields it cannot show. */
  readonly columns?: 'original' | 'all';
  /** `csv` (default) or `jsonl` (the decoded snapshots, bigints as decimal strings). */
  readonly format?: 'csv' | 'jsonl';
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

/** Writes strings to a stream in large chunks, respecting backpressure. */
class ChunkedWriter {
  #buf = '';
  constructor(private readonly out: Writable) {}
  /** Buffers text; call {@link flushIfFull} now and then (the writer never blocks per row). */
  add(text: string): void {
    this.#buf += text;
  }
  async flushIfFull(): Promise<void> {
    if (this.#buf.length >= 64 * 1024) await this.flush();
  }
  async write(text: string): Promise<void> {
    this.add(text);
    await this.flushIfFull();
  }
  async flush(): Promise<void> {
    if (this.#buf === '') return;
    const chunk = this.#buf;
    this.#buf = '';
    if (!this.out.write(chunk)) await new Promise<void>((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      this.out.once('error', onError);
      this.out.once('drain', () => {
        this.out.off('error', onError);
        resolve();
      });
    });
  }
}

/** A snapshot as plain JSON: bigints as decimal strings, bytes as base64, the raw record left out. */
export function snapshotToJson(metadata: unknown, s: Snapshot): string {
  const { record: _record, otherAttributes, ...rest } = s;
  const plain: Record<string, unknown> = { ...rest };
  if (otherAttributes !== undefined) plain.otherAttributes = Object.fromEntries([...otherAttributes].map(([t, v]) => [t, Buffer.from(v).toString('base64')]));
  if (metadata !== undefined) plain.metadata = metadata;
  return JSON.stringify(plain, (_k, v: unknown) => {
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
    if (v !== null && typeof v === 'object' && 'unixNanos' in v && typeof (v as { toString(): string }).toString === 'function') return String(v);
    return v;
  });
}

/**
 * Converts tcp-info JSONL (plain or .zst) to CSV (or decoded JSONL), streaming:
 * one header line for all inputs, a row per record. Throws a
 * {@link TcpInfoReadError} (with file and line) for unreadable input or, without
 * `skipInvalid`, a line that is not an ArchivalRecord; rows before it are written.
 */
export async function convert(options: ConvertOptions): Promise<ConvertResult> {
  const all = options.columns === 'all';
  const header = [...ORIGINAL_COLUMN_NAMES, ...(all ? EXTRA_COLUMNS.map((c) => c.name) : [])];
  const jsonl = options.format === 'jsonl';
  const out = new ChunkedWriter(options.output);
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
  if (!jsonl) await out.write(header.map(csvField).join(',') + '\n');
  let rows = 0;
  try {
    for (const path of inputs) {
      const isStdin = path === '-';
      const input = isStdin ? (options.stdin ?? process.stdin) : path;
      const onProgress = options.onProgress && !isStdin ? (n: number) => options.onProgress!(doneBefore + n, total) : undefined;
      for await (const batch of readLineBatches(input, {
        sourceName: isStdin ? '<stdin>' : path,
        ...(onProgress ? { onProgress } : {}),
      })) {
        for (const line of batch) {
          // The default CSV reads canonical lines without building records (see raw-row.ts).
          let view = jsonl || all ? undefined : fastView(line.text);
          let snapshot: Snapshot | undefined;
          let metadata: unknown;
          if (view === undefined) {
            try {
              const record = ArchivalRecord.parseLine(line.text);
              if (jsonl || all) ({ snapshot, metadata } = decodeRecord(record));
              view = viewOfRecord(record);
            } catch (err) {
              const e = new TcpInfoReadError('BAD_RECORD', line.source, line.number, `not an ArchivalRecord: ${(err as Error).message}`);
              if (onInvalid === undefined) throw e;
              onInvalid(e);
              continue;
            }
          }
          if (jsonl) {
            out.add(snapshotToJson(metadata, snapshot!) + '\n');
          } else {
            let row = formatOriginalRow(view);
            if (all) for (const c of EXTRA_COLUMNS) row += ',' + csvField(c.value(snapshot!));
            out.add(row + '\n');
          }
          rows++;
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

function statSafe(path: string): number {
  try {
      return statSync(path).size;
    } catch {
      return 0; // reported as unreadable when opened
    }
  }
