import { Writable } from 'node:stream';
import { parentPort } from 'node:worker_threads';
import { convert } from './convert.js';
import { batchTransferList, type ColumnBatch } from './parquet-batch.js';
import { BATCH_WINDOW, CHUNK_WINDOW, type FromWorker, type ToWorker } from './worker-protocol.js';

/**
 * A conversion worker of the pool (pool.ts): converts the inputs it is sent,
 * one at a time, with the same {@link convert} as the main thread, and posts
 * the output's chunks (or Parquet's batches) in order, at most
 * {@link CHUNK_WINDOW} (or {@link BATCH_WINDOW}) unacknowledged.
 */

const port = parentPort;
if (port === null) throw new Error('convert-worker.ts runs as a worker thread');

const post = (m: FromWorker, transfer?: ArrayBuffer[]) => port.postMessage(m, transfer);

/**
 * Unacknowledged chunks of the running job, and its held-back write. Acks of
 * an earlier job (still being written by the main thread) are told apart by id.
 */
let current = -1;
let outstanding = 0;
let resume: (() => void) | undefined;
/** The window of the running job: {@link CHUNK_WINDOW} chunks or {@link BATCH_WINDOW} batches. */
let windowSize = CHUNK_WINDOW;

/** Posts each chunk; holds the write back while {@link CHUNK_WINDOW} chunks are unacknowledged. */
class ChunkPoster extends Writable {
  constructor(private readonly id: number) {
    super({ highWaterMark: 1 << 20 });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    // ByteOutput hands over a chunk it never touches again: transfer its memory
    // when the chunk owns it whole, copy otherwise (a pooled small Buffer).
    const owns = chunk.byteOffset === 0 && chunk.buffer.byteLength === chunk.length && chunk.buffer instanceof ArrayBuffer;
    const bytes = owns ? new Uint8Array(chunk.buffer) : new Uint8Array(chunk);
    post({ type: 'chunk', id: this.id, bytes }, [bytes.buffer as ArrayBuffer]);
    outstanding++;
    if (outstanding < CHUNK_WINDOW) callback();
    else resume = callback;
  }
}

/** Posts a batch of typed rows (transferring its arrays); resolves while fewer than {@link BATCH_WINDOW} are unacknowledged. */
function postBatch(id: number, batch: ColumnBatch): Promise<void> | void {
  post({ type: 'batch', id, batch }, batchTransferList(batch));
  outstanding++;
  if (outstanding < BATCH_WINDOW) return;
  return new Promise<void>((r) => (resume = r));
}

async function run(job: Extract<ToWorker, { type: 'job' }>): Promise<void> {
  current = job.id;
  outstanding = 0;
  const output = new ChunkPoster(job.id);
  windowSize = job.settings.format === 'parquet' ? BATCH_WINDOW : CHUNK_WINDOW;
  try {
    const r = await convert({ inputs: [job.path], output, header: false, ...job.settings, onBatch: (b) => postBatch(job.id, b) });
    await new Promise<void>((resolve, reject) => output.end((e?: Error | null) => (e ? reject(e) : resolve())));
    post({ type: 'done', id: job.id, rows: r.rows, skipped: r.skipped, skippedExamples: r.skippedExamples });
  } catch (err) {
    // convert flushed the rows before the failure; end the poster so they are posted first.
    await new Promise<void>((resolve) => output.end(() => resolve()));
    post({ type: 'failed', id: job.id, message: (err as Error).message });
  }
}

port.on('message', (m: ToWorker) => {
  if (m.type === 'ack') {
    if (m.id !== current) return;
    outstanding--;
    const r = resume;
    if (r !== undefined && outstanding < windowSize) {
      resume = undefined;
      r();
    }
  } else {
    void run(m);
  }
});
