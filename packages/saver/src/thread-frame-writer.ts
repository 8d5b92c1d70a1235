import { Worker } from 'node:worker_threads';
import type { AppendResult } from './frame-file.js';
import type { FrameTarget, FrameWriterOptions } from './frame-writer.js';
import { WRITE_THREAD_SOURCE } from './write-thread-source.js';

interface Request {
  readonly target: FrameTarget;
  readonly data: Uint8Array;
  readonly header: Uint8Array;
  readonly resolve: (r: AppendResult) => void;
  readonly reject: (e: Error) => void;
}

/** Appends gathered at most before they are sent without waiting for the end of the turn. */
const SLICE = 256;

type Result = { size: number; restarted: boolean } | { code: string; message: string };

/**
 * {@link FrameWriter}'s contract, with the system calls on one worker thread:
 * the appends requested during one turn of the event loop go over as one
 * message (their bytes in one transferred buffer) and come back as one, so the
 * polling thread spends one postMessage per cycle on the disk instead of a
 * libuv request per file (measured ~35 µs of main-thread time each under load),
 * and a file's open and first write need no round trip through the busy
 * polling loop (10,000 files found at start-up). The thread only waits for the
 * disk; polling never does.
 */
export class ThreadFrameWriter {
  #worker: Worker | undefined;
  readonly #maxOpenFiles: number;
  readonly #recheckMs: number;
  readonly #now: () => number;
  /** Requests of the batch being gathered. */
  #gathering: Request[] = [];
  #release: string[] = [];
  #releaseAll = false;
  #scheduled = false;
  /** Batches sent and not answered, in order. */
  readonly #inFlight: Request[][] = [];
  #openFiles = 0;
  /** Batches sent to the thread (for benchmarks). */
  batches = 0;
  /** Waiting for every batch to be answered. */
  #whenIdle: (() => void)[] = [];

  constructor(options: FrameWriterOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#maxOpenFiles = options.maxOpenFiles ?? 1024;
    this.#recheckMs = options.recheckMs ?? 5000;
  }

  /** The thread, started on first use (and again after {@link close} or a crash). */
  #thread(): Worker {
    if (this.#worker !== undefined) return this.#worker;
    const worker = new Worker(WRITE_THREAD_SOURCE, { eval: true, workerData: { maxOpenFiles: this.#maxOpenFiles, recheckMs: this.#recheckMs } });
    worker.on('message', (m: { results: Result[]; openFiles: number }) => this.#answered(m));
    worker.on('error', (err) => this.#failAll(err));
    worker.on('exit', () => {
      if (this.#worker === worker) this.#worker = undefined;
      this.#failAll(Object.assign(new Error('write thread exited'), { code: 'EIO' }));
    });
    this.#worker = worker;
    return worker;
  }

  /** Descriptors the thread keeps open (as of its last answer). */
  get openFiles(): number {
    return this.#openFiles;
  }

  /**
   * Appends `data` to `target`; rejects with the system error (`code` set). The
   * header frame `restart()` is written first when the file was deleted or
   * truncated under us (its bytes are computed here, once per request).
   */
  append(target: FrameTarget, data: Uint8Array, restart: () => Uint8Array): Promise<AppendResult> {
    target.busy = true;
    const header = target.sizeOnDisk > 0 ? restart() : new Uint8Array(0);
    return new Promise<AppendResult>((resolve, reject) => {
      this.#gathering.push({ target, data, header, resolve, reject });
      // A burst (thousands of files found at start-up) goes over in slices, so the
      // thread writes while this one still compresses the rest.
      if (this.#gathering.length >= SLICE) this.#send();
      else this.#schedule();
    }).finally(() => {
      target.busy = false;
    });
  }

  /** Closes the target's descriptor (before compaction; after the file's last append). */
  release(target: FrameTarget): void {
    this.#release.push(target.path);
    this.#schedule();
  }

  /** Closes every descriptor. */
  releaseAll(): void {
    this.#releaseAll = true;
    this.#release = [];
    this.#schedule();
  }

  /** Closes every descriptor and ends the thread, once every request is answered; a later append starts a new thread. */
  async close(): Promise<void> {
    this.releaseAll();
    // Descriptors belong to the process, not the thread: they must be closed before it ends.
    while (this.#scheduled || this.#inFlight.length > 0) await new Promise<void>((r) => this.#whenIdle.push(r));
    const worker = this.#worker;
    this.#worker = undefined;
    this.#openFiles = 0;
    await worker?.terminate();
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    // After this turn's I/O callbacks and promise chains: one batch per turn, not one per chain.
    setImmediate(() => this.#send());
  }

  #send(): void {
    const batch = this.#gathering;
    if (batch.length === 0 && this.#release.length === 0 && !this.#releaseAll && !this.#scheduled) return;
    this.#scheduled = false;
    this.#gathering = [];
    let total = 0;
    for (const r of batch) total += r.data.length + r.header.length;
    const bytes = new ArrayBuffer(total);
    const into = new Uint8Array(bytes);
    let off = 0;
    const appends = batch.map((r) => {
      into.set(r.header, off);
      const header = [off, r.header.length];
      off += r.header.length;
      into.set(r.data, off);
      const data = [off, r.data.length];
      off += r.data.length;
      return { path: r.target.path, goodSize: r.target.sizeOnDisk, data, header };
    });
    if (batch.length === 0 && this.#worker === undefined) {
      this.#release = [];
      this.#releaseAll = false;
      if (this.#inFlight.length === 0) this.#idle();
      return; // only releases, and no thread holds descriptors
    }
    const worker = this.#thread();
    this.batches++;
    this.#inFlight.push(batch);
    worker.ref(); // an answer is due: keep the process alive for it
    worker.postMessage({ appends, bytes, now: this.#now(), release: this.#release, releaseAll: this.#releaseAll }, [bytes]);
    this.#release = [];
    this.#releaseAll = false;
  }

  #answered(m: { results: Result[]; openFiles: number }): void {
    const batch = this.#inFlight.shift() ?? [];
    this.#openFiles = m.openFiles;
    for (let i = 0; i < batch.length; i++) {
      const r = m.results[i]!;
      if ('code' in r) batch[i]!.reject(Object.assign(new Error(r.message), { code: r.code }));
      else batch[i]!.resolve(r);
    }
    if (this.#inFlight.length === 0) this.#idle();
  }

  #failAll(err: Error): void {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    for (const batch of this.#inFlight.splice(0)) for (const r of batch) r.reject(Object.assign(new Error(err.message), { code }));
    this.#idle();
  }

  #idle(): void {
    this.#worker?.unref();
    if (this.#scheduled) return; // a batch is about to go: idle once it is answered
    for (const resolve of this.#whenIdle.splice(0)) resolve();
  }
}
