import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { connect, TCPEvent, type ClientFlowEvent, type EventParseError } from '../src/index.js';
import { openDescriptors, openEvent, socketPath, startServer } from './helpers.js';

const close1 = { event: TCPEvent.Close, timestampNanos: 2_000_000_123n, uuid: 'u1' } as const;

describe('EventSocketClient', () => {
  it('delivers typed events to iterators and listeners; close ends iteration', async () => {
    const path = socketPath();
    const { server, untilClients } = await startServer(path);
    const client = connect(path, { minBackoffMs: 10 });
    await once(client, 'connect');
    await untilClients(1);
    const viaEmitter: ClientFlowEvent[] = [];
    client.on('event', (e) => viaEmitter.push(e));
    const iterated = (async () => {
      const got: ClientFlowEvent[] = [];
      for await (const e of client) got.push(e);
      return got;
    })();
    const second = client.events();
    const firstFromSecond = second.next();
    server.emit({ ...openEvent(1), id: { ...openEvent(1).id!, cookie: 0xfedcba9876543210n } });
    server.emit(close1);
    expect((await firstFromSecond).value).toMatchObject({ event: 'open', uuid: 'u1' });
    expect((await second.next()).value).toMatchObject({ event: 'close', uuid: 'u1' });
    await client.close();
    expect(client.closed).toBe(true);
    expect(await second.next()).toEqual({ value: undefined, done: true });
    const got = await iterated;
    expect(got).toEqual(viaEmitter);
    expect(got).toEqual([
      { event: 'open', timestamp: new Date(0), timestampNanos: 1n, uuid: 'u1', id: { sport: 1, dport: 1, srcIP: '192.0.2.1', dstIP: '192.0.2.2', interface: 0, cookie: 0xfedcba9876543210n } },
      { event: 'close', timestamp: new Date(2000), timestampNanos: 2_000_000_123n, uuid: 'u1' },
    ]);
    await untilClients(0);
    await server.close();
  });

  it('reconnects with back-off after the daemon restarts, and keeps iterating', async () => {
    const path = socketPath();
    let { server, untilClients } = await startServer(path);
    const client = connect(path, { minBackoffMs: 5, maxBackoffMs: 20 });
    await once(client, 'connect');
    await untilClients(1);
    const events = client.events();
    server.emit(openEvent(1));
    expect((await events.next()).value).toMatchObject({ event: 'open', uuid: 'u1' });

    const disconnected = once(client, 'disconnect');
    await server.close();
    await disconnected;
    expect(client.connected).toBe(false);
    const reconnected = once(client, 'reconnect');
    ({ server, untilClients } = await startServer(path));
    await reconnected;
    expect(client.connected).toBe(true);
    await untilClients(1);
    server.emit(close1);
    expect((await events.next()).value).toMatchObject({ event: 'close', uuid: 'u1' });
    await client.close();
    expect((await events.next()).done).toBe(true);
    await server.close();
  });

  it('leaks no descriptor over 20 daemon restarts', async () => {
    const path = socketPath();
    let { server, untilClients } = await startServer(path);
    const client = connect(path, { minBackoffMs: 1, maxBackoffMs: 5 });
    await once(client, 'connect');
    await untilClients(1);
    const before = openDescriptors();
    for (let i = 0; i < 20; i++) {
      const lost = once(client, 'disconnect');
      await server.close();
      await lost;
      const back = once(client, 'reconnect');
      ({ server, untilClients } = await startServer(path));
      await back;
      await untilClients(1);
    }
    expect(openDescriptors()).toBe(before);
    await client.close();
    await server.close();
  });

  it('keeps trying while no daemon exists yet, then connects', async () => {
    const path = socketPath();
    const client = connect(path, { minBackoffMs: 5, maxBackoffMs: 10 });
    const connected = once(client, 'connect');
    const { server } = await startServer(path);
    await connected;
    await client.close();
    await server.close();
  });

  it('backs off exponentially from a server that closes every connection at once', async () => {
    const path = socketPath();
    const times: number[] = [];
    let fifth = () => {};
    const fifthConnection = new Promise<void>((r) => (fifth = r));
    const refusing = createServer((s) => {
      times.push(performance.now());
      s.destroy();
      if (times.length === 5) fifth();
    }).listen(path);
    await once(refusing, 'listening');
    const client = connect(path, { minBackoffMs: 10, maxBackoffMs: 1000 });
    await fifthConnection;
    await client.close();
    await new Promise((r) => refusing.close(r));
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    // Delays 10, 20, 40, 80 ms, each -20 % at worst: timers never fire early.
    gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(10 * 2 ** i * 0.8 - 1));
  });

  it('reports bad lines and too-long lines, and goes on reading', async () => {
    const path = socketPath();
    const peers: Socket[] = [];
    const fake = createServer((s) => peers.push(s)).listen(path);
    await once(fake, 'listening');
    const client = connect(path, { maxLineLength: 200 });
    const errors: EventParseError[] = [];
    client.on('parseError', (e) => errors.push(e));
    const connected = once(fake, 'connection');
    await connected;
    const events = client.events();
    peers[0]!.write('{"Event":9,"UUID":"x"}\nnot json\n' + 'x'.repeat(500) + '\n{"Event":1,"UUID":"ok"}\r\n');
    expect((await events.next()).value).toMatchObject({ event: 'close', uuid: 'ok' });
    expect(errors.map((e) => e.code)).toEqual(['UNKNOWN_EVENT', 'BAD_JSON', 'LINE_TOO_LONG']);
    await client.close();
    await new Promise((r) => fake.close(r));
  });

  it('a bad line is skipped, also while someone awaits once(client, "event")', async () => {
    const path = socketPath();
    const fake = createServer((s) => s.write('garbage\n{"Event":1,"UUID":"ok"}\n')).listen(path);
    await once(fake, 'listening');
    const client = connect(path);
    const [e] = await once(client, 'event');
    expect(e).toMatchObject({ uuid: 'ok' });
    await client.close();
    await new Promise((r) => fake.close(r));
  });

  it('stops reading while an iterator lags (back-pressure), without losing events', async () => {
    const path = socketPath();
    const { server, untilClients } = await startServer(path);
    const client = connect(path, { highWaterMark: 100 });
    await once(client, 'connect');
    await untilClients(1);
    const events = client.events();
    for (let i = 0; i < 5000; i++) server.emit(openEvent(i));
    // Nothing is consumed yet: the server holds what the client does not read.
    await new Promise((r) => setImmediate(r));
    for (let i = 0; i < 5000; i++) {
      const { value } = await events.next();
      expect(value!.uuid).toBe(`u${i}`);
    }
    expect(server.stats.droppedSlowClients).toBe(0);
    await client.close();
    await server.close();
  });

  it('closes when its AbortSignal fires', async () => {
    const path = socketPath();
    const { server, untilClients } = await startServer(path);
    const controller = new AbortController();
    const client = connect(path, { signal: controller.signal });
    await once(client, 'connect');
    await untilClients(1);
    const closed = once(client, 'close');
    controller.abort();
    await closed;
    expect(client.closed).toBe(true);
    await untilClients(0);
    await server.close();
  });
});
