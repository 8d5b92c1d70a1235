import { Worker } from 'node:worker_threads';

/**
 * A conversion worker (convert-worker.ts), started before it has work.
 *
 * tcpinfo-csv starts its first worker as soon as its options say there will
 * be several inputs and `--jobs` above 1, before the main thread loads the
 * converter's modules: the worker's own start-up (~0.1 s: a V8 isolate, then
 * the same modules) then runs beside the main thread's instead of after it.
 * On 1,000 small files that start-up was as long as a fifth of the whole run.
 *
 * Kept light (worker_threads only) so that the command line can import it
 * before anything else. An error before the pool adopts the worker (its
 * modules failed to load) is kept for the pool to report.
 */
export class EarlyWorker {
  readonly worker: Worker;
  error: Error | undefined;

  constructor() {
    // The built worker sits beside this module (tsup builds both into dist/).
    this.worker = new Worker(new URL('./convert-worker.js', import.meta.url));
    this.worker.once('error', (e) => (this.error = e));
  }
}

/** A conversion worker, started now. */
export function spawnConvertWorker(): Worker {
  return new EarlyWorker().worker;
}

/**
 * Whether a run is worth starting a worker for before its inputs are listed:
 * `--jobs` above 1 and, by the options alone, likely more than one input
 * (several arguments, a directory, or a list). A guess: a directory with one
 * file costs a worker started and stopped; one file never starts one.
 */
export function expectsSeveralInputs(o: { jobs: number; args: readonly string[]; filesFrom?: string | undefined; isDirectory: (path: string) => boolean }): boolean {
  if (o.jobs < 2) return false;
  if (o.filesFrom !== undefined || o.args.length > 1) return true;
  return o.args.length === 1 && o.args[0] !== '-' && o.isDirectory(o.args[0]!);
}
