/**
 * The query thread's entry (a worker_threads module, loaded by URL by
 * QueryServer: dist/query-thread.js). It serves the query socket's HTTP and
 * asks the polling thread only for flows (thread-protocol.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { HttpFront } from './http-front.js';
import { MainLink } from './main-link.js';
import type { FromQueryThread, QueryThreadConfig, ToQueryThread } from './thread-protocol.js';

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
  () => post({ type: 'listening' }),
  (err: unknown) => post({ type: 'listen-error', message: (err as Error).message }),
);
