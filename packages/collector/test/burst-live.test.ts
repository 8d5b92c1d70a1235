import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeInetDiagMsg } from '@tcpinfo/inetdiag';
import { isRoot, Netns, warnIfNotRoot } from '@tcpinfo/testing';
import { files, lines, nextLine, pollingBetween, recordsOfFiles, startCollector, until, useNamespace } from './helpers/collector-process.js';

warnIfNotRoot('bursts of destroy notifications and the relay process (collector burst-live.test.ts)');

const SHORT = fileURLToPath(new URL('./live/short-connections.mjs', import.meta.url));
const BURST = fileURLToPath(new URL('./live/burst.mjs', import.meta.url));
/** Each side of the burst holds 10,000 sockets: raise the soft descriptor limit to the hard one. */
const NOFILE = ['sh', '-c', 'ulimit -n "$(ulimit -Hn)" && exec "$@"', 'sh'];

/** Pids of the direct children of `pid` (from /proc, no procps needed). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // Fields after the parenthesised command: state, ppid, ...
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Whether a sock_diag socket in the namespace has joined both TCP destroy groups (bits 1 and 3). */
function destroyGroupsJoined(ns: Netns): boolean {
  // /proc/net/netlink: sk Eth Pid Groups ... (Groups: the first 32 groups as a hex mask).
  return ns
    .exec('cat', ['/proc/net/netlink'])
    .split('\n')
    .slice(1)
    .some((l) => {
      const f = l.trim().split(/\s+/);
      return f[1] === '4' && (parseInt(f[3] ?? '0', 16) & 0b101) === 0b101;
    });
}

describe.skipIf(!isRoot)('destroy notifications under stress (namespace)', () => {
  const { ns: namespace, tmp } = useNamespace('tcpinfo-burst-');

  it('a relay that aborts is counted as an overrun and replaced; notifications flow again', async () => {
    const out = tmp();
    const collector = await startCollector(namespace(), out);
    expect(collector.active).toBe(true);
    await until('the relay to join the destroy groups', () => destroyGroupsJoined(namespace()));
    const [relay] = childrenOf(collector.pid);
    expect(relay).toBeDefined();
    // What the netlink binding does when the kernel overruns the idle socket.
    process.kill(relay!, 'SIGABRT');
    await until('the overrun to be counted', async () => (await collector.stats()).overruns === 1);
    await until('a new relay to join', () => {
      const now = childrenOf(collector.pid);
      return now.length === 1 && now[0] !== relay && destroyGroupsJoined(namespace());
    });
    const before = await collector.stats();
    JSON.parse(namespace().exec(process.execPath, [SHORT, '20']));
    await until('40 files', () => files(out).length === 40);
    const stats = await collector.stop();
    expect(stats.exitCode).toBe(0);
    expect(stats.overruns).toBe(1);
    // All 40 sockets (and the listener) were notified through the new relay.
    expect(stats.destroyMessages - before.destroyMessages).toBeGreaterThanOrEqual(40);
    expect(collector.stderr()).toMatch(/overran/);
  }, 60_000);

  it('20,000 closes at once: no crash, overruns counted, polling goes on', async () => {
    const out = tmp();
    const collector = await startCollector(namespace(), out, [], NOFILE);
    await until('the relay to join the destroy groups', () => destroyGroupsJoined(namespace()));
    const server = namespace().spawn(NOFILE[0]!, [...NOFILE.slice(1), process.execPath, BURST, 'server']);
    const port = Number(await nextLine(lines(server)));
    const client = namespace().spawn(NOFILE[0]!, [...NOFILE.slice(1), process.execPath, BURST, 'client', `${port}:10000`]);
    expect(await nextLine(lines(client))).toBe('ready 10000');
    // Every socket has its file: polling has seen all 20,000 before they close.
    await until('20,000 files', () => files(out).length === 20_000, 120_000);
    const before = await collector.stats();
    const exited = (p: typeof client) => new Promise((r) => (p.exitCode !== null ? r(null) : p.once('exit', r)));
    const t0 = Date.now();
    server.stdin!.end('close\n');
    client.stdin!.end('close\n');
    await Promise.all([exited(server), exited(client)]);
    const closeMs = Date.now() - t0;
    // Polling goes on after the burst: 100 more cycles complete. (Progress, not a rate:
    // the interval itself depends on the machine's load and is measured by `pnpm bench`.)
    const afterClose = (await collector.stats()).cycles;
    await until('100 more cycles', async () => (await collector.stats()).cycles >= afterClose + 100, 120_000);
    const after = await collector.stats();
    const polling = pollingBetween(before, after);
    const t1 = Date.now();
    const stats = await collector.stop();
    const stopMs = Date.now() - t1;
    expect(stats.exitCode).toBe(0);
    const all = files(out);
    expect(all).toHaveLength(20_000);
    // How many files end in the socket's destroy snapshot (a state other than ESTABLISHED).
    let finals = 0;
    for (const recs of recordsOfFiles(all)) {
      const last = recs.at(-1)!;
      if (decodeInetDiagMsg(last.rawIdm!).state !== 1) finals++;
    }
    console.log(
      `burst: 20,000 closes in ${closeMs} ms; ${stats.destroyMessages - before.destroyMessages} destroy messages, ` +
        `${stats.overruns} overruns, ${finals} files end in their final snapshot; ` +
        `stop took ${stopMs} ms; polling: ${polling.count} intervals, median <= ${polling.medianSec} s, max <= ${polling.maxSec} s`,
    );
    // Every notification either arrived or its loss was counted.
    if (stats.overruns === 0) expect(stats.destroyMessages - before.destroyMessages).toBeGreaterThanOrEqual(20_000);
    expect(finals).toBeGreaterThan(0);
    expect(after.cycles - afterClose).toBeGreaterThanOrEqual(100);
  }, 240_000);
});
