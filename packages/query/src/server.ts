import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { removeSocketFile } from '@tcpinfo/eventsocket';
import { AskDesk } from './ask-desk.js';
import { QueryError } from './errors.js';
import type { FlowTable } from './flow-table.js';
import { DEFAULT_CACHED_SNAPSHOTS } from './format.js';
import { DEFAULT_BATCH_GAP_MS } from './main-link.js';
import { COUNTER, COUNTERS_BYTES, type FromQueryThread, type QueryThreadConfig, type ToQueryThread } from './thread-protocol.js';

/** Options of a {@link QueryServer}. */
export interface QueryServerOptions {
  /** File mode of the socket from its creation (default 0o660, as the event socket). */
  readonly mode?: number;
  /** Most clients at once (default 64); more get a 503 and are closed. */
  readonly maxClients?: number;
  /**
   * A client that neither sends nor takes any byte for this long is closed
   * (default 10 s): a client that stops reading holds its slot no longer.
   */
  readonly idleTimeoutMs?: number;
  /** Connections per chunk of a listing (default 256): the polling thread's work per ask of a listing. */
  readonly listChunk?: number;
  /**
   * Latest snapshots kept as JSON (on the query thread) for the connections
   * asked about most recently (default 1024, ~2.5 KB each): asked again before
   * its next snapshot, a connection's answer costs its figures only.
   */
  readonly cachedSnapshots?: number;
  /**
   * Least time between two batches of asks from the query thread (default 5
   * ms): each wakes the polling thread, so under load this bounds its wakes
   * (1000 / batchGapMs per second) and adds at most this much to a query's
   * latency; a query after a quiet gap goes at once.
   */
  readonly batchGapMs?: number;
  /** One line per incident. */
  readonly log?: (line: string) => void;
  /** Called when the number of clients changes (each change is then a message to the polling thread). */
  readonly onClientCount?: (clients: number) => void;
}

/** Counts kept since the server started. */
export interface QueryServerStats {
  readonly clients: number;
  readonly acceptedClients: number;
  readonly refusedClients: number;
  readonly requests: number;
  readonly badRequests: number;
  /** Batches of asks the polling thread answered (its only work for the query socket). */
  readonly batches: number;
  /** Asks in those batches (one per query, one per chunk of a listing). */
  readonly asks: number;
}

const DEFAULTS = { mode: 0o660, maxClients: 64, idleTimeoutMs: 10_000, listChunk: 256, cachedSnapshots: DEFAULT_CACHED_SNAPSHOTS, batchGapMs: DEFAULT_BATCH_GAP_MS };

/**
 * The query thread's entry. Beside this module in dist/ (index.js and
 * index.cjs both load the ESM entry query-thread.js); when this module runs
 * from its TypeScript source (vitest aliases the packages to src/), the built
 * entry in ../dist: Node 20 cannot run TypeScript in a worker.
 */
export function queryThreadUrl(): URL {
  const beside = new URL('./query-thread.js', import.meta.url);
  if (existsSync(fileURLToPath(beside))) return beside;
  return new URL('../dist/query-thread.js', import.meta.url);
}

/**
 * The query socket: HTTP/1.1 on a Unix socket, served by a thread of its own
 * (query-thread.ts: node:http, routing, every answer's JSON, the socket
 * writes) that asks this thread, the polling thread, only for the flows a
 * client asked about, in batches ({@link AskDesk}). So a query costs polling
 * one lookup and one JSON line per flow plus its share of a message, and no
 * client costs it nothing: nothing runs on this thread unless a batch arrives,
 * no timer, no hook on the {@link FlowTable} (test/server-idle.test.ts counts
 * it). The thread is unref'd: it never keeps the daemon alive.
 */
export class QueryServer {
  readonly #opts: Required<Omit<QueryServerOptions, 'log' | 'onClientCount'>> & Pick<QueryServerOptions, 'log' | 'onClientCount'>;
  readonly #desk: AskDesk;
  readonly #counters = new Int32Array(new SharedArrayBuffer(COUNTERS_BYTES));
  #worker: Worker | undefined;
  #thread: { readonly tid: number; readonly nice: number } | undefined;
  #path = '';
  /** Resolves when the thread said it closed (or ended). */
  #closed: (() => void) | undefined;
  /** At exit without close() (the thread ends with the process): the socket file goes too. */
  readonly #atExit = () => removeSocketFile(this.#path);

  constructor(table: FlowTable, options: QueryServerOptions = {}) {
    this.#opts = { ...DEFAULTS, ...options };
    this.#desk = new AskDesk(table, this.#opts.listChunk);
  }

  /** The counts since start. */
  get stats(): QueryServerStats {
    const c = this.#counters;
    return {
      clients: Atomics.load(c, COUNTER.clients),
      acceptedClients: Atomics.load(c, COUNTER.acceptedClients),
      refusedClients: Atomics.load(c, COUNTER.refusedClients),
      requests: Atomics.load(c, COUNTER.requests),
      badRequests: Atomics.load(c, COUNTER.badRequests),
      batches: this.#desk.batches,
      asks: this.#desk.asks,
    };
  }

  /**
   * The query thread's id and nice value while listening (Linux): nice +10
   * relative to the polling thread, so that under contention queries wait,
   * not polling.
   */
  get thread(): { readonly tid: number; readonly nice: number } | undefined {
    return this.#worker === undefined ? undefined : this.#thread;
  }

  /** The path listened on ('' before {@link listen} and after {@link close}). */
  get path(): string {
    return this.#path;
  }

  /**
   * Starts the query thread listening on `path` with the configured mode. A
   * stale socket file is replaced; a file that is not a socket, or a socket a
   * live server answers on, is refused ({@link QueryError} `LISTEN`) and left alone.
   */
  async listen(path: string): Promise<void> {
    if (this.#worker !== undefined) throw new QueryError('ALREADY_LISTENING', 'QueryServer: already listening');
    const config: QueryThreadConfig = {
      path,
      mode: this.#opts.mode,
      maxClients: this.#opts.maxClients,
      idleTimeoutMs: this.#opts.idleTimeoutMs,
      listChunk: this.#opts.listChunk,
      cachedSnapshots: this.#opts.cachedSnapshots,
      batchGapMs: this.#opts.batchGapMs,
      reportClients: this.#opts.onClientCount !== undefined,
      counters: this.#counters.buffer as SharedArrayBuffer,
    };
    const worker = new Worker(queryThreadUrl(), { workerData: config });
    this.#worker = worker;
    const started = new Promise<void>((resolve, reject) => {
      worker.on('message', (m: FromQueryThread) => {
        switch (m.type) {
          case 'asks': {
            const answer = this.#desk.answer(m.asks);
            worker.postMessage(answer satisfies ToQueryThread); // its flows are in shared buffers: nothing detached
            return;
          }
          case 'listening':
            this.#thread = m.thread;
            return resolve();
          case 'listen-error':
            return reject(new QueryError('LISTEN', m.message));
          case 'clients':
            return this.#opts.onClientCount?.(m.clients);
          case 'log':
            return this.#opts.log?.(m.line);
          case 'closed':
            return this.#closed?.();
        }
      });
      worker.on('error', (err) => {
        reject(new QueryError('LISTEN', `query thread: ${err.message}`, err));
        this.#opts.log?.(`query socket: thread failed: ${err.message}`);
      });
      worker.on('exit', (code) => {
        reject(new QueryError('LISTEN', `query thread exited (${code}) before listening`));
        this.#ended(worker);
      });
    });
    try {
      await started;
    } catch (err) {
      this.#worker = undefined;
      await worker.terminate();
      throw err;
    }
    worker.unref(); // the query socket alone must not keep the daemon alive
    this.#path = path;
    process.once('exit', this.#atExit);
  }

  /** The thread ended (closed, or failed): nothing is left to answer. */
  #ended(worker: Worker): void {
    this.#desk.clear();
    process.off('exit', this.#atExit);
    this.#closed?.();
    if (this.#worker !== worker) return;
    this.#worker = undefined;
    if (this.#path !== '') {
      this.#opts.log?.('query socket: its thread ended; the socket is closed');
      removeSocketFile(this.#path);
      this.#path = '';
    }
  }

  /** Stops listening, closes every client, ends the thread and removes the socket file. */
  async close(): Promise<void> {
    const worker = this.#worker;
    if (worker === undefined) return;
    this.#worker = undefined;
    worker.ref(); // until it said it closed
    await new Promise<void>((resolve) => {
      this.#closed = resolve;
      worker.postMessage({ type: 'close' } satisfies ToQueryThread);
    });
    await worker.terminate();
    this.#desk.clear();
    process.off('exit', this.#atExit);
    removeSocketFile(this.#path);
    this.#path = '';
  }
}
