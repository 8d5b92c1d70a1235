import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatFlowEvent, parseFlowEventLine, TCPEvent, type FlowEvent } from '../src/index.js';
import { openEvent, rawClient, socketPath, startServer } from './helpers.js';

describe('EventSocketServer: sending events', () => {
  it('sends every client each event byte for byte; a late client gets events from then on', async () => {
    const path = socketPath();
    const counts: string[] = [];
    const clientCounts: number[] = [];
    const { server, untilClients } = await startServer(path, { onEvent: (k) => counts.push(k), onClientCount: (n) => clientCounts.push(n) });
    server.emit(openEvent(0)); // nobody listens yet: counted, sent to no one
    const a = rawClient(path);
    await untilClients(1);
    const big: FlowEvent = { event: TCPEvent.Open, timestampNanos: 1554836592123456789n, uuid: 'h_8000000000000001', id: { sport: 443, dport: 40000, srcIP: '2001:db8::1', dstIP: '192.0.2.9', interface: 1, cookie: 0x8000000000000001n } };
    server.emit(big);
    const b = rawClient(path);
    await untilClients(2);
    const close: FlowEvent = { event: TCPEvent.Close, timestampNanos: 1554836593000000000n, uuid: 'h_8000000000000001' };
    server.emit(close);
    await Promise.all([a.untilLines(2), b.untilLines(1)]);
    expect(a.lines).toEqual([
      '{"Event":0,"Timestamp":"2019-04-09T19:03:12.123456789Z","UUID":"h_8000000000000001","ID":{"SPort":443,"DPort":40000,"SrcIP":"2001:db8::1","DstIP":"192.0.2.9","Interface":1,"Cookie":-9223372036854775807}}',
      '{"Event":1,"Timestamp":"2019-04-09T19:03:13Z","UUID":"h_8000000000000001","ID":null}',
    ]);
    expect(b.lines).toEqual([formatFlowEvent(close)]);
    expect(parseFlowEventLine(a.lines[0]!)).toMatchObject({ event: 'open', id: big.id });
    expect(counts).toEqual(['open', 'open', 'close']);
    expect(server.stats).toMatchObject({ openEvents: 2, closeEvents: 1, clients: 2, acceptedClients: 2, droppedSlowClients: 0 });
    a.sock.destroy();
    await untilClients(1);
    b.sock.destroy();
    await untilClients(0);
    expect(clientCounts).toEqual([1, 2, 1, 0]);
    await server.close();
  });

  it('coalesces the events of one turn into few writes, in order', async () => {
    const path = socketPath();
    const { server, untilClients } = await startServer(path);
    const c = rawClient(path);
    await untilClients(1);
    for (let i = 0; i < 1000; i++) server.emit(openEvent(i));
    await c.untilLines(1000);
    expect(c.lines.map((l) => parseFlowEventLine(l).uuid)).toEqual(Array.from({ length: 1000 }, (_, i) => `u${i}`));
    c.sock.destroy();
    await server.close();
  });

  it('refuses clients beyond maxClients, counting them', async () => {
    const path = socketPath();
    let refused = 0;
    let dropped = 0;
    const { server, untilClients } = await startServer(path, { maxClients: 1, onClientRefused: () => refused++, onClientDropped: () => dropped++ });
    const a = rawClient(path);
    await untilClients(1);
    const b = rawClient(path);
    await b.untilLines(Infinity); // until the server has closed it
    expect([refused, dropped]).toEqual([1, 0]);
    expect(server.stats).toMatchObject({ clients: 1, refusedClients: 1 });
    a.sock.destroy();
    await server.close();
  });

  it('on close, delivers what was emitted to clients that keep up, then ends them', async () => {
    const path = socketPath();
    const { server, untilClients } = await startServer(path);
    const c = rawClient(path);
    await untilClients(1);
    for (let i = 0; i < 100; i++) server.emit(openEvent(i));
    const [first, second] = [server.close(), server.close()];
    await second; // a second call waits for the first to finish
    expect(existsSync(path)).toBe(false);
    await first;
    await c.untilLines(Infinity);
    expect(c.lines).toHaveLength(100);
    expect(server.clients).toBe(0);
    server.emit(openEvent(101)); // after close: counted, goes nowhere, does not throw
  });
});
