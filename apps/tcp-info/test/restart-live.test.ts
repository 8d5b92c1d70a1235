import { execFileSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, lstatSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@tcpinfo/eventsocket';
import { isRoot, Netns, warnIfNotRoot } from '@tcpinfo/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAEMON_BIN, exited, operatorEnv } from './live-helpers.js';

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
});
