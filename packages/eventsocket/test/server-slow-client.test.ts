import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { formatFlowEvent, parseFlowEventLine } from '../src/index.js';
import { openEvent, rawClient, socketPath, startServer } from './helpers.js';

describe('EventSocketServer: a client that never reads', () => {
  it('is dropped and counted; emit never blocks nor grows beyond the bound; the other client gets everything', async () => {
    const path = socketPath();
    const maxQueuedBytes = 256 * 1024;
    let dropped = 0;
    const logs: string[] = [];
    const { server, untilClients } = await startServer(path, { maxQueuedBytes, onClientDropped: () => dropped++, log: (l) => logs.push(l) });
    const stuck = connect(path);
    await once(stuck, 'connect');
    stuck.pause(); // reads nothing: the kernel buffers fill, then our queue
    const good = rawClient(path);
    await untilClients(2);
    const lineBytes = Buffer.byteLength(formatFlowEvent(openEvent(99999)) + '\n');
    const N = 50_000; // ~7 MB: far beyond both kernel socket buffers and the bound
    let mostQueued = 0;
    for (let i = 0; i < N; i++) {
      // emit() returns nothing to await: it cannot wait for the stuck client, only queue.
      expect(server.emit(openEvent(i))).toBeUndefined();
      mostQueued = Math.max(mostQueued, server.stats.queuedBytes);
      // A polling cycle's worth of events, then the event loop turns (the good client reads).
      if (i % 500 === 499) await new Promise((r) => setImmediate(r));
    }
    await good.untilLines(N);
    expect(dropped).toBe(1);
    expect(server.stats).toMatchObject({ clients: 1, droppedSlowClients: 1 });
    expect(logs.some((l) => l.includes('behind'))).toBe(true);
    expect(good.lines).toHaveLength(N);
    expect(good.lines.every((l, i) => parseFlowEventLine(l).uuid === `u${i}`)).toBe(true);
    // Bounded: the stuck client's queue never exceeded the bound by more than one
    // cycle's lines; the good client's share is at most one cycle's lines. (How long
    // emit() takes is the machine's business, not asserted here.)
    expect(mostQueued).toBeLessThanOrEqual(maxQueuedBytes + 2 * 500 * lineBytes);
    // The server cut it off: reading now gives what the kernel held, then the end.
    let stuckBytes = 0;
    stuck.on('data', (d: Buffer) => (stuckBytes += d.length));
    stuck.resume();
    await once(stuck, 'close');
    expect(stuckBytes).toBeGreaterThan(0);
    expect(stuckBytes).toBeLessThan(N * lineBytes);
    good.sock.destroy();
    await server.close();
  });
});

describe('EventSocketServer: a burst larger than the bound', () => {
  it('does not drop a client that keeps up', async () => {
    const path = socketPath();
    const { server, untilClients } = await startServer(path, { maxQueuedBytes: 64 * 1024 });
    const good = rawClient(path);
    await untilClients(1);
    const N = 20_000; // ~3 MB in one turn, 50 times the bound
    for (let i = 0; i < N; i++) server.emit(openEvent(i));
    await good.untilLines(N);
    server.emit(openEvent(N)); // the next turn finds it caught up
    await good.untilLines(N + 1);
    expect(server.stats).toMatchObject({ clients: 1, droppedSlowClients: 0 });
    good.sock.destroy();
    await server.close();
  });
});

describe('EventSocketServer.close with a client that never reads', () => {
  it('cuts it off instead of waiting for it, and removes the file', async () => {
    const path = socketPath();
    const { server, untilClients } = await startServer(path, { closeGraceMs: 100 });
    const stuck = connect(path);
    await once(stuck, 'connect');
    stuck.pause();
    await untilClients(1);
    for (let i = 0; i < 20_000; i++) server.emit(openEvent(i)); // more than the kernel buffers hold
    await new Promise((r) => setImmediate(r)); // the flush happens
    expect(server.stats.queuedBytes).toBeGreaterThan(0);
    // A close that waited for the client would never resolve (it never reads): the
    // test's timeout, not a wall-time bound, catches that. Timers never fire early,
    // so the lower bound holds on any machine.
    const started = performance.now();
    await server.close();
    expect(performance.now() - started).toBeGreaterThanOrEqual(99); // it did give the client its grace period
    expect(server.clients).toBe(0);
    expect(existsSync(path)).toBe(false);
    stuck.destroy();
  });
});
