import { spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect as connectRaw, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@tcpinfo/eventsocket';
import { isRoot, Netns, warnIfNotRoot } from '@tcpinfo/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAEMON_BIN, exited, LOG_LINE, operatorEnv, scrapeMetrics } from './live-helpers.js';

warnIfNotRoot('start-up line, build info, port in use, refused event-socket clients (tcp-info startup-live.test.ts)');

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
const METRICS = '127.0.0.1:9990';

describe('-version (built daemon)', () => {
  it('prints the package version, the revision and Node, exit 0; a VERSION variable is not the flag', () => {
    const r = spawnSync(process.execPath, [DAEMON_BIN, '-version'], { encoding: 'utf8', env: operatorEnv() });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^tcp-info ${version.replace(/\./g, '\\.')} \\(revision (?:[0-9a-f]{7,}|unknown), node ${process.version}\\)\\n$`));
    const help = spawnSync(process.execPath, [DAEMON_BIN, '--help'], { encoding: 'utf8', env: operatorEnv({ VERSION: '1' }) });
    expect(help.stdout).toMatch(/^ {2}-version$/m);
  });
});

describe.skipIf(!isRoot)('start-up of the built daemon (namespace)', () => {
  let ns: Netns;
  let dir: string;
  beforeAll(() => {
    ns = Netns.create();
    dir = mkdtempSync(join(tmpdir(), 'tcpinfo-startup-'));
  });
  afterAll(() => {
    ns?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  function start(args: string[], env: NodeJS.ProcessEnv = {}): { daemon: ChildProcess; stderr: () => string } {
    const daemon = ns.spawn(process.execPath, [DAEMON_BIN, `-output=${join(dir, 'out')}`, ...args], { env: operatorEnv(env) });
    let text = '';
    daemon.stderr!.on('data', (d: Buffer) => (text += d.toString()));
    return { daemon, stderr: () => text };
  }

  it('logs one first line with the version and every effective setting (flags, environment, defaults); every line has a timestamp', async () => {
    const { daemon, stderr } = start(['-reps=2', '-prometheusx.listen-address=127.0.0.1:0', '-exclude-srcport=22,nope'], { ANONYMIZE_IP: 'netblock' });
    expect(await exited(daemon)).toBe(0);
    const lines = stderr().trimEnd().split('\n');
    for (const line of lines) expect(line).toMatch(LOG_LINE);
    const first = LOG_LINE.exec(lines[0]!)![1]!;
    expect(first).toMatch(new RegExp(`^tcp-info ${version.replace(/\./g, '\\.')} \\(revision \\S+, node ${process.version}\\) starting: `));
    for (const setting of [`-output=${join(dir, 'out')}`, '-reps=2', '-anonymize.ip=netblock', '-exclude-srcport=22,nope', '-poll-interval=10ms', '-rotation-interval=600s', '-destroy-events=true']) {
      expect(first).toContain(` ${setting} `);
    }
    expect(first).toMatch(/\(uuid prefix \S+_unsafe\)$/);
    expect(lines.slice(1).join('\n')).toMatch(/nope/); // the bad port's warning follows, also stamped
  });

  it('the metrics port in use: exit 1 (as the original), one line naming the address and EADDRINUSE', async () => {
    // Another process holds the port: the daemon must not take it over.
    const holder = ns.spawn(process.execPath, ['-e', "require('net').createServer().listen(9990, '127.0.0.1', () => console.log('up'))"]);
    await once(holder.stdout!, 'data');
    try {
      const { daemon, stderr } = start([`-prometheusx.listen-address=${METRICS}`, '-reps=1']);
      expect(await exited(daemon)).toBe(1);
      const lines = stderr().trimEnd().split('\n');
      expect(lines).toHaveLength(2); // the start-up line, then the reason
      expect(LOG_LINE.exec(lines[1]!)![1]).toMatch(/^tcp-info: cannot serve metrics on 127\.0\.0\.1:9990: .*EADDRINUSE/);
    } finally {
      holder.kill();
      await exited(holder);
    }
  });

  it('exports tcpinfo_build_info; event-socket clients past 128 are refused, counted, and logged rate-limited, not one line each', async () => {
    const sockPath = join(dir, 'events.sock');
    const { daemon, stderr } = start([`-prometheusx.listen-address=${METRICS}`, `-tcpinfo.eventsocket=${sockPath}`]);
    const probe = connect(sockPath, { minBackoffMs: 10 }); // retries until the daemon serves
    await Promise.race([once(probe, 'connect'), exited(daemon).then((c) => Promise.reject(new Error(`daemon exited (${c}): ${stderr()}`)))]);
    await probe.close();

    const m0 = await scrapeMetrics(ns, METRICS);
    const info = [...m0.entries()].filter(([k]) => k.startsWith('tcpinfo_build_info{'));
    expect(info).toHaveLength(1);
    expect(info[0]![1]).toBe(1);
    expect(info[0]![0]).toMatch(new RegExp(`version="${version.replace(/\./g, '\\.')}",revision="[^"]+",node_version="${process.version}"`));

    const REFUSED = 40;
    const clients: Socket[] = [];
    let closed = 0;
    const allRefused = new Promise<void>((resolve) => {
      for (let i = 0; i < 128 + REFUSED; i++) {
        const c = connectRaw(sockPath);
        c.on('error', () => {});
        // Refused clients are closed by the daemon at once; accepted ones stay.
        c.on('close', () => {
          if (++closed === REFUSED) resolve();
        });
        clients.push(c);
      }
    });
    await allRefused;
    const m = await scrapeMetrics(ns, METRICS);
    expect(m.get('tcpinfo_eventsocket_refused_clients_total')).toBe(REFUSED);
    expect(m.get('tcpinfo_eventsocket_clients')).toBe(128);
    const refusalLines = stderr().split('\n').filter((l) => /refusing more/.test(l));
    expect(refusalLines.length).toBeGreaterThanOrEqual(1);
    expect(refusalLines.length).toBeLessThan(REFUSED / 4); // one per 10 s, however loaded the machine
    for (const c of clients) c.destroy();
    daemon.kill('SIGTERM');
    expect(await exited(daemon)).toBe(0);
  });
});
