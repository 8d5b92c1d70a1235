import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMetrics } from '@tcpinfo/metrics';
import { GoTime } from '@tcpinfo/netlink';
import { isRoot, warnIfNotRoot } from '@tcpinfo/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Saver } from '../src/saver.js';
import { fakeIdm, readZstLines } from './helpers.js';

warnIfNotRoot('saver on a full disk (a small tmpfs) (saver disk-full.test.ts)');

describe.skipIf(!isRoot)('Saver on a full disk', () => {
  let mnt: string;
  beforeAll(() => {
    mnt = mkdtempSync(join(tmpdir(), 'saver-enospc-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=512k', 'tmpfs', mnt]);
  });
  // A failed test must not leave the file system full for the next one.
  afterEach(() => {
    for (const f of ['filler', 'filler2']) rmSync(join(mnt, f), { force: true });
  });
  afterAll(() => {
    if (mnt) {
      execFileSync('umount', [mnt]);
      rmSync(mnt, { recursive: true, force: true });
    }
  });

  it('counts a failed write once however often it is retried, keeps the file valid meanwhile, and resumes once space is back', async () => {
    let now = 1_700_000_000_000;
    const logs: string[] = [];
    const metrics = createMetrics({ processMetrics: false });
    const saver = new Saver({ outputDir: mnt, uuidPrefix: 'full', metrics, now: () => now, log: (l) => logs.push(l) });
    const key = { lo: 1, hi: 0, state: undefined };
    const idm = fakeIdm(0, 1);
    const start = GoTime.fromUnixNanos(BigInt(now) * 1_000_000n);
    // Incompressible lines, so that frames are as big as their text.
    const line = () => `{"Timestamp":"2023-11-14T22:13:20Z","x":"${randomBytes(3000).toString('base64')}"}`;
    const written: string[] = [];
    for (let i = 0; i < 5; i++) written.push(line());
    for (const l of written) saver.writeLine(key, l, start, idm);
    await saver.flush();
    const path = join(mnt, '2023/11/14/full_0000000000000001.00000.jsonl.zst');
    expect(readZstLines(path)).toHaveLength(6);
    const sizeBefore = statSync(path).size;

    // Fill the file system, then queue more than fits.
    const filler = join(mnt, 'filler');
    try {
      writeFileSync(filler, Buffer.alloc(1024 * 1024));
    } catch {
      // ENOSPC: the filler took what was left
    }
    const more: string[] = [];
    for (let i = 0; i < 20; i++) more.push(line());
    for (const l of more) saver.writeLine(key, l, start, idm);
    now += 800; // flushAfterMs: due
    saver.tick();
    expect(saver.pendingBytes).toBeGreaterThan(0); // handed over, not waited for: polling never waits for the disk
    await saver.flush();
    expect(saver.stats.writeErrors).toBe(1);
    // The torn tail of the failed write is already cut: the file is valid while the disk is full.
    expect(statSync(path).size).toBe(sizeBefore);
    expect(readZstLines(path).slice(1)).toEqual(written);
    // Retries (one a second) while the disk stays full are not new failures.
    for (let retry = 0; retry < 3; retry++) {
      now += 1000;
      saver.tick();
      await saver.flush();
    }
    expect(saver.stats.writeErrors).toBe(1);
    expect(await metrics.registry.getSingleMetricAsString('tcpinfo_error_total')).toMatch(/tcpinfo_error_total\{type="write_ENOSPC"\} 1$/m);
    expect(logs.length).toBe(1); // one line for the failure, none for its retries
    expect(saver.pendingBytes).toBeGreaterThan(0);

    // Space comes back: the next retry (a second later) writes everything.
    unlinkSync(filler);
    now += 1000;
    saver.tick();
    await saver.flush();
    expect(saver.pendingBytes).toBe(0);
    expect(readZstLines(path).slice(1)).toEqual([...written, ...more]); // torn tail cut off, nothing lost
    saver.close(key, start);
    await saver.closeAll();
    expect(readZstLines(path).slice(1)).toEqual([...written, ...more]);
  });

  it('shuts down on a full disk leaving only valid files: torn tails cut, files with nothing written removed, lost records counted', async () => {
    const dir = join(mnt, 'shutdown');
    const metrics = createMetrics({ processMetrics: false });
    const logs: string[] = [];
    const saver = new Saver({ outputDir: dir, uuidPrefix: 'full', metrics, log: (l) => logs.push(l) });
    const start = GoTime.fromUnixNanos(1_700_000_000_000_000_000n);
    const line = () => `{"Timestamp":"2023-11-14T22:13:20Z","x":"${randomBytes(3000).toString('base64')}"}`;
    const keys = Array.from({ length: 40 }, (_, i) => ({ lo: 0x100 + i, hi: 0, state: undefined }));
    // Half the connections get a first frame on disk; then the disk fills and every connection writes more.
    for (const k of keys.slice(0, 20)) saver.writeLine(k, line(), start, fakeIdm(0, k.lo));
    await saver.flush();
    const filler = join(mnt, 'filler2');
    try {
      writeFileSync(filler, Buffer.alloc(1024 * 1024));
    } catch {
      // ENOSPC: the filler took what was left
    }
    for (const k of keys) for (let i = 0; i < 3; i++) saver.writeLine(k, line(), start, fakeIdm(0, k.lo));
    await saver.closeAll(start, keys, 300, 0);
    const files = execFileSync('find', [dir, '-type', 'f'], { encoding: 'utf8' }).split('\n').filter((f) => f !== '');
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const lines = readZstLines(f); // zstd -t passes, text ends with a newline
      expect(lines.length).toBeGreaterThan(1); // a header and at least one record: nothing empty is left
      for (const l of lines) JSON.parse(l);
    }
    expect(saver.stats.recordsDropped).toBeGreaterThan(0);
    expect(await metrics.registry.getSingleMetricAsString('tcpinfo_dropped_records_total')).toMatch(/reason="unwritten_at_exit"\} [1-9]/);
    expect(logs.some((l) => l.includes('could not be written at exit'))).toBe(true);
  });
});
