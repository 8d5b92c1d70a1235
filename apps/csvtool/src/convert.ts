import { createReadStream, statSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { ArchivalRecord } from '@tcpinfo/netlink';
import { decodeRecord, readLineBatches, TcpInfoReadError, type Snapshot } from '@tcpinfo/parse';
import { EXTRA_COLUMNS, ORIGINAL_COLUMN_NAMES } from './columns.js';
import { ByteOutput } from './byte-output.js';
import { scanCanonicalLine } from './line-scanner.js';
import { csvField, writeOriginalRow } from './raw-row.js';
import { RecordSlots } from './record-slots.js';

const NEWLINE = 10;
/** Bytes per file read: the fs default (64 KiB) costs ~10% more CPU in reads; 1 MiB, more RSS and longer scavenges for the same speed. */
const READ_CHUNK_BYTES = 256 * 1024;

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
  const out = new ByteOutput(options.output);
  const slots = new RecordSlots();
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
  if (!jsonl) out.utf8(header.map(csvField).join(',') + '\n');
  let rows = 0;
  try {
    for (const path of inputs) {
      const isStdin = path === '-';
      // Large reads: each one is a round trip to the thread pool, which costs more than parsing 64 KB.
      const input = isStdin ? (options.stdin ?? process.stdin) : createReadStream(path, { highWaterMark: READ_CHUNK_BYTES });
      const onProgress = options.onProgress && !isStdin ? (n: number) => options.onProgress!(doneBefore + n, total) : undefined;
      for await (const batch of readLineBatches(input, {
        sourceName: isStdin ? '<stdin>' : path,
        ...(onProgress ? { onProgress } : {}),
      })) {
        for (const line of batch) {
          // The default CSV reads the original's lines without building records (line-scanner.ts).
          let snapshot: Snapshot | undefined;
          let metadata: unknown;
          if (jsonl || all || !scanCanonicalLine(line.text, slots)) {
            try {
              const record = ArchivalRecord.parseLine(line.text);
              if (jsonl || all) ({ snapshot, metadata } = decodeRecord(record));
              if (!jsonl) slots.fillFromRecord(record);
            } catch (err) {
              const e = new TcpInfoReadError('BAD_RECORD', line.source, line.number, `not an ArchivalRecord: ${(err as Error).message}`);
              if (onInvalid === undefined) throw e;
              onInvalid(e);
              continue;
            }
          }
          if (jsonl) {
            out.utf8(snapshotToJson(metadata, snapshot!) + '\n');
          } else {
            writeOriginalRow(out, slots);
            if (all) {
              let extra = '';
              for (const c of EXTRA_COLUMNS) extra += ',' + csvField(c.value(snapshot!));
              out.utf8(extra);
            }
            out.reserve(1);
            out.byte(NEWLINE);
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
