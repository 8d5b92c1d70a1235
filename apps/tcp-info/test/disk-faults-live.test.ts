import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArchivalRecord } from '@tcpinfo/netlink';
import { isRoot, Netns, warnIfNotRoot } from '@tcpinfo/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archiveFiles, DAEMON_BIN, exited, firstLine, zstLines } from './live-helpers.js';

// The built daemon against what an operator's disk and neighbours do to it:
// a full disk followed by SIGTERM, and symlinks planted at the file names it
// will use (predictable from the cookies `ss -e` shows).

warnIfNotRoot('the daemon on a full disk and among planted symlinks (tcp-info disk-faults-live.test.ts)');

const PREFIX = 'fault-host_1700000000';
const BUSY = fileURLToPath(new URL('./fixtures/busy-conns.mjs', import.meta.url));

/** Busy connections in the namespace; resolves once they are connected. */
async function startBusy(ns: Netns, count: number): Promise<ChildProcess> {
  const child = ns.spawn(process.execPath, [BUSY, '--count', String(count), '--interval', '20', '--bytes', '200']);
  await firstLine(child);
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const done = exited(child);
  child.stdin?.end();
  await done;
}

/** The daemon's /metrics text (inside the namespace), or '' while it is not up. */
function scrape(ns: Netns): string {
  try {
    return ns.exec(process.execPath, ['-e', "fetch('http://127.0.0.1:9990/metrics').then(r=>r.text()).then(t=>process.stdout.write(t))"]);
  } catch {
    return '';
  }
}

/** The value of one sample of a metric, 0 when absent. */
function sample(metrics: string, name: string): number {
  const m = new RegExp(`^${name.replace(/[{}"]/g, '\\$&')} (\\d+)$`, 'm').exec(metrics);
  return m === null ? 0 : Number(m[1]);
}

/** Waits (progress, not time: up to two minutes on a loaded machine) until `done(metrics)`. */
async function waitForMetrics(ns: Netns, daemon: ChildProcess, done: (metrics: string) => boolean): Promise<string> {
  for (const deadline = Date.now() + 120_000; Date.now() < deadline; ) {
    if (daemon.exitCode !== null) throw new Error(`daemon exited early (${daemon.exitCode})`);
    const metrics = scrape(ns);
    if (done(metrics)) return metrics;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the daemon did not get there in two minutes');
}

/** `YYYY/MM/DD` of an instant, UTC. */
const dateDir = (ms: number) => new Date(ms).toISOString().slice(0, 10).replace(/-/g, '/');

describe.skipIf(!isRoot)('tcp-info daemon: disk faults', () => {
  let ns: Netns;
  const dirs: string[] = [];
  const mounts: string[] = [];
  const tempDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'tcpinfo-faults-'));
    dirs.push(d);
    return d;
  };
  let prefixFile: string;

  beforeAll(() => {
    ns = Netns.create();
    prefixFile = join(tempDir(), 'prefix');
    writeFileSync(prefixFile, PREFIX);
  });
  afterAll(() => {
    ns?.destroy();
    for (const m of mounts) execFileSync('umount', ['-l', m]);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('disk full, then SIGTERM: every file left passes zstd -t and decodes to complete JSON lines; failures counted once, not per retry', async () => {
    const out = tempDir();
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tcpinfo-faults', out]);
    mounts.push(out);
    const busy = await startBusy(ns, 150); // 300 files: more 4 KiB pages than the file system has
    const daemon = ns.spawn(process.execPath, [DAEMON_BIN, `-output=${out}`, `-uuid-prefix-file=${prefixFile}`, '-prometheusx.listen-address=127.0.0.1:9990']);
    let stderr = '';
    daemon.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = exited(daemon);
    let metrics: string;
    try {
      metrics = await waitForMetrics(ns, daemon, (m) => sample(m, 'tcpinfo_error_total{type="write_ENOSPC"}') > 0 && sample(m, 'tcpinfo_new_file_total') >= 300);
      // Let the writes fail and be retried for a few more rounds (one a second) before the end: 200 more cycles.
      const cycles = sample(metrics, 'tcpinfo_polling_interval_histogram_count');
      metrics = await waitForMetrics(ns, daemon, (m) => sample(m, 'tcpinfo_polling_interval_histogram_count') > cycles + 200);
      daemon.kill('SIGTERM');
      expect(await code).toBe(0);
    } finally {
      daemon.kill('SIGKILL');
      await stop(busy);
    }
    // Item 5: a failed write is one error however often it is retried (it was every retry: 10,960 in 25 s for 600 files).
    expect(sample(metrics, 'tcpinfo_error_total{type="write_ENOSPC"}')).toBeLessThanOrEqual(sample(metrics, 'tcpinfo_new_file_total'));
    expect(stderr).toMatch(/could not be written at exit/);
    expect(stderr).not.toMatch(/\n\s+at /);

    const files = archiveFiles(out);
    expect(files.length).toBeGreaterThan(0);
    for (const rel of files) {
      const lines = zstLines(join(out, rel)); // zstd -t, and the text ends with a newline
      expect(lines.length, rel).toBeGreaterThanOrEqual(2); // header and a snapshot: no empty file is left
      for (const line of lines) expect(() => JSON.parse(line), rel).not.toThrow();
    }
    // No temporary is left behind either.
    expect(execFileSync('find', [out, '-name', '*.compacting'], { encoding: 'utf8' })).toBe('');
  }, 300_000);

  it('symlinks planted at future file names and at their .compacting names: targets untouched, data names stepped over, each compaction refusal counted', async () => {
    const out = tempDir();
    const outside = tempDir();
    const busy = await startBusy(ns, 4); // 8 sockets
    // The cookies of the sockets the daemon is about to see, as any local user sees them.
    const cookies = [...ns.exec('ss', ['-tnie', 'state', 'established']).matchAll(/ sk:([0-9a-f]+)/g)].map((m) => m[1]!.toUpperCase().padStart(16, '0'));
    expect(cookies).toHaveLength(8);
    // The first file is dated by the connection's first snapshot: plant for today and tomorrow (a run across midnight).
    const days = [dateDir(Date.now()), dateDir(Date.now() + 86_400_000)];
    const targets: string[] = [];
    const plant = (name: string) => {
      const target = join(outside, `target-${targets.length}`);
      writeFileSync(target, `precious ${targets.length}\n`);
      targets.push(target);
      for (const day of days) {
        mkdirSync(join(out, day), { recursive: true });
        symlinkSync(target, join(out, day, name));
      }
    };
    const dataPlanted = cookies.slice(0, 4);
    const tempPlanted = cookies.slice(4);
    for (const c of dataPlanted) plant(`${PREFIX}_${c}.00000.jsonl.zst`);
    for (const c of tempPlanted) plant(`${PREFIX}_${c}.00000.jsonl.zst.compacting`);
    const modes = targets.map((t) => statSync(t).mode);

    const daemon = ns.spawn(process.execPath, [DAEMON_BIN, `-output=${out}`, `-uuid-prefix-file=${prefixFile}`, '-prometheusx.listen-address=127.0.0.1:9990']);
    let stderr = '';
    daemon.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = exited(daemon);
    const today = (c: string, seq = 0) => {
      for (const day of days) {
        const p = join(out, day, `${PREFIX}_${c}.0000${seq}.jsonl.zst`);
        try {
          if (lstatSync(p).isFile()) return p;
        } catch {
          // not on this day
        }
      }
      return undefined;
    };
    try {
      // A name taken by a planted data-file symlink is stepped over, as a file of an
      // earlier run would be: those connections write their records to 00001 instead.
      // The other files get several frames (a busy connection: one a second), so closing them compacts them.
      for (const deadline = Date.now() + 120_000; ; ) {
        const ready = [...dataPlanted.map((c) => today(c, 1)), ...tempPlanted.map((c) => today(c))].every((p) => {
          try {
            return p !== undefined && zstLines(p).length >= 4;
          } catch {
            return false; // a frame being appended
          }
        });
        if (ready) break;
        if (Date.now() > deadline || daemon.exitCode !== null) throw new Error('the busy connections did not get several frames');
        await new Promise((r) => setTimeout(r, 200));
      }
      await stop(busy);
      // Closed connections are compacted while the daemon runs: each .compacting symlink is refused.
      await waitForMetrics(ns, daemon, (m) => sample(m, 'tcpinfo_error_total{type="not_regular_file"}') >= tempPlanted.length);
      daemon.kill('SIGTERM');
      expect(await code).toBe(0);
    } finally {
      daemon.kill('SIGKILL');
      await stop(busy);
    }
    for (const [i, t] of targets.entries()) {
      expect(readFileSync(t, 'utf8')).toBe(`precious ${i}\n`);
      expect(statSync(t).mode).toBe(modes[i]);
    }
    expect(stderr).not.toMatch(/refusing to write/);
    expect(stderr).toMatch(/refusing to compact .*\.compacting/);
    // The planted links are still links; the connections behind the data-file links wrote
    // everything to 00001 (header Sequence 1); the files next to the .compacting links were
    // written, valid, not compacted.
    for (const c of dataPlanted) {
      expect(lstatSync(join(out, days[0]!, `${PREFIX}_${c}.00000.jsonl.zst`)).isSymbolicLink()).toBe(true);
      const lines = zstLines(today(c, 1)!);
      expect(ArchivalRecord.parseLine(lines[0]!).metadata).toMatchObject({ Sequence: 1 });
      expect(lines.length).toBeGreaterThanOrEqual(4);
    }
    for (const c of tempPlanted) expect(zstLines(today(c)!).length).toBeGreaterThanOrEqual(4);
  }, 300_000);

  it('-output.file-mode gives the files exactly that mode, compacted ones included', async () => {
    const out = tempDir();
    const busy = await startBusy(ns, 1);
    const daemon = ns.spawn(process.execPath, [
      DAEMON_BIN, `-output=${out}`, `-uuid-prefix-file=${prefixFile}`, '-prometheusx.listen-address=127.0.0.1:9990', '-output.file-mode=0640',
    ]);
    const code = exited(daemon);
    try {
      await waitForMetrics(ns, daemon, (m) => sample(m, 'tcpinfo_new_file_total') >= 2 && sample(m, 'tcpinfo_snapshot_total') >= 200);
      await stop(busy);
      daemon.kill('SIGTERM');
      expect(await code).toBe(0);
    } finally {
      daemon.kill('SIGKILL');
      await stop(busy);
    }
    const files = archiveFiles(out);
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const rel of files) expect((statSync(join(out, rel)).mode & 0o777).toString(8)).toBe('640');
  }, 300_000);
});
