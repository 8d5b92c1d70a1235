/**
 * The query thread's entry (a worker_threads module, loaded by URL by
 * QueryServer: dist/query-thread.js). It serves the query socket's HTTP and
 * asks the polling thread only for flows (thread-protocol.ts).
 */
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { HttpFront } from './http-front.js';
import { MainLink } from './main-link.js';
import type { FromQueryThread, QueryThreadConfig, ToQueryThread } from './thread-protocol.js';

/**
 * How much lower the query thread's priority is than the polling thread's
 * (nice +10: CFS weight ~1/10). Queries are best effort; polling is the
 * daemon's job: when the machine's cores are busy, the query thread waits,
 * not the polling loop. Linux sets nice per thread; the thread's id is the
 * last part of /proc/thread-self.
 */
const NICER_BY = 10;

/** This thread's id and nice value after lowering it (undefined where threads have no nice of their own). */
function yieldToPolling(): { tid: number; nice: number } | undefined {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    setPriority(tid, Math.min(19, getPriority(tid) + NICER_BY));
    return { tid, nice: getPriority(tid) };
  } catch {
    return undefined;
  }
}

const priority = yieldToPolling();
const port = parentPort!;
const post = (m: FromQueryThread) => port.postMessage(m);
const config = workerData as QueryThreadConfig;
const link = new MainLink((asks) => post({ type: 'asks', asks }), config.batchGapMs);
const front = new HttpFront(
  config,
  link,
  (clients) => config.reportClients && post({ type: 'clients', clients }),
  (line) => post({ type: 'log', line }),
);

port.on('message', (m: ToQueryThread) => {
  if (m.type === 'answers') link.answered(m);
  else if (m.type === 'close') void front.close().then(() => post({ type: 'closed' }));
});

front.listen().then(
  () => post({ type: 'listening', ...(priority !== undefined ? { thread: priority } : {}) }),
  (err: unknown) => post({ type: 'listen-error', message: (err as Error).message }),
);
