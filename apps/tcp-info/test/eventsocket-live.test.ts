import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type ClientFlowEvent } from '@tcpinfo/eventsocket';
import { isRoot, Netns, warnIfNotRoot } from '@tcpinfo/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archiveFiles, CONN_FIXTURE, DAEMON_BIN, exited, firstLine, runDaemonSync, zstLines } from './live-helpers.js';

warnIfNotRoot('the event socket against real connections (tcp-info eventsocket-live.test.ts)');

describe('-tcpinfo.eventsocket start-up checks', () => {
  it('a path that exists and is not a socket: exit 2, one line, nothing deleted', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tcpinfo-ev-'));
    const path = join(dir, 'not-a-socket');
    writeFileSync(path, 'keep');
    const r = runDaemonSync([`-tcpinfo.eventsocket=${path}`, `-output=${dir}`, '-reps=1']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')[0]).toMatch(/exists and is not a socket/);
    expect(existsSync(path)).toBe(true);
    rmSync(dir, { recursive: true });
  });
});

describe.skipIf(!isRoot)('event socket of the running daemon (namespace)', () => {
  let ns: Netns;
  let dir: string;
  beforeAll(() => {
    ns = Netns.create();
    dir = mkdtempSync(join(tmpdir(), 'tcpinfo-ev-'));
  });
  afterAll(() => {
    ns?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('announces exactly one open then one close per socket, with the UUIDs of the files written', async () => {
    const out = join(dir, 'out');
    const sockPath = join(dir, 'events.sock');
    const prefix = join(dir, 'prefix');
    writeFileSync(prefix, 'evtest_1700000000');
    const daemon = ns.spawn(process.execPath, [DAEMON_BIN, `-output=${out}`, `-uuid-prefix-file=${prefix}`, `-tcpinfo.eventsocket=${sockPath}`, '-prometheusx.listen-address=127.0.0.1:0']);
    let stderr = '';
    daemon.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    // Unix sockets live in the file system, so this process reaches the daemon's socket.
    while (!existsSync(sockPath)) {
      if (daemon.exitCode !== null) throw new Error(`daemon exited: ${stderr}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    const client = connect(sockPath, { minBackoffMs: 10 });
    await once(client, 'connect');
    const events: ClientFlowEvent[] = [];
    client.on('event', (e: ClientFlowEvent) => events.push(e));

    const fixture = ns.spawn(process.execPath, [CONN_FIXTURE, '--count', '2', '--family', 'both', '--bytes', '3000']);
    const { connections } = JSON.parse(await firstLine(fixture)) as { connections: unknown[] };
    expect(connections).toHaveLength(4); // 8 sockets
    while (events.filter((e) => e.event === 'open').length < 8) await once(client, 'event');
    fixture.stdin!.end('close\n');
    await exited(fixture);
    while (events.filter((e) => e.event === 'close').length < 8) await once(client, 'event');
    daemon.kill('SIGTERM');
    expect(await exited(daemon)).toBe(0);
    client.close();

    const byUuid = new Map<string, string[]>();
    for (const e of events) byUuid.set(e.uuid, [...(byUuid.get(e.uuid) ?? []), e.event]);
    expect(byUuid.size).toBe(8);
    for (const seq of byUuid.values()) expect(seq).toEqual(['open', 'close']);
    for (const e of events.filter((x) => x.event === 'open')) {
      expect(e.id!.srcIP).toMatch(/^(192\.0\.2\.[12]|2001:db8::[12])$/);
      expect(e.uuid).toBe(`evtest_1700000000_${e.id!.cookie.toString(16).toUpperCase().padStart(16, '0')}`);
    }
    const files = archiveFiles(out);
    const fileUuids = new Set(files.map((f) => f.split('/').pop()!.replace(/\.\d{5}\.jsonl\.zst$/, '')));
    expect(fileUuids).toEqual(new Set(byUuid.keys()));
    for (const f of files) expect(JSON.parse(zstLines(join(out, f))[0]!).Metadata.UUID).toMatch(/^evtest_1700000000_/);
    expect(existsSync(sockPath)).toBe(false); // removed at clean exit
  });
});
