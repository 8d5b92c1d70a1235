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
  | { readonly type: 'done'; readonly id: number; readonly rows: number; readonly skipped: number; readonly skippedExamples: readonly string[] }
  /** The input failed (unreadable, corrupt, a bad line without skipInvalid); chunks sent before hold the rows before the failure. */
  | { readonly type: 'failed'; readonly id: number; readonly message: string };

/**
 * Chunks a worker may have sent and not yet seen acknowledged. The main
 * thread acknowledges a chunk once written, which it does only for the
 * input whose turn it is; a worker running ahead stops after this many
 * (~64-128 KiB each), bounding memory to a few MB per worker.
 */
export const CHUNK_WINDOW = 16;

/**
 * Batches (Parquet) a worker may have sent and not yet seen acknowledged: a
 * batch is ~0.5 MB of typed values plus its strings, and the worker builds
 * the next while the main thread appends one.
 */
export const BATCH_WINDOW = 4;
