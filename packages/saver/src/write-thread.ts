/**
 * The saver's write thread: a built entry of this package, loaded by URL
 * (`new Worker(new URL('./write-thread.js', import.meta.url))`, see
 * write-thread-client.ts). It only applies {@link WriteRules} over `node:fs`
 * to each batch and answers it; every rule lives (and is tested) there.
 * Synchronous calls are right here: this thread only ever waits for the disk,
 * and they cost a third of the CPU of libuv's pool per write.
 */
import * as fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { BatchAnswer, WriteBatch, WriteThreadConfig } from './write-protocol.js';
import { WriteRules } from './write-rules.js';

if (parentPort === null) throw new Error('write-thread.js runs as a worker thread of @tcpinfo/saver');
const port = parentPort;
const rules = new WriteRules(fs, workerData as WriteThreadConfig);
port.on('message', (batch: WriteBatch) => {
  const answer: BatchAnswer = rules.handle(batch);
  port.postMessage(answer);
});
