import type { Readable, Writable } from 'node:stream';
import { drained } from '@tcpinfo/parse';
import { convert, csvHeaderLine, runColumns } from './convert.js';
import { listInputs } from './inputs.js';
import type { ParquetOutput } from './parquet-output.js';
import { ConvertPool, JOBS_PER_WORKER, type PoolJob } from './pool.js';
import type { ColumnBatch } from './parquet-batch.js';
import type { JobSettings } from './worker-protocol.js';
import type { EarlyWorker } from './worker-spawn.js';

/** Options of {@link convertInputs}: what the tcpinfo-csv command line sets. */
export interface RunOptions {
  /** Files, directories (walked for *.jsonl and *.jsonl.zst) and `-` (standard input). */
  readonly args: readonly string[];
  /** A list of paths (`-`: standard input), newline- or NUL-separated, after `args`. */
  readonly filesFrom?: string;
  /** Where the output goes; ended when the run ends (Parquet needs its footer). */
  readonly output: Writable;
  readonly format: 'csv' | 'jsonl' | 'parquet';
  readonly columns: 'original' | 'all';
  /** Append the UUID (of the file's header record) and File columns. */
  readonly keys?: boolean;
  /** Write the CSV header line (default true). Parquet files always carry their schema. */
  readonly header?: boolean;
  /**
   * Go on after a bad input (unreadable, corrupt zstd) or a bad line: counted
   * and reported in the result. Without it the run stops at the first, with
   * the output of every earlier input complete.
   */
  readonly skipInvalid: boolean;
  /** Threads converting inputs: this one and `jobs - 1` workers; 1: everything on this thread. */
  readonly jobs: number;
  readonly stdin?: Readable;
  /** Called after each input with its index (0-based) and path. */
  readonly onInputDone?: (index: number, path: string) => void;
  /** Parquet: rows per row group (default: rowGroupRows of the column count). */
  readonly rowGroupRows?: number;
  /** A worker started early (worker-spawn.ts): the pool's first; stopped when the run needs none. */
  readonly earlyWorker?: EarlyWorker;
}

/** What {@link convertInputs} did. */
export interface RunResult {
  readonly inputs: number;
  readonly rows: number;
  /** Lines skipped by `skipInvalid`, and the first few of their errors. */
  readonly skippedLines: number;
  readonly skippedLineExamples: readonly string[];
  /** Inputs that failed and were skipped by `skipInvalid`: their errors (the file's rows before the failure are kept). */
  readonly badInputs: readonly string[];
}

/** The run stopped at a bad input; the output of the inputs before it is complete. */
export class RunStoppedError extends Error {
  override readonly name = 'RunStoppedError';
  readonly code = 'BAD_INPUT';
}

/** Inputs listed ahead of the one being written, per worker: enough to keep every worker busy (each holds JOBS_PER_WORKER), not a million-file list in memory. */
const LOOKAHEAD_PER_WORKER = JOBS_PER_WORKER + 1;
const MAX_EXAMPLES = 5;

/**
 * Converts many inputs into one output, in input order, on `jobs` threads
 * (this one and `jobs - 1` workers): each input is converted whole by one
 * thread (convert.ts), a worker's bytes written when the input's turn comes,
 * this thread's straight to the output, so the output
 * is byte-identical for any `jobs` (CSV and JSONL; for Parquet the same
 * rows: the workers type them into column batches that this thread appends
 * to the file, in input order, into row groups of the same size).
 */
export async function convertInputs(options: RunOptions): Promise<RunResult> {
  const target = options.output;
  // Loaded only for Parquet: hyparquet-writer took ~55 ms of every CSV and JSONL run's start-up.
  const parquet: ParquetOutput | undefined =
    options.format === 'parquet'
      ? new (await import('./parquet-output.js')).ParquetOutput(
          target,
          runColumns(options.columns, options.keys === true),
          options.rowGroupRows !== undefined ? { rowGroupRows: options.rowGroupRows } : {},
        )
      : undefined;
  const settings: JobSettings = {
    columns: options.columns,
    keys: options.keys === true,
    format: options.format,
    skipInvalid: options.skipInvalid,
  };
  // This thread's batches are row groups (encoded in place); a worker's stay small (posted, at most a few in flight).
  const inlineBatch = parquet === undefined ? {} : { onBatch: (b: ColumnBatch) => parquet.append(b), batchRows: parquet.groupRows };
  if (settings.format === 'csv' && options.header !== false) await write(target, Buffer.from(csvHeaderLine(options.columns, options.keys === true)));

  let rows = 0;
  let skippedLines = 0;
  const skippedLineExamples: string[] = [];
  const badInputs: string[] = [];
  let index = 0;
  const account = (r: { rows: number; skipped: number; skippedExamples: readonly string[] }) => {
    rows += r.rows;
    skippedLines += r.skipped;
    for (const e of r.skippedExamples) if (skippedLineExamples.length < MAX_EXAMPLES) skippedLineExamples.push(e);
  };
  /** A failed input: go on (skipInvalid) or stop. */
  const failed = (message: string) => {
    if (!options.skipInvalid) throw new RunStoppedError(message);
    badInputs.push(message);
  };
  /** Converts one input on this thread, straight into the target. */
  const inline = async (path: string) => {
    try {
      account(
        await convert({ inputs: [path], output: target, header: false, ...settings, ...inlineBatch, ...(options.stdin ? { stdin: options.stdin } : {}) }),
      );
    } catch (err) {
      if (err instanceof RunStoppedError) throw err;
      failed((err as Error).message);
    }
  };

  const paths = listInputs({ args: options.args, ...(options.filesFrom !== undefined ? { filesFrom: options.filesFrom } : {}), ...(options.stdin ? { stdin: options.stdin } : {}) });
  const ahead: (PoolJob | string)[] = [];
  let pool: ConvertPool | undefined;
  try {
    // One input is one job: a worker would only add its memory (a heap of its own) and start-up.
    const first = await paths.next();
    const second = first.done === true ? first : await paths.next();
    if (options.jobs > 1 && second.done !== true) pool = new ConvertPool(options.jobs - 1, options.earlyWorker);
    // One input (or none): the early worker goes now, not after the run (its heap is ~20 MB of RSS).
    else void options.earlyWorker?.worker.terminate();
    let listed = false;
    let taken = 0;
    // This thread converts every jobs-th input itself, when its turn comes (it is otherwise idle,
    // copying the workers' output): N jobs are this thread and N - 1 workers, each worker a
    // start-up and a JIT warm-up of its own (~0.3 s of CPU, as much as 1,000 small files take).
    const take = (path: string) =>
      ahead.push(pool !== undefined && path !== '-' && taken++ % options.jobs !== 0 ? pool.submit(path, settings) : path);
    if (first.done !== true) take(first.value);
    if (second.done !== true) take(second.value);
    const refill = async () => {
      while (!listed && ahead.length < (pool ? options.jobs * LOOKAHEAD_PER_WORKER : 1)) {
        const next = await paths.next();
        if (next.done === true) {
          listed = true;
          return;
        }
        // Standard input is read here, on this thread, when its turn comes.
        take(next.value);
      }
    };
    for (;;) {
      await refill();
      const item = ahead.shift();
      if (item === undefined) break;
      const path = typeof item === 'string' ? item : item.path;
      if (typeof item === 'string') {
        await inline(item);
      } else {
        for await (const e of item.events()) {
          if (e.type === 'chunk') {
            await write(target, e.bytes);
            item.ack();
          } else if (e.type === 'batch') {
            await parquet!.append(e.batch);
            item.ack();
          } else if (e.type === 'done') {
            if (e.bytes !== undefined) await write(target, e.bytes);
            account(e);
          } else {
            failed(e.message);
          }
        }
      }
      options.onInputDone?.(index, path);
      index++;
    }
  } finally {
    await pool?.close();
    // Started for a run that turned out to have one input (or none): it would keep the process alive.
    if (pool === undefined) await options.earlyWorker?.worker.terminate();
    // The output of the inputs before a stop is complete: end it (Parquet writes its footer).
    await (parquet !== undefined ? parquet.finish() : end(target));
  }
  return { inputs: index, rows, skippedLines, skippedLineExamples, badInputs };
}

function write(out: Writable, bytes: Uint8Array): Promise<void> | void {
  if (out.write(bytes)) return;
  return drained(out);
}

function end(out: Writable): Promise<void> {
  if (out.writableFinished) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    out.once('error', reject);
    out.end(() => resolve());
  });
}
