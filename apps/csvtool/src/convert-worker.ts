import { Writable } from 'node:stream';
import { parentPort } from 'node:worker_threads';
import { convert } from './convert.js';
import { batchTransferList, type ColumnBatch } from './parquet-batch.js';
import { BATCH_WINDOW, CHUNK_WINDOW_BYTES, type FromWorker, type ToWorker } from './worker-protocol.js';

/**
 * A conversion worker of the pool (pool.ts): converts the inputs it is sent,
 * one at a time in the order sent (the pool sends the next before this one
 * ends, so the worker never waits for the main thread between inputs), with
 * the same {@link convert} as the main thread, and posts the output's chunks
 * (or Parquet's batches) in order, at most {@link CHUNK_WINDOW_BYTES} bytes
 * (or {@link BATCH_WINDOW} batches) unacknowledged.
 */

const port = parentPort;
if (port === null) throw new Error('convert-worker.ts runs as a worker thread');

const post = (m: FromWorker, transfer?: ArrayBuffer[]) => port.postMessage(m, transfer);

/**
 * The running job's unacknowledged output (bytes of chunks, or batches),
 * each message's share in order (acks come in order), and its held-back
 * write. Acks of an earlier job (still being written by the main thread)
 * are told apart by id.
 */
let current = -1;
let outstanding = 0;
const shares: number[] = [];
let windowSize = CHUNK_WINDOW_BYTES;
let resume: (() => void) | undefined;

/** Counts a posted message's share; false when the window is full (the caller waits for {@link resume}). */
function sent(share: number): boolean {
  shares.push(share);
  outstanding += share;
  return outstanding < windowSize;
}

/**
 * Posts each chunk, one behind: the last is held and goes with the `done`
 * message ({@link ChunkPoster.takeLast}), so a small file's output is one
 * message, not a chunk, an ack and a done (each a wake-up of the other thread:
 * on 1,000 files of 20 rows the messages cost more than the rows). Holds the
 * write back while the window is full.
 */
class ChunkPoster extends Writable {
  #last: Uint8Array | undefined;

  constructor(private readonly id: number) {
    super({ highWaterMark: 1 << 20 });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    // ByteOutput hands over a chunk it never touches again: transfer its memory
    // when the chunk owns it whole, copy otherwise (a pooled small Buffer).
    const owns = chunk.byteOffset === 0 && chunk.buffer.byteLength === chunk.length && chunk.buffer instanceof ArrayBuffer;
    const bytes = owns ? new Uint8Array(chunk.buffer) : new Uint8Array(chunk);
    const previous = this.#last;
    this.#last = bytes;
    if (previous === undefined) {
      callback();
      return;
    }
    post({ type: 'chunk', id: this.id, bytes: previous }, [previous.buffer as ArrayBuffer]);
    if (sent(previous.length)) callback();
    else resume = callback;
  }

  /** The chunk held back (after the stream ended), once. */
  takeLast(): Uint8Array | undefined {
    const last = this.#last;
    this.#last = undefined;
    return last;
  }
}

/** Posts a batch of typed rows (transferring its arrays); resolves while the window has room. */
function postBatch(id: number, batch: ColumnBatch): Promise<void> | void {
  post({ type: 'batch', id, batch }, batchTransferList(batch));
  if (sent(1)) return;
  return new Promise<void>((r) => (resume = r));
}

async function run(job: Extract<ToWorker, { type: 'job' }>): Promise<void> {
  current = job.id;
  outstanding = 0;
  shares.length = 0;
  windowSize = job.settings.format === 'parquet' ? BATCH_WINDOW : CHUNK_WINDOW_BYTES;
  const output = new ChunkPoster(job.id);
  try {
    const r = await convert({ inputs: [job.path], output, header: false, ...job.settings, onBatch: (b) => postBatch(job.id, b) });
    await new Promise<void>((resolve, reject) => output.end((e?: Error | null) => (e ? reject(e) : resolve())));
    const bytes = output.takeLast();
    const done = { type: 'done', id: job.id, rows: r.rows, skipped: r.skipped, skippedExamples: r.skippedExamples } as const;
    if (bytes === undefined) post(done);
    else post({ ...done, bytes }, [bytes.buffer as ArrayBuffer]);
  } catch (err) {
    // convert flushed the rows before the failure; end the poster so they are posted first.
    await new Promise<void>((resolve) => output.end(() => resolve()));
    const bytes = output.takeLast();
    if (bytes !== undefined) post({ type: 'chunk', id: job.id, bytes }, [bytes.buffer as ArrayBuffer]);
    post({ type: 'failed', id: job.id, message: (err as Error).message });
  }
}

/** Jobs sent and not yet started, in order; run one at a time. */
const queue: Extract<ToWorker, { type: 'job' }>[] = [];
let running = false;

async function drain(): Promise<void> {
  running = true;
  for (let job = queue.shift(); job !== undefined; job = queue.shift()) await run(job);
  running = false;
}

port.on('message', (m: ToWorker) => {
  if (m.type === 'ack') {
    if (m.id !== current) return;
    outstanding -= shares.shift() ?? 0;
    const r = resume;
    if (r !== undefined && outstanding < windowSize) {
      resume = undefined;
      r();
    }
  } else {
    queue.push(m);
    if (!running) void drain();
  }
});
