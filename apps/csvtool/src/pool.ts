import type { Worker } from 'node:worker_threads';
import type { ColumnBatch } from './parquet-batch.js';
import type { FromWorker, JobSettings, ToWorker } from './worker-protocol.js';
import { type EarlyWorker, spawnConvertWorker } from './worker-spawn.js';

/** What became of one input converted by a worker. */
export type JobEvent =
  | Exclude<FromWorker, { type: 'chunk' | 'batch' }>
  | { readonly type: 'chunk'; readonly bytes: Uint8Array }
  | { readonly type: 'batch'; readonly batch: ColumnBatch };

/** One input handed to a worker: its events in order, read by the writer when the input's turn comes. */
export class PoolJob {
  readonly #events: JobEvent[] = [];
  #wake: (() => void) | undefined;
  #worker: Worker | undefined;

  constructor(
    readonly id: number,
    readonly path: string,
  ) {}

  /** Called by the pool for each message of the job's worker. */
  push(e: JobEvent): void {
    this.#events.push(e);
    const w = this.#wake;
    this.#wake = undefined;
    w?.();
  }

  bind(worker: Worker): void {
    this.#worker = worker;
  }

  /** The job's events as they come; ends after `done` or `failed`. */
  async *events(): AsyncGenerator<JobEvent> {
    for (;;) {
      while (this.#events.length === 0) await new Promise<void>((r) => (this.#wake = r));
      const e = this.#events.shift()!;
      yield e;
      if (e.type !== 'chunk' && e.type !== 'batch') return;
    }
  }

  /** Tells the worker one chunk (or batch) was written, so it may send another. */
  ack(): void {
    this.#worker?.postMessage({ type: 'ack', id: this.id } satisfies ToWorker);
  }
}

/**
 * Jobs a worker holds at once: the one it converts and the next, sent ahead
 * so it starts at once when the first ends, without a round trip through the
 * main thread (1,000 small files: each a few ms of work, and the workers
 * waited ~30% of the time for their next input).
 */
export const JOBS_PER_WORKER = 2;


/**
 * Worker threads that convert inputs (convert-worker.ts, a module file
 * loaded by URL) and keep the output in input order: {@link submit} returns
 * a job whose events the caller reads when the input's turn comes. A worker
 * holds up to {@link JOBS_PER_WORKER} inputs and converts them in order.
 */
export class ConvertPool {
  readonly #all: Worker[] = [];
  readonly #waiting: { job: PoolJob; settings: JobSettings }[] = [];
  /** Jobs sent to each worker and not yet done, in order. */
  readonly #held = new Map<Worker, PoolJob[]>();
  #nextId = 0;
  #closed = false;

  /** A worker started before the pool ({@link EarlyWorker}): the first one it spawns. */
  #early: EarlyWorker | undefined;

  constructor(
    private readonly size: number,
    early?: EarlyWorker,
  ) {
    this.#early = early;
  }

  /** Queues an input; it starts when a worker is free. */
  submit(path: string, settings: JobSettings): PoolJob {
    const job = new PoolJob(this.#nextId++, path);
    this.#waiting.push({ job, settings });
    this.#dispatch();
    return job;
  }

  /** The worker with the fewest jobs below the limit (spawning one while fewer than `size`). */
  #pick(): Worker | undefined {
    let best: Worker | undefined;
    for (const w of this.#all) {
      const n = this.#held.get(w)!.length;
      if (n === 0) return w;
      if (n < JOBS_PER_WORKER && (best === undefined || n < this.#held.get(best)!.length)) best = w;
    }
    if (this.#all.length < this.size) return this.#spawn();
    return best;
  }

  #dispatch(): void {
    while (this.#waiting.length > 0 && !this.#closed) {
      const worker = this.#pick();
      if (worker === undefined) return;
      const { job, settings } = this.#waiting.shift()!;
      job.bind(worker);
      this.#held.get(worker)!.push(job);
      worker.postMessage({ type: 'job', id: job.id, path: job.path, settings } satisfies ToWorker);
    }
  }

  #spawn(): Worker {
    const early = this.#early;
    this.#early = undefined;
    const worker = early?.worker ?? spawnConvertWorker();
    this.#all.push(worker);
    const held: PoolJob[] = [];
    this.#held.set(worker, held);
    worker.on('message', (m: FromWorker) => {
      // A worker converts its jobs in the order sent: messages are the first held job's.
      const job = held[0];
      if (job === undefined || job.id !== m.id) return;
      if (m.type === 'chunk') {
        job.push({ type: 'chunk', bytes: m.bytes });
        return;
      }
      if (m.type === 'batch') {
        job.push({ type: 'batch', batch: m.batch });
        return;
      }
      job.push(m);
      held.shift();
      this.#dispatch();
    });
    const fail = (err: Error) => {
      for (const job of held.splice(0)) job.push({ type: 'failed', id: job.id, message: `${job.path}: worker failed: ${err.message}` });
    };
    worker.on('error', fail);
    // It failed before it was adopted: the jobs sent to it fail as they are sent.
    if (early?.error !== undefined) {
      const err = early.error;
      queueMicrotask(() => fail(err));
    }
    return worker;
  }

  /** Stops every worker (running jobs are abandoned), and the early one if it was never needed. */
  async close(): Promise<void> {
    this.#closed = true;
    const early = this.#early?.worker;
    this.#early = undefined;
    await Promise.all([...this.#all, ...(early ? [early] : [])].map((w) => w.terminate()));
  }
}
