import { once } from 'node:events';
import { mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { connect as connectRaw, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type ClientFlowEvent, type EventSocketClient } from '@tcpinfo/eventsocket';
import { isRoot, Netns, warnIfNotRoot } from '@tcpinfo/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { archiveFiles, DAEMON_BIN, exited, firstLine, scrapeMetrics, withoutStartupLine } from './live-helpers.js';

// The daemon's event socket under load, with real connections in a namespace:
// a client that never reads, and 100 clients coming and going. One file, so that
// the two loads never run at the same time and disturb each other's polling.

warnIfNotRoot('the event socket of the daemon under load (tcp-info eventsocket-load.test.ts)');

// Inside the namespace: COUNT short connections 192.0.2.2 -> 192.0.2.1, PER_TICK
// started every 10 ms (paced, so that the load does not depend on the machine's
// speed); each client sends a byte and closes, the server closes in turn. Then one
// sentinel connection is opened and {"port":P,"sentinel":S} printed (listener and
// sentinel client ports); the sentinel closes when stdin ends.
const CHURN_SOURCE = `
import net from 'node:net';
const [count, perTick] = process.argv.slice(1).map(Number);
const server = net.createServer((s) => { s.on('error', () => {}); s.resume(); s.on('end', () => s.end()); });
await new Promise((r) => server.listen(0, '192.0.2.1', r));
const port = server.address().port;
const fail = (err) => { console.error(err.message); process.exit(1); };
const open = (onConnect) => {
  const c = net.connect({ host: '192.0.2.1', port, localAddress: '192.0.2.2' }, () => onConnect(c));
  c.on('error', fail);
  c.resume();
  return c;
};
let started = 0;
let closed = 0;
const timer = setInterval(() => {
  for (let i = 0; i < perTick && started < count; i++, started++) open((c) => c.end('x')).on('close', () => ++closed === count && sentinel());
  if (started === count) clearInterval(timer);
}, 10);
function sentinel() {
  open((c) => {
    process.stdout.write(JSON.stringify({ port, sentinel: c.localPort }) + '\\n');
    process.stdin.resume();
    process.stdin.on('end', () => { c.end(); server.close(() => process.exit(0)); });
  });
}
`;

/**
 * Runs `count` short connections in the namespace, `perTick` per 10 ms, and
 * resolves once `log`'s client has heard all that the daemon will say of them:
 * the sentinel connection that follows them is announced open, closed, and
 * nothing else is open. (Destroy notifications arrive in order, so every
 * earlier socket's close comes before the sentinel's. Counting sockets would not
 * do: those that close in the daemon's first moments, before its destroy
 * notifications are joined, are never seen.)
 */
async function churn(ns: Netns, log: EventLog, count: number, perTick: number): Promise<void> {
  const child = ns.spawn(process.execPath, ['--input-type=module', '-e', CHURN_SOURCE, String(count), String(perTick)]);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  let ports: { port: number; sentinel: number };
  try {
    ports = JSON.parse(await firstLine(child)) as { port: number; sentinel: number };
  } catch (err) {
    throw new Error(`churn fixture failed: ${(err as Error).message} ${stderr}`);
  }
  const client = `192.0.2.2:${ports.sentinel}>192.0.2.1:${ports.port}`;
  const server = `192.0.2.1:${ports.port}>192.0.2.2:${ports.sentinel}`;
  await log.until(() => log.isOpen(client) && log.isOpen(server));
  child.stdin!.end();
  expect(await exited(child)).toBe(0);
  await log.until(() => !log.isOpen(client) && !log.isOpen(server) && log.opens === log.closes);
}

const METRICS_ADDRESS = '127.0.0.1:9990'; // the namespace's own loopback: always free

/** The daemon's /metrics, fetched from inside its namespace, as `name{labels}` → value. */
function scrape(ns: Netns): Promise<Map<string, number>> {
  return scrapeMetrics(ns, METRICS_ADDRESS);
}

/** Share of the polling intervals observed between two scrapes that were at most 20 ms, and how many there were. */
function pollingWithin20ms(before: Map<string, number>, after: Map<string, number>): { share: number; count: number } {
  const delta = (key: string) => (after.get(key) ?? 0) - (before.get(key) ?? 0);
  const count = delta('tcpinfo_polling_interval_histogram_count');
  return { share: delta('tcpinfo_polling_interval_histogram_bucket{le="0.02"}') / count, count };
}

/** Every event a client received, by UUID in arrival order; conditions on them can be awaited. */
class EventLog {
  readonly byUuid = new Map<string, ClientFlowEvent['event'][]>();
  /** The UUID last announced open for each `src:sport>dst:dport`. */
  readonly byEndpoints = new Map<string, string>();
  opens = 0;
  closes = 0;
  reconnects = 0;
  #waiters: { done: () => boolean; resolve: () => void }[] = [];

  constructor(readonly client: EventSocketClient) {
    client.on('event', (e) => {
      const seq = this.byUuid.get(e.uuid);
      if (seq === undefined) this.byUuid.set(e.uuid, [e.event]);
      else seq.push(e.event);
      if (e.event === 'open') {
        this.opens++;
        this.byEndpoints.set(`${e.id.srcIP}:${e.id.sport}>${e.id.dstIP}:${e.id.dport}`, e.uuid);
      } else {
        this.closes++;
      }
      this.#waiters = this.#waiters.filter((w) => !(w.done() && (w.resolve(), true)));
    });
    client.on('reconnect', () => this.reconnects++);
  }

  /** Resolves once `done()` holds, re-checked on every event. */
  until(done: () => boolean): Promise<void> {
    return done() ? Promise.resolve() : new Promise((resolve) => this.#waiters.push({ done, resolve }));
  }

  /** Whether the socket with these endpoints (`src:sport>dst:dport`) was announced open and not yet closed. */
  isOpen(endpoints: string): boolean {
    const uuid = this.byEndpoints.get(endpoints);
    return uuid !== undefined && this.byUuid.get(uuid)!.at(-1) === 'open';
  }

  /** UUIDs whose events were not exactly one open then one close. */
  irregular(): [string, string[]][] {
    return [...this.byUuid].filter(([, seq]) => seq.length !== 2 || seq[0] !== 'open' || seq[1] !== 'close');
  }
}

/** What a failed test leaves running, stopped in `afterEach`. */
const leftovers = new Set<() => Promise<unknown>>();

/** A running daemon in `ns` with an event socket, a UUID prefix of our own, and one connected client. */
async function startDaemon(ns: Netns, dir: string, uuidPrefix: string) {
  const out = join(dir, 'out');
  const sockPath = join(dir, 'events.sock');
  const prefix = join(dir, 'prefix');
  writeFileSync(prefix, uuidPrefix);
  const daemon = ns.spawn(process.execPath, [DAEMON_BIN, `-output=${out}`, `-uuid-prefix-file=${prefix}`, `-tcpinfo.eventsocket=${sockPath}`, `-prometheusx.listen-address=${METRICS_ADDRESS}`]);
  let stderr = '';
  daemon.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  // The client retries until the daemon has made its socket (metrics are served before it).
  const client = connect(sockPath, { minBackoffMs: 10, maxBackoffMs: 50 });
  await Promise.race([
    once(client, 'connect'),
    exited(daemon).then((code) => {
      throw new Error(`daemon exited (${code}): ${stderr}`);
    }),
  ]);
  const kill = async () => {
    daemon.kill('SIGKILL');
    await Promise.all([exited(daemon), client.close()]);
  };
  leftovers.add(kill);
  const stop = async (): Promise<number | null> => {
    leftovers.delete(kill);
    daemon.kill('SIGTERM'); // every connection still open gets its close event first
    const code = await exited(daemon);
    await client.close();
    return code;
  };
  return { daemon, out, sockPath, log: new EventLog(client), stop, stderr: () => stderr };
}

/** UUIDs of the files the daemon wrote. */
function fileUuids(out: string): Set<string> {
  return new Set(archiveFiles(out).map((f) => f.split('/').pop()!.replace(/\.\d{5}\.jsonl\.zst$/, '')));
}

/** Socket descriptors the process holds (netlink, metrics, event socket and its clients). */
function socketDescriptors(pid: number): number {
  const dir = `/proc/${pid}/fd`;
  return readdirSync(dir).filter((fd) => {
    try {
      return readlinkSync(join(dir, fd)).startsWith('socket:');
    } catch {
      return false; // closed meanwhile
    }
  }).length;
}

/** What a client that stayed connected throughout must have seen: one open then one close per file written. */
function expectEverything(log: EventLog, out: string): void {
  expect(log.reconnects).toBe(0);
  // Seen failing with [open, close, open, close] under heavy load, most likely: a
  // socket in the CLOSE state (hidden from dumps) whose descriptor its process closes
  // more than the collector's destroy grace (10 cycles) later is closed by polling,
  // then announced again by its late destroy notification. The collector's to fix.
  expect(log.irregular(), 'sockets not announced exactly once open, then once closed').toEqual([]);
  expect(new Set(log.byUuid.keys())).toEqual(fileUuids(out));
}

describe.skipIf(!isRoot)('event socket of the running daemon under load (namespace)', () => {
  let ns: Netns;
  let dir: string;
  beforeEach(() => {
    ns = Netns.create();
    dir = mkdtempSync(join(tmpdir(), 'tcpinfo-evload-'));
  });
  afterEach(async () => {
    await Promise.all([...leftovers].map((kill) => kill()));
    leftovers.clear();
    ns?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a client that never reads is dropped; polling and the other client are unaffected', { timeout: 600_000 }, async () => {
    // Long UUIDs make long lines, so fewer connections take the stuck client past the
    // daemon's 4 MiB bound: a connection is two sockets, each an open (~430 bytes
    // here) and a close (~330) event, ~1.5 KB; 4,000 connections are ~6 MB.
    const prefix = `evload${'x'.repeat(194)}_1700000000`; // 211 bytes: file names stay within 255
    const d = await startDaemon(ns, dir, prefix);
    const CONNECTIONS = 4000;
    const PER_TICK = 4; // 400 connections a second

    await churn(ns, d.log, 200, PER_TICK); // warm-up
    const m0 = await scrape(ns);
    await churn(ns, d.log, CONNECTIONS, PER_TICK); // control: the good client alone
    const m1 = await scrape(ns);

    const stuck: Socket = connectRaw(d.sockPath);
    await once(stuck, 'connect');
    stuck.pause(); // reads nothing: the kernel's buffers fill, then the daemon's queue
    await churn(ns, d.log, CONNECTIONS, PER_TICK);
    const m2 = await scrape(ns);

    expect(m2.get('tcpinfo_eventsocket_dropped_clients_total')).toBe(1);
    expect(m2.get('tcpinfo_eventsocket_clients')).toBe(1);
    // Counted once per event (the saver counts them; the event socket must not again).
    expect(m2.get('tcpinfo_flow_events_total{event="open"}')).toBe(d.log.opens);
    expect(m2.get('tcpinfo_flow_events_total{event="close"}')).toBe(d.log.closes);
    expect(d.stderr()).toMatch(/eventsocket: a client is \d+ bytes behind \(limit 4194304\); disconnected/);

    // Polling went on while the stuck client was connected: cycles advanced, and the
    // good client heard of every socket of the churn (expectEverything below). A
    // daemon that waited for the stuck client would stop polling outright. How
    // regular the intervals were depends on the machine's load: logged here,
    // measured by `pnpm bench`, not asserted.
    const control = pollingWithin20ms(m0, m1);
    const loaded = pollingWithin20ms(m1, m2);
    console.log(`polling intervals <= 20 ms: control ${(100 * control.share).toFixed(1)}% of ${control.count}, stuck client ${(100 * loaded.share).toFixed(1)}% of ${loaded.count}`);
    expect(loaded.count).toBeGreaterThan(0);

    // The daemon cut it off: reading now gives what the kernel held, then the end.
    let stuckBytes = 0;
    stuck.on('data', (b: Buffer) => (stuckBytes += b.length));
    stuck.resume();
    await once(stuck, 'close');
    expect(stuckBytes).toBeGreaterThan(0);
    expect(stuckBytes).toBeLessThan(4 * 1024 * 1024); // far from the ~6 MB sent meanwhile

    expect(await d.stop()).toBe(0);
    expectEverything(d.log, d.out);
  });

  it('100 clients come and go, again and again, during collection: no crash, no leaked descriptor, nothing lost for those that stay', { timeout: 600_000 }, async () => {
    const d = await startDaemon(ns, dir, 'evchurn_1700000000');
    const stayers = [d.log];
    for (let i = 0; i < 2; i++) {
      const client = connect(d.sockPath);
      leftovers.add(() => client.close());
      await once(client, 'connect');
      stayers.push(new EventLog(client));
    }
    await churn(ns, d.log, 100, 2); // warm-up: every stayer is served
    const baseline = socketDescriptors(d.daemon.pid!);

    // Connections come and go throughout (at least 3,000, ~15 s on a quiet machine,
    // and on until the last round is served: a round's clients wait for an event, so
    // traffic that ended before a slow round would leave them waiting for ever),
    // while rounds of 100 clients connect, take events, and leave: half abruptly
    // (destroy), half politely (end).
    let roundsDone = false;
    let churned = 0;
    const traffic = (async () => {
      while (churned < 3000 || !roundsDone) {
        await churn(ns, d.log, 500, 2);
        churned += 500;
      }
    })();
    const ROUNDS = 10;
    for (let round = 0; round < ROUNDS; round++) {
      const batch = Array.from({ length: 100 }, () => connectRaw(d.sockPath));
      // Served: each has been accepted and received at least one event.
      await Promise.all(batch.map((c) => once(c, 'data')));
      expect((await scrape(ns)).get('tcpinfo_eventsocket_clients')).toBe(stayers.length + batch.length);
      batch.forEach((c, i) => (i % 2 === 0 ? c.destroy() : c.end()));
      await Promise.all(batch.map((c) => (c.closed ? undefined : once(c, 'close'))));
    }
    roundsDone = true;
    await traffic;
    for (const s of stayers) await s.until(() => s.opens === d.log.opens && s.closes === d.log.closes);

    expect(socketDescriptors(d.daemon.pid!)).toBe(baseline);
    const m = await scrape(ns);
    expect(m.get('tcpinfo_eventsocket_clients')).toBe(stayers.length);
    expect(m.get('tcpinfo_eventsocket_dropped_clients_total')).toBe(0);
    expect(m.get('tcpinfo_flow_events_total{event="open"}')).toBe(d.log.opens);
    expect(d.log.opens).toBeGreaterThan(2 * churned * 0.9); // the traffic was seen (a few may close before destroy notifications are joined)

    expect(await d.stop()).toBe(0);
    for (const s of stayers.slice(1)) await s.client.close();
    expect(withoutStartupLine(d.stderr())).toBe('');
    for (const s of stayers) expectEverything(s, d.out);
    // And all in the same order.
    for (const s of stayers.slice(1)) expect([...s.byUuid]).toEqual([...d.log.byUuid]);
  });
});
