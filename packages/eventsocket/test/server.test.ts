import { mkdtempSync, readdirSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { connect as netConnect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, EventSocketServer, parseFlowEventLine, TCPEvent, type ClientFlowEvent } from '../src/index.js';

const dir = () => mkdtempSync(join(tmpdir(), 'evsock-'));
const servers: EventSocketServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});
async function startServer(path: string, opts: ConstructorParameters<typeof EventSocketServer>[0] = {}) {
  const s = new EventSocketServer(opts);
  servers.push(s);
  await s.listen(path);
  return s;
}
const open = (n: number) => ({ event: TCPEvent.Open, timestampNanos: BigInt(n), uuid: `u${n}`, id: { sport: n, dport: 1, srcIP: '192.0.2.1', dstIP: '192.0.2.2', interface: 0, cookie: BigInt(n) } });
/** Resolves once `server` counts `n` clients. */
async function clients(server: EventSocketServer, n: number) {
  while (server.clients !== n) await new Promise((r) => setImmediate(r));
}
function rawClient(path: string) {
  const lines: string[] = [];
  const sock = netConnect(path);
  let buf = '';
  sock.setEncoding('utf8');
  sock.on('data', (d: string) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      lines.push(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
  });
  return { sock, lines };
}
const fds = () => readdirSync('/proc/self/fd').length;

describe('EventSocketServer', () => {
  it('replaces a stale socket file, applies the mode, and removes the file on close', async () => {
    const path = join(dir(), 'ev.sock');
    const stale = createServer().listen(path);
    await once(stale, 'listening');
    stale.close(); // leaves no listener; recreate a stale file by hand if node removed it
    if (!existsSync(path)) {
      const s2 = createServer().listen(path);
      await once(s2, 'listening');
      (s2 as unknown as { _handle: { close(): void } })._handle.close(); // keep the file, drop the listener
    }
    const server = await startServer(path, { mode: 0o600 });
    expect(statSync(path).isSocket()).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    await server.close();
    expect(existsSync(path)).toBe(false);
  });

  it('refuses a path that exists and is not a socket, deleting nothing', async () => {
    const path = join(dir(), 'precious.txt');
    writeFileSync(path, 'keep me');
    await expect(new EventSocketServer().listen(path)).rejects.toMatchObject({ code: 'NOT_A_SOCKET' });
    expect(statSync(path).isFile()).toBe(true);
  });

  it('sends each event to every connected client, byte for byte; late clients get events from then on', async () => {
    const path = join(dir(), 'ev.sock');
    let opens = 0;
    const server = await startServer(path, { onEvent: (k) => k === 'open' && opens++ });
    const a = rawClient(path);
    await clients(server, 1);
    server.emit(open(1));
    const b = rawClient(path);
    await clients(server, 2);
    server.emit(open(2));
    server.emit({ event: TCPEvent.Close, timestampNanos: 3n, uuid: 'u1' });
    while (a.lines.length < 3 || b.lines.length < 2) await new Promise((r) => setTimeout(r, 5));
    expect(a.lines.map((l) => parseFlowEventLine(l).uuid)).toEqual(['u1', 'u2', 'u1']);
    expect(b.lines.map((l) => parseFlowEventLine(l).event)).toEqual(['open', 'close']);
    expect(opens).toBe(2);
    a.sock.destroy();
    b.sock.destroy();
  });

  it('drops a client that never reads, without delaying emit or the other client', async () => {
    const path = join(dir(), 'ev.sock');
    let dropped = 0;
    const server = await startServer(path, { maxQueuedBytes: 64 * 1024, onClientDropped: () => dropped++ });
    const stuck = netConnect(path);
    stuck.pause(); // never reads
    const good = rawClient(path);
    await clients(server, 2);
    const N = 20_000;
    let slowest = 0;
    for (let i = 0; i < N; i++) {
      const t = performance.now();
      server.emit(open(i));
      slowest = Math.max(slowest, performance.now() - t);
      if (i % 100 === 0) await new Promise((r) => setImmediate(r)); // let the good client read
    }
    while (good.lines.length < N) await new Promise((r) => setTimeout(r, 5));
    expect(dropped).toBe(1);
    expect(server.clients).toBe(1);
    expect(good.lines).toHaveLength(N);
    expect(parseFlowEventLine(good.lines[N - 1]!).uuid).toBe(`u${N - 1}`);
    expect(slowest).toBeLessThan(50); // emit never waits for a client
    good.sock.destroy();
    stuck.destroy();
  });

  it('100 clients coming and going during emits: no crash, no leaked descriptors, nothing lost for a client that stays', async () => {
    const path = join(dir(), 'ev.sock');
    const server = await startServer(path);
    const stayer = rawClient(path);
    await clients(server, 1);
    const before = fds();
    let emitted = 0;
    for (let round = 0; round < 100; round++) {
      const c: Socket = netConnect(path);
      await once(c, 'connect');
      server.emit(open(emitted++));
      c.destroy();
      server.emit(open(emitted++));
    }
    while (stayer.lines.length < emitted) await new Promise((r) => setTimeout(r, 5));
    await clients(server, 1);
    expect(stayer.lines).toHaveLength(emitted);
    expect(fds()).toBeLessThanOrEqual(before + 2);
    stayer.sock.destroy();
  });
});

describe('client', () => {
  it('iterates events, reconnects after the daemon restarts, and ends on close', async () => {
    const path = join(dir(), 'ev.sock');
    let server = await startServer(path);
    const client = connect(path, { minBackoffMs: 10 });
    await once(client, 'connect');
    await clients(server, 1);
    const got: ClientFlowEvent[] = [];
    const done = (async () => {
      for await (const e of client) got.push(e);
    })();
    server.emit(open(1));
    while (got.length < 1) await new Promise((r) => setTimeout(r, 5));
    await server.close();
    servers.pop();
    await once(client, 'disconnect');
    server = await startServer(path);
    await once(client, 'connect');
    await clients(server, 1);
    const viaEmitter = once(client, 'event');
    server.emit({ event: TCPEvent.Close, timestampNanos: 2n, uuid: 'u1' });
    const [evt] = (await viaEmitter) as [ClientFlowEvent];
    expect(evt.event).toBe('close');
    client.close();
    await done;
    expect(got.map((e) => [e.event, e.uuid])).toEqual([
      ['open', 'u1'],
      ['close', 'u1'],
    ]);
    expect(got[0]!.id?.cookie).toBe(1n);
  });
});
