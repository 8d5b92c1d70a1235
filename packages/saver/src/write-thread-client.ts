import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AppendOutcome, AppendRequest, BatchAnswer, SettleRequest, WriteBatch, WriteThreadConfig } from './write-protocol.js';

/** A file the write thread appends to; the saver's `FileProgress` fits. */
export interface FrameTarget {
  /** Absolute path. */
  readonly path: string;
  /** Size as last written successfully: beyond it is a torn write. */
  readonly sizeOnDisk: number;
}

interface Request {
  readonly target: FrameTarget;
  readonly data: Uint8Array;
  readonly header: Uint8Array;
  readonly resolve: (r: AppendOutcome) => void;
}

/** Appends gathered at most before they are sent without waiting for the end of the turn. */
const SLICE = 256;

/**
 * The write thread's entry. Beside this module in dist/ (index.js and
 * index.cjs both load the ESM entry write-thread.js); when this module runs
 * from its TypeScript source (vitest aliases the packages to src/), the built
 * entry in ../dist: Node 20 cannot run TypeScript in a worker.
 */
export function writeThreadUrl(): URL {
  const beside = new URL('./write-thread.js', import.meta.url);
  if (existsSync(fileURLToPath(beside))) return beside;
  return new URL('../dist/write-thread.js', import.meta.url);
}

/**
 * The main thread's side of the write thread: the appends requested during
 * one turn of the event loop go over as one message (their bytes in one
 * shared buffer) and come back as one, so the polling thread spends one
 * postMessage per cycle on the disk instead of a libuv request per file
 * (measured ~35 µs of main-thread time each under load), and a file's open and
 * first write need no round trip through the busy polling loop (10,000 files
 * found at start-up). The thread only waits for the disk; polling never does.
 * What the thread does with each append is write-rules.ts.
 */
export class WriteThreadClient {
  #worker: Worker | undefined;
  readonly #config: WriteThreadConfig;
  readonly #now: () => number;
  /** Requests of the batch being gathered. */
  #gathering: Request[] = [];
  #release: string[] = [];
  #releaseAll = false;
  #settle: SettleRequest[] = [];
  #scheduled = false;
  /** Batches sent and not answered, in order. */
  readonly #inFlight: Request[][] = [];
  #openFiles = 0;
  /** Batches sent to the thread (for benchmarks). */
  batches = 0;
  /** Waiting for every batch to be answered. */
  #whenIdle: (() => void)[] = [];

  constructor(config: WriteThreadConfig, now: () => number) {
    this.#config = config;
    this.#now = now;
  }

  /** The thread, started on first use (and again after {@link close} or a crash). */
  #thread(): Worker {
    if (this.#worker !== undefined) return this.#worker;
    const worker = new Worker(writeThreadUrl(), { workerData: this.#config });
    worker.on('message', (m: BatchAnswer) => this.#answered(m));
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
   * Appends `data` to `target`; never rejects: the outcome says what happened.
   * `header()` (the header frame) is written first when the file was deleted
   * or truncated under us; its bytes are computed here, once per request.
   */
  append(target: FrameTarget, data: Uint8Array, header: () => Uint8Array): Promise<AppendOutcome> {
    const head = target.sizeOnDisk > 0 ? header() : new Uint8Array(0);
    return new Promise<AppendOutcome>((resolve) => {
      this.#gathering.push({ target, data, header: head, resolve });
      // A burst (thousands of files found at start-up) goes over in slices, so the
      // thread writes while this one still compresses the rest.
      if (this.#gathering.length >= SLICE) this.#send();
      else this.#schedule();
    });
  }

  /** Closes the target's descriptor (after the file's last append, before compaction). */
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

  /** Leaves files whose frames could not all be written valid (at exit; see WriteRules.settle). */
  settle(targets: Iterable<FrameTarget>): void {
    for (const t of targets) this.#settle.push({ path: t.path, goodSize: t.sizeOnDisk });
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
    if (batch.length === 0 && this.#release.length === 0 && !this.#releaseAll && this.#settle.length === 0 && !this.#scheduled) return;
    this.#scheduled = false;
    this.#gathering = [];
    let total = 0;
    for (const r of batch) total += r.data.length + r.header.length;
    const bytes = new SharedArrayBuffer(total); // not transferred: see WriteBatch.bytes
    const into = new Uint8Array(bytes);
    let off = 0;
    const appends = batch.map((r): AppendRequest => {
      into.set(r.header, off);
      const header = [off, r.header.length] as const;
      off += r.header.length;
      into.set(r.data, off);
      const data = [off, r.data.length] as const;
      off += r.data.length;
      return { path: r.target.path, goodSize: r.target.sizeOnDisk, data, header };
    });
    if (batch.length === 0 && this.#worker === undefined && this.#settle.length === 0) {
      this.#release = [];
      this.#releaseAll = false;
      if (this.#inFlight.length === 0) this.#idle();
      return; // only releases, and no thread holds descriptors
    }
    const worker = this.#thread();
    this.batches++;
    this.#inFlight.push(batch);
    worker.ref(); // an answer is due: keep the process alive for it
    const message: WriteBatch = { appends, bytes, now: this.#now(), release: this.#release, releaseAll: this.#releaseAll, settle: this.#settle };
    worker.postMessage(message);
    this.#release = [];
    this.#releaseAll = false;
    this.#settle = [];
  }

  #answered(m: BatchAnswer): void {
    const batch = this.#inFlight.shift() ?? [];
    this.#openFiles = m.openFiles;
    for (let i = 0; i < batch.length; i++) batch[i]!.resolve(m.results[i]!);
    if (this.#inFlight.length === 0) this.#idle();
  }

  #failAll(err: Error): void {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    const outcome: AppendOutcome = { ok: false, code, message: err.message, refused: false };
    for (const batch of this.#inFlight.splice(0)) for (const r of batch) r.resolve(outcome);
    this.#idle();
  }

  #idle(): void {
    this.#worker?.unref();
    if (this.#scheduled) return; // a batch is about to go: idle once it is answered
    for (const resolve of this.#whenIdle.splice(0)) resolve();
  }
}
