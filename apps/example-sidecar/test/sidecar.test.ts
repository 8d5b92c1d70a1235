import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { EventSocketServer, TCPEvent } from '@tcpinfo/eventsocket';
import { runSidecar } from '../src/index.js';

const socketPath = () => join(mkdtempSync(join(tmpdir(), 'sidecar-')), 'ev.sock');

/** A server whose client count can be awaited. */
async function serve(path: string) {
  let onCount = () => {};
  const server = new EventSocketServer({ onClientCount: () => onCount() });
  await server.listen(path);
  const untilClients = (n: number) =>
    new Promise<void>((resolve) => {
      onCount = () => server.clients === n && resolve();
      onCount();
    });
  return { server, untilClients };
}

describe('example sidecar', () => {
  it('logs opens with addresses and closes with the duration, across a daemon restart', async () => {
    const path = socketPath();
    let { server, untilClients } = await serve(path);
    const lines: string[] = [];
    const client = runSidecar(path, { log: (l) => lines.push(l), minBackoffMs: 5 });
    await once(client, 'connect');
    await untilClients(1);
    const id = { sport: 443, dport: 40000, srcIP: '2001:db8::1', dstIP: '2001:db8::2', interface: 0, cookie: 5n };
    server.emit({ event: TCPEvent.Open, timestampNanos: 1_554_836_592_123_456_789n, uuid: 'h_0000000000000005', id });
    await once(client, 'event');
    const lost = once(client, 'disconnect');
    await server.close(); // resolves once the client has gone
    await lost;
    const regained = once(client, 'reconnect');
    ({ server, untilClients } = await serve(path));
    await regained;
    await untilClients(1);
    server.emit({ event: TCPEvent.Close, timestampNanos: 1_554_836_595_568_000_000n, uuid: 'h_0000000000000005' });
    server.emit({ event: TCPEvent.Close, timestampNanos: 1_554_836_596_000_000_000n, uuid: 'h_0000000000000009' });
    while (lines.length < 6) await once(client, 'event');
    await client.close();
    await server.close();
    expect(lines).toEqual([
      `connected to ${path}`,
      'open  2019-04-09T19:03:12.123456789Z h_0000000000000005 [2001:db8::1]:443 -> [2001:db8::2]:40000',
      `lost ${path}; reconnecting (events meanwhile are missed)`,
      `connected to ${path}`,
      'close 2019-04-09T19:03:15.568Z h_0000000000000005 after 3.444 s',
      'close 2019-04-09T19:03:16Z h_0000000000000009 after an unknown duration (open not seen)',
    ]);
  });
});
