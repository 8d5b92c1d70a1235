import { Worker } from 'node:worker_threads';
import type { ColumnBatch } from './parquet-batch.js';
import type { FromWorker, JobSettings, ToWorker } from './worker-protocol.js';

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
 * Worker threads that convert inputs (convert-worker.ts, a module file
 * loaded by URL) and keep the output in input order: {@link submit} returns
 * a job whose events the caller reads when the input's turn comes. A worker
 * takes the next input when it has finished one.
 */
export class ConvertPool {
  readonly #idle: Worker[] = [];
  readonly #all: Worker[] = [];
  readonly #waiting: { job: PoolJob; settings: JobSettings }[] = [];
  readonly #running = new Map<Worker, PoolJob>();
  #nextId = 0;
  #closed = false;

  constructor(private readonly size: number) {}

  /** Queues an input; it starts when a worker is free. */
  submit(path: string, settings: JobSettings): PoolJob {
    const job = new PoolJob(this.#nextId++, path);
    this.#waiting.push({ job, settings });
    this.#dispatch();
    return job;
  }

  #dispatch(): void {
    while (this.#waiting.length > 0 && !this.#closed) {
      const worker = this.#idle.pop() ?? (this.#all.length < this.size ? this.#spawn() : undefined);
      if (worker === undefined) return;
      const { job, settings } = this.#waiting.shift()!;
      job.bind(worker);
      this.#running.set(worker, job);
      worker.postMessage({ type: 'job', id: job.id, path: job.path, settings } satisfies ToWorker);
    }
  }

  #spawn(): Worker {
    // The built worker sits beside this module (tsup builds both into dist/).
    const worker = new Worker(new URL('./convert-worker.js', import.meta.url));
    this.#all.push(worker);
    worker.on('message', (m: FromWorker) => {
      const job = this.#running.get(worker);
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
      this.#running.delete(worker);
      this.#idle.push(worker);
      this.#dispatch();
    });
    worker.on('error', (err) => {
      const job = this.#running.get(worker);
      this.#running.delete(worker);
      job?.push({ type: 'failed', id: job.id, message: `${job.path}: worker failed: ${err.message}` });
    });
    return worker;
  }

  /** Stops every worker (running jobs are abandoned). */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#all.map((w) => w.terminate()));
  }
}
