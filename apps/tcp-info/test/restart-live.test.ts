import { execFileSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, lstatSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@tcpinfo/eventsocket';
import { isRoot, Netns, warnIfNotRoot } from '@tcpinfo/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArchivalRecord } from '@tcpinfo/netlink';
import { archiveFiles, CONN_FIXTURE, DAEMON_BIN, exited, firstLine, operatorEnv, zstLines } from './live-helpers.js';

warnIfNotRoot('restart after an unclean exit (tcp-info restart-live.test.ts)');

/** Resolves once a server answers on the event socket (the client retries until then). */
async function untilServing(path: string, daemon: ChildProcess, stderr: () => string): Promise<void> {
  const client = connect(path, { minBackoffMs: 10 });
  const died = exited(daemon).then((code) => {
    throw new Error(`daemon exited (${code}) before serving: ${stderr()}`);
  });
  try {
    await Promise.race([once(client, 'connect'), died]);
  } finally {
    client.close();
  }
}

// What a crash, an OOM kill or `kill -9` leaves behind: the event socket's file.
// With the socket on a hostPath (compose, DaemonSet) every restart meets it.
describe.skipIf(!isRoot)('restart after an unclean exit (built daemon, namespace)', () => {
  let ns: Netns;
  let dir: string;
  beforeAll(() => {
    ns = Netns.create();
    dir = mkdtempSync(join(tmpdir(), 'tcpinfo-restart-'));
  });
  afterAll(() => {
    ns?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  function start(sockPath: string): { daemon: ChildProcess; stderr: () => string } {
    const daemon = ns.spawn(process.execPath, [DAEMON_BIN, `-output=${join(dir, 'out')}`, `-tcpinfo.eventsocket=${sockPath}`, '-prometheusx.listen-address=127.0.0.1:0'], { env: operatorEnv() });
    let text = '';
    daemon.stderr!.on('data', (d: Buffer) => (text += d.toString()));
    return { daemon, stderr: () => text };
  }

  it('a stale socket file left by another process (python3 bind, nobody listening): starts and replaces it', async () => {
    const sockPath = join(dir, 'stale.sock');
    execFileSync('python3', ['-c', 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])', sockPath]);
    expect(lstatSync(sockPath).isSocket()).toBe(true);
    const { daemon, stderr } = start(sockPath);
    await untilServing(sockPath, daemon, stderr);
    daemon.kill('SIGTERM');
    expect(await exited(daemon)).toBe(0);
    expect(stderr()).not.toMatch(/Cannot find module|cannot open/);
    expect(existsSync(sockPath)).toBe(false); // removed at the clean exit
  });

  it('kill -9 of a running daemon, then a restart on the same path: starts and serves', async () => {
    const sockPath = join(dir, 'killed.sock');
    const first = start(sockPath);
    await untilServing(sockPath, first.daemon, first.stderr);
    // `ip netns exec` execs node, so the child's pid is the daemon's own.
    first.daemon.kill('SIGKILL');
    await exited(first.daemon);
    expect(lstatSync(sockPath).isSocket()).toBe(true); // left behind
    const second = start(sockPath);
    await untilServing(sockPath, second.daemon, second.stderr);
    second.daemon.kill('SIGTERM');
    expect(await exited(second.daemon)).toBe(0);
    expect(second.stderr()).not.toMatch(/Cannot find module|cannot open/);
  });
  it('SIGTERM and a restart with connections open: the second daemon writes their records at the next sequence, refusing nothing', async () => {
    // Same boot, same UUID prefix: the connections get the same UUIDs, and their
    // 00000 files are already on disk. Before, the second daemon's O_EXCL open was
    // refused and every record of those connections dropped.
    const out = join(dir, 'out-restart');
    const fixture = ns.spawn(process.execPath, [CONN_FIXTURE, '--count', '2', '--bytes', '2000', '--family', '4']);
    await firstLine(fixture); // 2 connections, 4 ends, open until stdin closes
    const ofSequence = (seq: number) => archiveFiles(out).filter((f) => f.endsWith(`.${String(seq).padStart(5, '0')}.jsonl.zst`));
    try {
      for (const seq of [0, 1]) {
        const daemon = ns.spawn(process.execPath, [DAEMON_BIN, `-output=${out}`, '-prometheusx.listen-address=127.0.0.1:0'], { env: operatorEnv() });
        let stderr = '';
        daemon.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
        const code = exited(daemon);
        // The first cycle finds the 4 ends and writes their first frames at once (awaited: a loaded machine starts slowly).
        for (const deadline = Date.now() + 60_000; ofSequence(seq).length < 4 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 50));
        daemon.kill('SIGTERM');
        expect(await code, stderr).toBe(0);
        expect(stderr).not.toMatch(/refusing|dropped/);
        expect(ofSequence(seq), `run ${seq + 1}`).toHaveLength(4);
      }
    } finally {
      fixture.stdin!.end();
      fixture.kill('SIGKILL');
    }
    const first = ofSequence(0).map((f) => ArchivalRecord.parseLine(zstLines(join(out, f))[0]!).metadata!.UUID);
    for (const f of ofSequence(1)) {
      const lines = zstLines(join(out, f));
      const meta = ArchivalRecord.parseLine(lines[0]!).metadata!;
      expect(meta.Sequence).toBe(1);
      expect(first).toContain(meta.UUID); // the same connection, its next file
      expect(lines.length).toBeGreaterThan(1); // with the second daemon's records
    }
  }, 150_000);
});
