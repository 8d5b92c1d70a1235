import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listConnections, queryConnection, queryConnectionByCookie, type ConnectionAnswer } from '@tcpinfo/eventsocket';
import { ArchivalRecord } from '@tcpinfo/netlink';
import { decodeRecord, snapshotToJson } from '@tcpinfo/parse';
import { isRoot, Netns, warnIfNotRoot } from '@tcpinfo/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { archiveFiles, CONN_FIXTURE, DAEMON_BIN, exited, firstLine, zstLines } from './live-helpers.js';

warnIfNotRoot('the query socket against real connections (tcp-info query-live.test.ts)');

const PREFIX = 'qtest_1700000000';
const METRICS_PORT = 9991;

/** Resolves once `probe` returns a value that is not undefined, retried every 20 ms; fails with `what` after 20 s. */
async function until<T>(probe: () => Promise<T | undefined> | T | undefined, what = 'a condition'): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Daemons and fixtures started and not yet stopped: killed after each test, whatever happened. */
const running = new Set<ChildProcess>();

interface Daemon {
  child: ChildProcess;
  sock: string;
  out: string;
  stderr: () => string;
}

async function startDaemon(ns: Netns, dir: string, extra: string[] = []): Promise<Daemon> {
  const out = join(dir, 'out');
  const sock = join(dir, 'query.sock');
  const prefix = join(dir, 'prefix');
  writeFileSync(prefix, PREFIX);
  const child = ns.spawn(process.execPath, [
    DAEMON_BIN, `-output=${out}`, `-uuid-prefix-file=${prefix}`, `-tcpinfo.query-socket=${sock}`,
    `-prometheusx.listen-address=127.0.0.1:${METRICS_PORT}`, ...extra,
  ]);
  running.add(child);
  child.once('exit', () => running.delete(child));
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  // Unix sockets live in the file system: this process reaches the daemon's. The file
  // appears at bind(), a moment before listen(): until then a connection is refused
  // (seen once with two busy loops on the machine), so ready means a listing answered.
  await until(async () => {
    if (child.exitCode !== null) throw new Error(`daemon exited: ${stderr}`);
    if (!existsSync(sock)) return undefined;
    try {
      await listConnections(sock);
      return true;
    } catch (err) {
      if ((err as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED') return undefined;
      throw err;
    }
  });
  return { child, sock, out, stderr: () => stderr };
}

async function stopDaemon(d: Daemon): Promise<void> {
  d.child.kill('SIGTERM');
  expect(await exited(d.child)).toBe(0);
  expect(existsSync(d.sock)).toBe(false);
}

function startFixture(ns: Netns, args: string[]): { child: ChildProcess; ready: Promise<string> } {
  const child = ns.spawn(process.execPath, [CONN_FIXTURE, ...args]);
  running.add(child);
  child.once('exit', () => running.delete(child));
  return { child, ready: firstLine(child) };
}

async function closeFixture(child: ChildProcess): Promise<void> {
  const done = exited(child);
  child.stdin!.end('close\n');
  await done;
}

/**
 * Cookies (0x hex) of the namespace's established TCP sockets, from `ss -tinmeO`
 * (-e prints them as sk:). Listening sockets have no remote address, and the
 * daemon, as the original, never writes those (nor loopback ones).
 */
function ssCookies(ns: Netns): Set<string> {
  const text = ns.exec('ss', ['-tinmeOHa']);
  const cookies = new Set<string>();
  for (const line of text.split('\n')) {
    // The daemon never writes loopback sockets (its own metrics listener among them).
    if (!/^ESTAB\s/.test(line) || /^\S+\s+\d+\s+\d+\s+(127\.|\[::1\])/.test(line)) continue;
    const m = / sk:([0-9a-f]+)/.exec(line);
    if (m) cookies.add(`0x${m[1]!.padStart(16, '0')}`);
  }
  return cookies;
}

/** The records of a connection's file (header dropped). */
function fileRecords(out: string, uuid: string): ArchivalRecord[] {
  const file = archiveFiles(out).find((f) => f.endsWith(`${uuid}.00000.jsonl.zst`));
  if (file === undefined) return [];
  return zstLines(join(out, file)).slice(1).map((l) => ArchivalRecord.parseLine(l));
}

/** A record in the query socket's JSON form. */
function asJson(r: ArchivalRecord): unknown {
  return JSON.parse(snapshotToJson(undefined, decodeRecord(r).snapshot));
}

function metrics(ns: Netns): string {
  return ns.exec('curl', ['-sS', `http://127.0.0.1:${METRICS_PORT}/metrics`]);
}

/** Sum over label sets of `name` (a _count or _sum series). */
function total(text: string, name: string): number {
  let sum = 0;
  for (const m of text.matchAll(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'gm'))) sum += Number(m[1]);
  return sum;
}

describe.skipIf(!isRoot)('query socket of the running daemon (namespace)', () => {
  let ns: Netns;
  const dirs: string[] = [];
  const tempDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'tcpinfo-query-'));
    dirs.push(d);
    return d;
  };
  beforeAll(() => {
    ns = Netns.create();
  });
  afterEach(async () => {
    for (const child of running) {
      child.kill('SIGKILL');
      await exited(child);
    }
  });
  afterAll(() => {
    ns?.destroy();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('lists the open sockets, answers by UUID and cookie as the files say, serves the final snapshot closed, then 404; histograms agree with the files', async () => {
    const d = await startDaemon(ns, tempDir(), ['-tcpinfo.query-retention=1s']);
    const fixture = startFixture(ns, ['--count', '2', '--family', 'both', '--bytes', '5000']);
    await fixture.ready;
    const expected = ssCookies(ns);
    expect(expected.size).toBe(8); // 4 connections, 8 ends
    const list = await until(async () => {
      const l = await listConnections(d.sock);
      return l.length === expected.size ? l : undefined;
    }, 'the 8 sockets in the list');
    expect(new Set(list.map((e) => e.cookie))).toEqual(expected);
    for (const e of list) {
      expect(e.uuid).toBe(`${PREFIX}_${e.cookie.slice(2).toUpperCase()}`);
      expect(e.src).toMatch(/^(192\.0\.2\.[12]:\d+|\[2001:db8::[12]\]:\d+)$/);
      expect(e.state).toBe('ESTABLISHED');
    }
    const established = list;

    // By UUID and by cookie: the same connection, whose snapshot is the file's last record.
    for (const e of established) {
      const byUuid = (await queryConnection(d.sock, e.uuid))!;
      const byCookie = (await queryConnectionByCookie(d.sock, e.cookie))!;
      expect(byCookie.uuid).toBe(e.uuid);
      expect(byCookie.snapshot).toEqual(byUuid.snapshot);
      expect(byUuid).toMatchObject({ closed: false, src: e.src, dst: e.dst, family: e.family });
      expect(byUuid.figures.bytesAcked).toBeGreaterThanOrEqual(5000);
      const last = await until(() => {
        const records = fileRecords(d.out, e.uuid);
        const r = records[records.length - 1];
        return r !== undefined && r.timestamp.toString() === (byUuid.snapshot as { timestamp: string }).timestamp ? r : undefined;
      }, `the last record of ${e.uuid} on disk`);
      expect(byUuid.snapshot).toEqual(asJson(last));
      expect(byUuid.figures.snapshots).toBe(fileRecords(d.out, e.uuid).length);
    }

    // Closed: the final snapshot, flagged, for the retention; then 404.
    await closeFixture(fixture.child);
    const finals = new Map<string, ConnectionAnswer>();
    for (const e of list) {
      finals.set(e.uuid, await until(async () => {
        const a = await queryConnection(d.sock, e.uuid);
        return a?.closed ? a : undefined;
      }, `${e.uuid} answered closed`));
    }
    for (const [uuid, a] of finals) {
      expect(a.closedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
      const records = fileRecords(d.out, uuid);
      expect(a.snapshot).toEqual(asJson(records[records.length - 1]!));
    }
    for (const uuid of finals.keys()) await until(async () => ((await queryConnection(d.sock, uuid)) === undefined ? true : undefined), `404 for ${uuid}`);
    expect(await listConnections(d.sock)).toEqual([]);

    // The closed-flow histograms: one observation per closed socket, sums as the files say.
    const text = metrics(ns);
    expect(total(text, 'tcpinfo_closed_flow_duration_seconds_count')).toBe(finals.size);
    expect(total(text, 'tcpinfo_closed_flow_bytes_acked_count')).toBe(finals.size);
    expect(total(text, 'tcpinfo_closed_flow_retransmit_ratio_count')).toBe(finals.size);
    let duration = 0;
    let bytes = 0;
    let minRtt = 0;
    let withRtt = 0;
    let ratio = 0;
    for (const uuid of finals.keys()) {
      const records = fileRecords(d.out, uuid);
      const first = records[0]!;
      const final = decodeRecord(records[records.length - 1]!).snapshot.tcpInfo!;
      duration += Number(records[records.length - 1]!.timestamp.unixNanos - first.timestamp.unixNanos) / 1e9;
      bytes += Number(final.bytesAcked!);
      if (final.minRtt !== undefined && final.minRtt !== 0xffffffff) {
        minRtt += final.minRtt / 1e6;
        withRtt++;
      }
      ratio += final.segsOut ? final.totalRetrans! / final.segsOut : 0;
    }
    expect(withRtt).toBeGreaterThanOrEqual(8); // every established end had an RTT sample
    expect(total(text, 'tcpinfo_closed_flow_min_rtt_seconds_count')).toBe(withRtt);
    expect(total(text, 'tcpinfo_closed_flow_duration_seconds_sum')).toBeCloseTo(duration, 6);
    expect(total(text, 'tcpinfo_closed_flow_bytes_acked_sum')).toBe(bytes);
    expect(total(text, 'tcpinfo_closed_flow_min_rtt_seconds_sum')).toBeCloseTo(minRtt, 9);
    expect(total(text, 'tcpinfo_closed_flow_retransmit_ratio_sum')).toBeCloseTo(ratio, 9);
    expect(text).toMatch(/tcpinfo_closed_flow_duration_seconds_count\{af="ipv6",cc="[a-z0-9_]+"\} 4/);
    expect(text).not.toMatch(/cc="unknown"/); // the final snapshot lacks INET_DIAG_CONG; an earlier one had it
    await stopDaemon(d);
  });

  it('-anonymize.ip=netblock: no full address of another host in any answer', async () => {
    // Addresses added after the daemon started are not its own: netblock anonymizes them.
    const d = await startDaemon(ns, tempDir(), ['-anonymize.ip=netblock']);
    ns.exec('ip', ['addr', 'add', '198.51.100.1/24', 'dev', 'vtA']);
    ns.exec('ip', ['addr', 'add', '198.51.100.2/24', 'dev', 'vtB']);
    try {
      const fixture = startFixture(ns, ['--count', '2', '--family', '4', '--bytes', '2000', '--addr4', '198.51.100.1,198.51.100.2']);
      await fixture.ready;
      const list = await until(async () => {
        const l = (await listConnections(d.sock)).filter((e) => e.state === 'ESTABLISHED');
        return l.length === 4 ? l : undefined;
      }, 'the 4 anonymized sockets');
      const answers: string[] = [JSON.stringify(await listConnections(d.sock))];
      for (const e of list) {
        answers.push(JSON.stringify(await queryConnection(d.sock, e.uuid)));
        answers.push(JSON.stringify(await queryConnectionByCookie(d.sock, e.cookie)));
        expect(e.dst).toMatch(/^198\.51\.100\.0:\d+$/);
      }
      await closeFixture(fixture.child);
      for (const e of list) answers.push(JSON.stringify(await until(async () => { const a = await queryConnection(d.sock, e.uuid); return a?.closed ? a : undefined; })));
      for (const text of answers) expect(text).not.toMatch(/198\.51\.100\.[12]\b/);
    } finally {
      ns.exec('ip', ['addr', 'del', '198.51.100.1/24', 'dev', 'vtA']);
      ns.exec('ip', ['addr', 'del', '198.51.100.2/24', 'dev', 'vtB']);
    }
    await stopDaemon(d);
  });

  it('100 clients that connect and vanish leave no descriptor behind; a client that never reads does not stall polling', async () => {
    const d = await startDaemon(ns, tempDir());
    // No connection yet: the daemon's descriptors stay as they are unless clients leak them.
    await until(async () => ((await listConnections(d.sock)).length === 0 ? true : undefined));
    const fdDir = `/proc/${d.child.pid}/fd`;
    const fds = () => readdirSync(fdDir).length;
    const before = fds();

    const connected = () =>
      new Promise<Socket>((resolve, reject) => {
        const s = netConnect(d.sock, () => resolve(s));
        s.on('error', reject);
      });
    const gone: Promise<unknown>[] = [];
    for (let round = 0; round < 4; round++) {
      const socks = await Promise.all(Array.from({ length: 25 }, () => connected()));
      socks.forEach((s, i) => {
        gone.push(new Promise((r) => s.once('close', r)));
        s.resume();
        if (i % 3 === 0) s.destroy(); // vanishes at once
        else if (i % 3 === 1) s.end('GET /connections HTTP/1.1\r\nHost: x\r\n'); // mid-request
        else s.end('GET /connections HTTP/1.1\r\nHost: x\r\n\r\n'); // asks for the listing, then goes
      });
    }
    await Promise.all(gone);
    await until(() => (fds() === before ? true : undefined));

    const fixture = startFixture(ns, ['--count', '300', '--family', '4', '--bytes', '100']);
    await fixture.ready;
    await until(async () => ((await listConnections(d.sock)).length >= 600 ? true : undefined), 'the 600 sockets listed');
    // Clients that ask for the listing and never read it: polling goes on.
    const stuck = await Promise.all(Array.from({ length: 10 }, () => connected()));
    for (const s of stuck) {
      s.pause();
      s.write('GET /connections HTTP/1.1\r\nHost: x\r\n\r\n');
    }
    const cycles = () => Number(/^tcpinfo_polling_interval_histogram_count (\d+)$/m.exec(metrics(ns))?.[1] ?? 0);
    const start = cycles();
    await until(() => (cycles() >= start + 200 ? true : undefined));
    const one = await queryConnection(d.sock, (await listConnections(d.sock))[0]!.uuid);
    expect(one?.figures.snapshots).toBeGreaterThan(0);
    for (const s of stuck) s.destroy();
    await closeFixture(fixture.child);
    await stopDaemon(d);
  }, 90_000); // 300 connections set up and torn down on a contended machine
});
