import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { EventSocketServer, TCPEvent } from '@tcpinfo/eventsocket';
import { GoTime } from '@tcpinfo/netlink';
import { FlowTable, QueryServer } from '@tcpinfo/query';
import { runSidecar } from '../src/index.js';
import { record } from '../../../packages/query/test/records.js';

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

  it("with a query socket, prints each closed connection's final figures from its close event", async () => {
    const path = socketPath();
    const { server, untilClients } = await serve(path);
    const flows = new FlowTable();
    const uuid = 'h_0000000000000007';
    flows.onRecord(uuid, record(1_700_000_000_000, { bytesAcked: 1000, minRtt: 20_000, rtt: 25_000, rttvar: 2_000, segsOut: 10 }, { cookie: 7n }));
    flows.onRecord(uuid, record(1_700_000_002_500, { bytesAcked: 9000, bytesReceived: 300, minRtt: 20_000, rtt: 25_000, rttvar: 2_000, totalRetrans: 1, segsOut: 40 }, { cookie: 7n }));
    flows.onClose(uuid, GoTime.fromUnixNanos(1_700_000_002_600_000_000n));
    const query = new QueryServer(flows);
    const queryPath = join(mkdtempSync(join(tmpdir(), 'sidecar-')), 'query.sock');
    await query.listen(queryPath);
    const lines: string[] = [];
    const client = runSidecar(path, { log: (l) => lines.push(l), minBackoffMs: 5, querySocket: queryPath });
    await untilClients(1);
    server.emit({ event: TCPEvent.Close, timestampNanos: 1_700_000_002_600_000_000n, uuid });
    server.emit({ event: TCPEvent.Close, timestampNanos: 1_700_000_002_600_000_000n, uuid: 'h_0000000000000008' });
    while (lines.filter((l) => l.startsWith('final')).length < 2) await new Promise((r) => setTimeout(r, 5));
    await client.close();
    await server.close();
    await query.close();
    expect(lines.filter((l) => l.startsWith('final')).sort()).toEqual([
      'final h_0000000000000007 192.0.2.1:40000 -> 198.51.100.7:443 cubic: 2.500 s, 9000 bytes acked, 300 received, min RTT 20.000 ms, RTT 25.000 ms ± 2.000 ms, retransmitted 1/40 segments (2.50 %)',
      'final h_0000000000000008 unknown to the query socket (excluded, or past its retention)',
    ]);
  });
});
