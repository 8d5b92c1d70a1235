import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type ClientFlowEvent } from '@tcpinfo/eventsocket';
import { ArchivalRecord } from '@tcpinfo/netlink';
import { isRoot, Netns, warnIfNotRoot } from '@tcpinfo/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { archiveFiles, CONN_FIXTURE, DAEMON_BIN, exited, firstLine, zstLines } from './live-helpers.js';

warnIfNotRoot('the daemon against real connections (tcp-info daemon-live.test.ts)');

const PREFIX = 'test-host_1700000000';
const CHATTY_FIXTURE = fileURLToPath(new URL('./fixtures/chatty-conn.mjs', import.meta.url));
const COOKIE_UUID = new RegExp(`^${PREFIX}_[0-9A-F]{16}$`);

interface Fixture {
  child: ChildProcess;
  connections: { src: string; sport: number; dst: string; dport: number }[];
}

async function startFixture(ns: Netns, count: number, port = 0): Promise<Fixture> {
  const child = ns.spawn(process.execPath, [CONN_FIXTURE, '--count', String(count), '--bytes', '2000', '--family', 'both', '--port', String(port)]);
  const { connections } = JSON.parse(await firstLine(child)) as Pick<Fixture, 'connections'>;
  return { child, connections };
}

async function closeFixture(f: Fixture): Promise<void> {
  if (f.child.exitCode !== null) return;
  const done = exited(f.child);
  f.child.stdin?.end('close\n');
  await done;
}

/** Whether `count` archive files are on disk, each a complete zstd stream of a header and at least one snapshot. */
function firstSnapshotsOnDisk(out: string, count: number): boolean {
  const files = archiveFiles(out);
  if (files.length < count) return false;
  try {
    return files.every((rel) => zstLines(join(out, rel)).length >= 2);
  } catch {
    return false; // a frame still being appended
  }
}

/** Source and destination ports of a record's inet_diag_msg (big-endian). */
function ports(record: ArchivalRecord): [number, number] {
  const idm = Buffer.from(record.rawIdm!);
  return [idm.readUInt16BE(4), idm.readUInt16BE(6)];
}

describe.skipIf(!isRoot)('tcp-info daemon in a network namespace', () => {
  let ns: Netns;
  const dirs: string[] = [];
  const tempDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'tcpinfo-daemon-'));
    dirs.push(d);
    return d;
  };
  let prefixFile: string;

  beforeAll(() => {
    ns = Netns.create();
    prefixFile = join(tempDir(), 'prefix');
    writeFileSync(prefixFile, PREFIX); // no newline: the content is the prefix
  });
  afterAll(() => {
    ns?.destroy();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('writes one valid file per connection end, serves /metrics, and closes every file on SIGTERM', async () => {
    const out = tempDir();
    const fixture = await startFixture(ns, 3); // 3 IPv4 + 3 IPv6 connections = 12 ends
    const daemon = ns.spawn(process.execPath, [
      DAEMON_BIN, `-output=${out}`, '--uuid-prefix-file', prefixFile, '-prometheusx.listen-address=127.0.0.1:9990',
    ]);
    let stderr = '';
    daemon.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      // Metrics come up once the daemon runs; the first cycles open 12 files (awaited
      // up to a minute: a loaded machine starts slowly, which is not what is tested).
      let metrics = '';
      for (const deadline = Date.now() + 60_000; Date.now() < deadline && !/tcpinfo_new_file_total 12\b/.test(metrics); ) {
        await new Promise((r) => setTimeout(r, 100));
        try {
          metrics = ns.exec(process.execPath, ['-e', "fetch('http://127.0.0.1:9990/metrics').then(r=>r.text()).then(t=>process.stdout.write(t))"]);
        } catch {
          metrics = '';
        }
      }
      for (const name of [
        'tcpinfo_syscall_time_histogram', 'tcpinfo_polling_interval_histogram', 'tcpinfo_connection_count_histogram',
        'tcpinfo_cache_count_histogram', 'tcpinfo_error_total', 'tcpinfo_new_file_total', 'tcpinfo_send_rate_histogram',
        'tcpinfo_receive_rate_histogram', 'tcpinfo_snapshot_total', 'large_netlink_total', 'netlink_skipped_total',
        'tcpinfo_flow_events_total', 'process_cpu_seconds_total',
      ]) {
        expect(metrics, name).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
      }
      expect(metrics).toMatch(/tcpinfo_new_file_total 12\b/);
      expect(metrics).toMatch(/tcpinfo_syscall_time_histogram_count\{af="ipv6"\} [1-9]/);

      // Closing the connections: their files are finished and compacted while the daemon runs.
      await closeFixture(fixture);
      const code = exited(daemon);
      await new Promise((r) => setTimeout(r, 300)); // a few cycles see them gone
      daemon.kill('SIGTERM');
      expect(await code).toBe(0);
    } finally {
      daemon.kill('SIGKILL');
      await closeFixture(fixture);
    }
    expect(stderr).not.toMatch(/\n\s+at /);

    const files = archiveFiles(out);
    expect(files).toHaveLength(12);
    const seen = new Set<string>();
    for (const rel of files) {
      expect(rel).toMatch(new RegExp(`^\\d{4}/\\d{2}/\\d{2}/${PREFIX}_[0-9A-F]{16}\\.00000\\.jsonl\\.zst$`));
      const lines = zstLines(join(out, rel));
      const header = ArchivalRecord.parseLine(lines[0]!);
      expect(header.timestamp.isZero()).toBe(true);
      expect(header.metadata!.UUID).toMatch(COOKIE_UUID);
      expect(rel).toContain(header.metadata!.UUID);
      expect(header.metadata!.Sequence).toBe(0);
      expect(lines.length).toBeGreaterThan(1);
      const records = lines.slice(1).map((l) => ArchivalRecord.parseLine(l));
      // The first snapshot's timestamp is the connection's start time, and the date directory's.
      expect(records[0]!.timestamp.equals(header.metadata!.StartTime)).toBe(true);
      expect(rel.slice(0, 10)).toBe(records[0]!.timestamp.toString().slice(0, 10).replace(/-/g, '/'));
      for (const r of records) expect(r.cookie().toString(16).toUpperCase().padStart(16, '0')).toBe(header.metadata!.UUID.slice(-16));
      const [sport, dport] = ports(records[0]!);
      seen.add(`${sport}>${dport}`);
      // Each line round-trips byte for byte (SPEC §3).
      for (const l of lines) expect(ArchivalRecord.parseLine(l).toJSONLine()).toBe(l);
    }
    // Both ends of every connection.
    for (const c of fixture.connections) {
      expect(seen.has(`${c.sport}>${c.dport}`)).toBe(true);
      expect(seen.has(`${c.dport}>${c.sport}`)).toBe(true);
    }
  }, 120_000);

  it('kill -9 after the first snapshots reached the disk: every file stays valid and holds them', async () => {
    const out = tempDir();
    const sockPath = join(out, 'events.sock');
    const fixture = await startFixture(ns, 2);
    const daemon = ns.spawn(process.execPath, [
      DAEMON_BIN, `-output=${out}`, `-uuid-prefix-file=${prefixFile}`, '-prometheusx.listen-address=127.0.0.1:0', `-tcpinfo.eventsocket=${sockPath}`,
    ]);
    const code = exited(daemon);
    try {
      // An open event goes out once a connection's first snapshot is collected; then
      // the files are awaited on disk (progress, not a time: the one-second durability
      // budget depends on the machine's load and is measured by `pnpm bench`).
      while (!existsSync(sockPath)) {
        if (daemon.exitCode !== null) throw new Error('daemon exited early');
        await new Promise((r) => setTimeout(r, 10));
      }
      const client = connect(sockPath, { minBackoffMs: 10 });
      let opens = 0;
      client.on('event', (e: ClientFlowEvent) => void (e.event === 'open' && opens++));
      while (opens < 8) await once(client, 'event');
      client.close();
      while (!firstSnapshotsOnDisk(out, 8)) {
        if (daemon.exitCode !== null) throw new Error('daemon exited early');
        await new Promise((r) => setTimeout(r, 50));
      }
      daemon.kill('SIGKILL');
      await code;
    } finally {
      await closeFixture(fixture);
    }
    const files = archiveFiles(out);
    expect(files).toHaveLength(8);
    for (const rel of files) expect(zstLines(join(out, rel)).length).toBeGreaterThanOrEqual(2);
  }, 120_000);

  it('-reps=N runs N cycles and exits 0 with every file closed', async () => {
    const out = tempDir();
    const fixture = await startFixture(ns, 1);
    try {
      const daemon = ns.spawn(process.execPath, [
        DAEMON_BIN, '-output', out, `-uuid-prefix-file=${prefixFile}`, '-prometheusx.listen-address=127.0.0.1:0',
        '-reps=40', '-poll-interval=10ms',
      ]);
      expect(await exited(daemon)).toBe(0);
    } finally {
      await closeFixture(fixture);
    }
    const files = archiveFiles(out);
    expect(files).toHaveLength(4);
    for (const rel of files) {
      const lines = zstLines(join(out, rel));
      expect(lines).toHaveLength(2); // header + the first snapshot: idle connections do not change
    }
  });

  it("-anonymize.ip=netblock keeps this host's own addresses; -exclude-srcport drops the listening side", async () => {
    // Every address in the namespace is local, so netblock must leave them all as they are.
    const out = tempDir();
    const fixture = await startFixture(ns, 1, 5001); // one listening port for both families
    try {
      const daemon = ns.spawn(process.execPath, [
        DAEMON_BIN, `-output=${out}`, `-uuid-prefix-file=${prefixFile}`, '-prometheusx.listen-address=127.0.0.1:0',
        '-reps=5', '-anonymize.ip=netblock', '-exclude-srcport', String(fixture.connections[0]!.dport),
      ]);
      expect(await exited(daemon)).toBe(0);
    } finally {
      await closeFixture(fixture);
    }
    const files = archiveFiles(out);
    // The server ends (source port = the listening port) are excluded: 2 client ends remain.
    expect(files).toHaveLength(2);
    for (const rel of files) {
      const record = ArchivalRecord.parseLine(zstLines(join(out, rel))[1]!);
      const idm = Buffer.from(record.rawIdm!);
      expect(idm.readUInt16BE(6)).toBe(fixture.connections[0]!.dport);
      const src = idm[0] === 2 ? [...idm.subarray(8, 12)].join('.') : idm.subarray(8, 24).toString('hex');
      expect(['192.0.2.2', '20010db8000000000000000000000002']).toContain(src);
    }
  });

  it("rotates a connection's file after -rotation-interval, with the next file's own header", async () => {
    const out = tempDir();
    const chatty = ns.spawn(process.execPath, [CHATTY_FIXTURE, '50']);
    await firstLine(chatty);
    const daemon = ns.spawn(process.execPath, [
      DAEMON_BIN, `-output=${out}`, `-uuid-prefix-file=${prefixFile}`, '-prometheusx.listen-address=127.0.0.1:0',
      '-rotation-interval=300ms',
    ]);
    const code = exited(daemon);
    try {
      // Snapshots keep changing: a file per 300 ms of the connection's life (awaited up to a minute).
      for (const deadline = Date.now() + 60_000; Date.now() < deadline && !archiveFiles(out).some((f) => f.endsWith('.00002.jsonl.zst')); ) {
        await new Promise((r) => setTimeout(r, 50));
      }
      daemon.kill('SIGTERM');
      expect(await code).toBe(0);
    } finally {
      daemon.kill('SIGKILL');
      chatty.stdin!.end();
      await exited(chatty);
    }
    const files = archiveFiles(out);
    const byUuid = new Map<string, string[]>();
    for (const f of files) {
      const uuid = f.slice(11, -'.00000.jsonl.zst'.length);
      byUuid.set(uuid, [...(byUuid.get(uuid) ?? []), f]);
    }
    expect(byUuid.size).toBe(2); // both ends
    for (const [uuid, list] of byUuid) {
      expect(list.length).toBeGreaterThanOrEqual(3);
      const headers = list.map((f) => ArchivalRecord.parseLine(zstLines(join(out, f))[0]!).metadata!);
      headers.sort((a, b) => a.Sequence - b.Sequence);
      headers.forEach((h, seq) => {
        expect(h.UUID).toBe(uuid);
        expect(h.Sequence).toBe(seq);
        expect(h.StartTime.equals(headers[0]!.StartTime)).toBe(true);
      });
      for (const f of list) expect(zstLines(join(out, f)).length).toBeGreaterThan(1);
    }
  }, 120_000);
});
