import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { listConnections, queryConnection, queryConnectionByCookie, type ConnectionAnswer } from '@tcpinfo/eventsocket';
import { GoTime } from '@tcpinfo/netlink';
import { FlowTable, QueryError, QueryServer } from '@tcpinfo/query';
import { record } from './records.js';

const T0 = Date.now();
/** curl, asynchronously: the server answers from this very process. */
const curl = async (...args: string[]) => (await promisify(execFile)('curl', args, { encoding: 'utf8' })).stdout;
const uuid = (n: number) => `host_1_unsafe_${n.toString(16).toUpperCase().padStart(16, '0')}`;

let dir: string;
let path: string;
let table: FlowTable;
let server: QueryServer;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'query-'));
  path = join(dir, 'query.sock');
  table = new FlowTable({ retentionMs: 60_000 });
  server = new QueryServer(table, { idleTimeoutMs: 2_000 });
});
afterEach(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function feed(n: number): void {
  for (let i = 1; i <= n; i++) table.onRecord(uuid(i), record(T0, { bytesAcked: i, rtt: 1000 + i }, { cookie: BigInt(i), sport: 1000 + (i % 60000) }));
}

/** Sends raw bytes and collects everything until the server closes. */
function raw(bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(path);
    let text = '';
    s.on('data', (d) => (text += d.toString()));
    s.on('close', () => resolve(text));
    s.on('error', reject);
    s.write(bytes);
  });
}

function connected(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(path, () => resolve(s));
    s.on('error', reject);
  });
}

/** Resolves once `cond` holds, checked every turn of the event loop. */
async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
}

describe('QueryServer', () => {
  it('answers GET /connections, by UUID and by cookie, with curl over the Unix socket', async () => {
    feed(3);
    await server.listen(path);
    expect(statSync(path).mode & 0o777).toBe(0o660);
    const list = JSON.parse(await curl('-sS', '--unix-socket', path, 'http://tcp-info/connections'));
    expect(list.map((e: { uuid: string }) => e.uuid)).toEqual([uuid(1), uuid(2), uuid(3)]);
    expect(list[1]).toEqual({ uuid: uuid(2), cookie: '0x0000000000000002', family: 'ipv4', src: '192.0.2.1:1002', dst: '198.51.100.7:443', state: 'ESTABLISHED', bytesAcked: 2, bytesReceived: 0, rttUs: 1002, cwnd: 0, deliveryRate: 0 });
    const one = (await queryConnection(path, uuid(2)))!;
    expect(one).toMatchObject({ uuid: uuid(2), closed: false, congestion: 'cubic', figures: { snapshots: 1, bytesAcked: 2, smoothedRttUs: 1002 } });
    expect((one.snapshot as { tcpInfo: { rtt: number } }).tcpInfo.rtt).toBe(1002);
    expect(await queryConnectionByCookie(path, 2n)).toEqual(one);
    expect(await queryConnectionByCookie(path, '0x0000000000000002')).toEqual(one);
    expect(await queryConnection(path, uuid(9))).toBeUndefined();
    expect(await listConnections(path)).toEqual(list);
  });

  it('answers cross to the query thread without detaching a buffer (shared buffers, no transfer list)', async () => {
    // One detached ArrayBuffer in the polling thread slows every typed-array
    // access of that thread from then on (flow-wire.ts, FlowWriter.finish).
    const post = vi.spyOn(Worker.prototype, 'postMessage'); // calls through, records the arguments
    try {
      feed(3);
      await server.listen(path);
      expect(await listConnections(path)).toHaveLength(3);
      expect((await queryConnection(path, uuid(2)))?.uuid).toBe(uuid(2));
      const answers = post.mock.calls.map(([m]) => m as { flows?: { numbers: Float64Array; lines: Uint8Array } }).filter((m) => m.flows !== undefined);
      expect(answers.length).toBeGreaterThanOrEqual(2);
      for (const [, transfer] of post.mock.calls) expect(transfer === undefined || (transfer as unknown[]).length === 0).toBe(true);
      for (const a of answers) {
        expect(a.flows!.numbers.buffer).toBeInstanceOf(SharedArrayBuffer);
        expect(a.flows!.lines.buffer).toBeInstanceOf(SharedArrayBuffer);
      }
    } finally {
      post.mockRestore();
    }
  });

  it('a closed connection is answered closed with its final snapshot', async () => {
    feed(1);
    table.onRecord(uuid(1), record(T0 + 20, { bytesAcked: 77 }, { cookie: 1n, state: 7 }));
    table.onClose(uuid(1), GoTime.fromUnixNanos(BigInt(T0 + 30) * 1_000_000n));
    await server.listen(path);
    const a = (await queryConnection(path, uuid(1))) as ConnectionAnswer;
    expect(a).toMatchObject({ closed: true, state: 'CLOSE', figures: { bytesAcked: 77, snapshots: 2, durationSeconds: 0.02 } });
    expect(a.closedAt).toBe(GoTime.fromUnixNanos(BigInt(T0 + 30) * 1_000_000n).toString());
    expect(await listConnections(path)).toEqual([]);
  });

  it('malformed HTTP gets 400 and the connection is closed', async () => {
    await server.listen(path);
    expect(await raw('HELLO\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(await raw('GET /connections?cookie=nope HTTP/1.1\r\nHost: x\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n[^]*Connection: close[^]*"error"/);
    expect(server.stats.badRequests).toBe(2);
    // A well-formed request keeps the connection: 404 and 405 are not "malformed".
    const r = await curl('-sS', '-o', '/dev/null', '-w', '%{http_code}', '-X', 'POST', '--unix-socket', path, 'http://tcp-info/connections');
    expect(r).toBe('405');
  });

  it('at most 64 clients: the 65th gets 503 and is closed; a freed slot is taken again', async () => {
    await server.listen(path);
    const held = await Promise.all(Array.from({ length: 64 }, () => connected()));
    await until(() => server.stats.clients === 64);
    expect(await raw('GET /connections HTTP/1.1\r\nHost: x\r\n\r\n')).toMatch(/^HTTP\/1\.1 503 /);
    held.pop()!.destroy();
    await until(() => server.stats.clients === 63);
    expect(await queryConnection(path, uuid(1))).toBeUndefined();
    for (const s of held) s.destroy();
    await until(() => server.stats.clients === 0);
    expect(server.stats.refusedClients).toBe(1);
  });

  it('100 clients that connect and vanish leave no descriptor behind', async () => {
    await server.listen(path);
    const before = readdirSync('/proc/self/fd').length;
    const gone: Promise<unknown>[] = [];
    for (let round = 0; round < 4; round++) {
      const socks = await Promise.all(Array.from({ length: 25 }, () => connected()));
      // Half of them vanish at once, half mid-request (a half-close after a partial line).
      socks.forEach((s, i) => {
        gone.push(new Promise((r) => s.once('close', r)));
        s.resume(); // take the 400, so that the end (and close) arrive
        if (i % 2 === 0) s.destroy();
        else s.end('GET /conn');
      });
    }
    await Promise.all(gone);
    await until(() => server.stats.acceptedClients === 100 && server.stats.clients === 0);
    expect(readdirSync('/proc/self/fd').length).toBe(before);
  });

  it('a client that never reads a large listing holds one chunk, and other clients and the event loop go on', async () => {
    feed(20_000);
    await server.listen(path);
    const stuck = await connected();
    stuck.pause();
    stuck.write('GET /connections HTTP/1.1\r\nHost: x\r\n\r\n');
    // Turns of the event loop keep coming while the listing waits for the stuck client.
    let turns = 0;
    const ticker = setInterval(() => turns++, 1);
    await until(() => turns > 50);
    clearInterval(ticker);
    const one = await queryConnection(path, uuid(5));
    expect(one?.uuid).toBe(uuid(5));
    // What the stuck client was sent stays bounded (its buffers filled, then the server waited), far from the listing.
    const listing = JSON.stringify(await listConnections(path)).length;
    expect(listing).toBeGreaterThan(2_000_000);
    expect(stuck.bytesRead).toBeLessThan(listing / 4);
    // It is closed after the idle timeout, freeing its slot.
    await until(() => server.stats.clients === 0);
    stuck.destroy();
  });

  it('a keep-alive client idle after its answer is closed after the idle timeout, one that keeps asking is not', async () => {
    feed(1);
    await server.listen(path);
    const ask = 'GET /connections HTTP/1.1\r\nHost: x\r\n\r\n';
    const idle = await connected();
    const busy = await connected();
    let busyAnswers = 0;
    busy.on('data', (d) => (busyAnswers += (d.toString().match(/HTTP\/1\.1 200/g) ?? []).length));
    idle.resume();
    idle.write(ask);
    const idleClosed = new Promise((r) => idle.once('close', r));
    // The busy client asks every 200 ms, ten times within the 2 s idle timeout.
    const started = Date.now();
    const timer = setInterval(() => busy.write(ask), 200);
    busy.write(ask);
    await idleClosed;
    const idleFor = Date.now() - started;
    await until(() => Date.now() - started > 3_000);
    clearInterval(timer);
    expect(idleFor).toBeGreaterThanOrEqual(1_900);
    expect(busy.destroyed).toBe(false);
    expect(busyAnswers).toBeGreaterThanOrEqual(3);
    expect(server.stats.clients).toBe(1);
    busy.destroy();
  });

  it('a listing streamed in chunks is one valid JSON array of every open connection', async () => {
    feed(1000);
    await server.listen(path);
    const list = await listConnections(path);
    expect(list).toHaveLength(1000);
    expect(new Set(list.map((e) => e.uuid)).size).toBe(1000);
  });

  it('replaces a stale socket file, refuses a live one and a regular file', async () => {
    const stale = createServer();
    await new Promise<void>((r) => stale.listen(path, r));
    const live = new QueryServer(table);
    await expect(live.listen(path)).rejects.toMatchObject({ code: 'LISTEN' });
    // Closing a listening server unlinks its file; make a stale one by hand.
    await new Promise<void>((r) => stale.close(() => r()));
    const s2 = createServer();
    await new Promise<void>((r) => s2.listen(path, r));
    (s2 as unknown as { _handle: { close(): void } })._handle.close(); // socket file stays, nobody answers
    await server.listen(path);
    expect(await listConnections(path)).toEqual([]);
    const file = join(dir, 'regular');
    writeFileSync(file, 'x');
    const other = new QueryServer(table);
    const err = await other.listen(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QueryError);
    expect(statSync(file).isFile()).toBe(true);
  });
});
