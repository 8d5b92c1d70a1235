import type { TcpInfoMetrics } from '@tcpinfo/metrics';
import { compactFile } from './compaction.js';
import { SaverError } from './errors.js';

/** Counters the queue keeps (part of the saver's stats). */
export interface CompactionStats {
  filesCompacted: number;
  compactionsSkipped: number;
}

/** What the queue needs from the saver. */
export interface CompactionQueueOptions {
  readonly level: number;
  readonly fileMode: number | undefined;
  readonly now: () => number;
  readonly stats: CompactionStats;
  readonly metrics: TcpInfoMetrics | undefined;
  readonly logError: (line: string) => void;
}

/**
 * Compacts finished files one at a time in the background (one zstd context:
 * bounded memory). At shutdown {@link drain} gives it a deadline on the
 * saver's clock: the file being rewritten when it passes is abandoned (it
 * stays as written) and the rest are skipped.
 */
export class CompactionQueue {
  readonly #queue: string[] = [];
  #running: Promise<void> | undefined;
  /** When the loop stops taking files (ms): none while running; drain sets one. */
  #deadline = Infinity;
  #abort: AbortController | undefined;
  #stopped = false;

  constructor(private readonly o: CompactionQueueOptions) {}

  /** Queues a finished file; compaction starts at once unless {@link stop} was called. */
  add(path: string): void {
    this.#queue.push(path);
    if (this.#running === undefined && !this.#stopped) this.#running = this.#run();
  }

  /** No new background run (shutdown has begun; {@link drain} runs what is queued). */
  stop(): void {
    this.#stopped = true;
  }

  /** Compacts what is queued until `deadline` (ms, on the saver's clock); the rest is skipped. */
  async drain(deadline: number): Promise<void> {
    this.#deadline = deadline;
    const timer = setTimeout(() => this.#abort?.abort(), Math.max(0, deadline - this.o.now()));
    try {
      if (this.#running !== undefined) await this.#running;
      if (this.#queue.length > 0 && this.o.now() < deadline) {
        this.#running = this.#run();
        await this.#running;
      }
    } finally {
      clearTimeout(timer);
    }
    this.o.stats.compactionsSkipped += this.#queue.length;
    this.#queue.length = 0;
  }

  /** The deadline is read for every file: a loop started while running stops when drain sets one. */
  async #run(): Promise<void> {
    try {
      let path: string | undefined;
      while (this.o.now() < this.#deadline && (path = this.#queue.shift()) !== undefined) {
        const abort = new AbortController();
        this.#abort = abort;
        try {
          await compactFile(path, this.o.level, { signal: abort.signal, fileMode: this.o.fileMode });
          this.o.stats.filesCompacted++;
        } catch (err) {
          this.#failed(path, err, abort.signal.aborted);
        }
      }
    } finally {
      this.#abort = undefined;
      this.#running = undefined;
    }
  }

  #failed(path: string, err: unknown, aborted: boolean): void {
    if (aborted) {
      this.o.stats.compactionsSkipped++;
    } else if (err instanceof SaverError && err.code === 'NOT_REGULAR_FILE') {
      this.o.metrics?.errors.labels('not_regular_file').inc();
      this.o.logError(`tcp-info: refusing to compact ${path}: ${err.message} (the file stays as written)`);
    } else {
      this.o.metrics?.errors.labels('compaction').inc();
      this.o.logError(`tcp-info: compacting ${path}: ${(err as Error).message} (the file stays as written)`);
    }
  }
}
