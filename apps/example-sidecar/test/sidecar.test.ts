import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { EventSocketServer, TCPEvent } from '@tcpinfo/eventsocket';
import { runSidecar } from '../src/index.js';

describe('example sidecar', () => {
  it('logs opens and closes with the duration', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'sidecar-')), 'ev.sock');
    const server = new EventSocketServer();
    await server.listen(path);
    const lines: string[] = [];
    const client = runSidecar(path, (l) => lines.push(l));
    await once(client, 'connect');
    while (server.clients === 0) await new Promise((r) => setImmediate(r));
    const id = { sport: 443, dport: 40000, srcIP: '192.0.2.1', dstIP: '192.0.2.2', interface: 0, cookie: 5n };
    server.emit({ event: TCPEvent.Open, timestampNanos: 1_000_000_000n, uuid: 'h_0000000000000005', id });
    server.emit({ event: TCPEvent.Close, timestampNanos: 3_500_000_000n, uuid: 'h_0000000000000005' });
    while (lines.length < 3) await once(client, 'event');
    client.close();
    await server.close();
    expect(lines[1]).toMatch(/^open .* h_0000000000000005 192\.0\.2\.1:443 -> 192\.0\.2\.2:40000$/);
    expect(lines[2]).toMatch(/^close .* h_0000000000000005 after 2\.500 s$/);
  });
});
