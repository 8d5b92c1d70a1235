import type { ColumnBatch } from './parquet-batch.js';

/**
 * Messages between the pool (pool.ts) and a conversion worker
 * (convert-worker.ts). A worker converts one input at a time into the
 * output's bytes, without the header, exactly as the main thread would, or
 * (Parquet) into batches of typed columns.
 */

/** What a worker converts an input into. */
export interface JobSettings {
  readonly columns: 'original' | 'all';
  /** Append the UUID and File key columns. */
  readonly keys?: boolean;
  /** `parquet`: batches of typed columns (parquet-batch.ts), appended to the file by the main thread. */
  readonly format: 'csv' | 'jsonl' | 'parquet';
  readonly skipInvalid: boolean;
}

export type ToWorker =
  | { readonly type: 'job'; readonly id: number; readonly path: string; readonly settings: JobSettings }
  /** The main thread has written one more of the job's chunks: the worker may send another. */
  | { readonly type: 'ack'; readonly id: number };

export type FromWorker =
  | { readonly type: 'chunk'; readonly id: number; readonly bytes: Uint8Array }
  /** Rows of a Parquet job (its typed arrays transferred); acknowledged as a chunk is. */
  | { readonly type: 'batch'; readonly id: number; readonly batch: ColumnBatch }
  /** The input is converted; `bytes`: its output's last chunk (written, not acknowledged). */
  | { readonly type: 'done'; readonly id: number; readonly rows: number; readonly skipped: number; readonly skippedExamples: readonly string[]; readonly bytes?: Uint8Array }
  /** The input failed (unreadable, corrupt, a bad line without skipInvalid); chunks sent before hold the rows before the failure. */
  | { readonly type: 'failed'; readonly id: number; readonly message: string };

/**
 * Bytes of output a worker may have sent and not yet seen acknowledged. The
 * main thread acknowledges a chunk once written, which it does only for the
 * input whose turn it is, so this is how far a worker converting a later
 * input runs ahead of the one being written. 25 MB of JSONL is ~18 MB of
 * CSV: with 32 MiB, two workers on files up to ~40 MB each convert a whole
 * file while the other's is written (with 16 chunks, ~1 MB, the second
 * worker stopped almost at once and `--jobs 2` ran 0.7-1.0x `--jobs 1` on 4
 * files of 25 MB). Larger files are written as they come, one worker ahead
 * by this much. Memory: up to this much per worker, held by the main thread.
 */
export const CHUNK_WINDOW_BYTES = 32 * 1024 * 1024;

/**
 * Batches (Parquet) a worker may have sent and not yet seen acknowledged: a
 * batch is ~0.5 MB of typed values plus its strings, and the worker builds
 * the next while the main thread appends one.
 */
export const BATCH_WINDOW = 4;
