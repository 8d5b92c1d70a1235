import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EventSocketServer, TCPEvent } from '@tcpinfo/eventsocket';

// The built CLI (vitest's global setup builds every package first).
const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

describe('tcpinfo-example-sidecar (built)', () => {
  it('logs events from the daemon and exits 0 on SIGTERM', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'sidecar-bin-')), 'ev.sock');
    let clientArrived = () => {};
    const server = new EventSocketServer({ onClientCount: (n) => n === 1 && clientArrived() });
    await server.listen(path);
    const arrived = new Promise<void>((r) => (clientArrived = r));
    const child = spawn(process.execPath, [BIN], { env: { ...process.env, TCPINFO_EVENTSOCKET: path }, stdio: ['ignore', 'pipe', 'inherit'] });
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    expect((await lines.next()).value).toBe(`connected to ${path}`);
    await arrived;
    const id = { sport: 1, dport: 2, srcIP: '192.0.2.1', dstIP: '192.0.2.2', interface: 0, cookie: 2n ** 63n };
    server.emit({ event: TCPEvent.Open, timestampNanos: 1_000_000_000n, uuid: 'h_8000000000000000', id });
    server.emit({ event: TCPEvent.Close, timestampNanos: 61_000_000_000n, uuid: 'h_8000000000000000' });
    expect((await lines.next()).value).toBe('open  1970-01-01T00:00:01Z h_8000000000000000 192.0.2.1:1 -> 192.0.2.2:2');
    expect((await lines.next()).value).toBe('close 1970-01-01T00:01:01Z h_8000000000000000 after 60.000 s');
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    await server.close();
  });

  it('exits 2 with the usage when no socket is given', () => {
    const env = { ...process.env };
    delete env.TCPINFO_EVENTSOCKET;
    const r = spawnSync(process.execPath, [BIN], { env, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/-tcpinfo.eventsocket path is required\nusage:/);
  });
});
