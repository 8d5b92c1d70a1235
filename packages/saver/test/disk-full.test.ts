import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMetrics } from '@tcpinfo/metrics';
import { GoTime } from '@tcpinfo/netlink';
import { isRoot, warnIfNotRoot } from '@tcpinfo/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Saver } from '../src/saver.js';
import { fakeIdm, readZstLines } from './helpers.js';

warnIfNotRoot('saver on a full disk (a small tmpfs) (saver disk-full.test.ts)');

describe.skipIf(!isRoot)('Saver on a full disk', () => {
  let mnt: string;
  beforeAll(() => {
    mnt = mkdtempSync(join(tmpdir(), 'saver-enospc-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=512k', 'tmpfs', mnt]);
  });
  afterAll(() => {
    if (mnt) {
      execFileSync('umount', [mnt]);
      rmSync(mnt, { recursive: true, force: true });
    }
  });

  it('counts ENOSPC, keeps polling-side calls instant, and resumes with a valid file once space is back', async () => {
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

    // Fill the file system, then queue more than fits.
    const filler = join(mnt, 'filler');
    try {
      writeFileSync(filler, Buffer.alloc(1024 * 1024));
    } catch {
      // ENOSPC: the filler took what was left
    }
    const more: string[] = [];
    for (let i = 0; i < 20; i++) more.push(line());
    const t0 = performance.now();
    for (const l of more) saver.writeLine(key, l, start, idm);
    saver.tick();
    expect(performance.now() - t0).toBeLessThan(50); // nothing waits for the disk
    await saver.flush();
    expect(saver.stats.writeErrors).toBeGreaterThan(0);
    expect(await metrics.registry.getSingleMetricAsString('tcpinfo_error_total')).toMatch(/tcpinfo_error_total\{type="write_ENOSPC"\} [1-9]/);
    expect(logs.length).toBe(1); // at most one line a second
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
});
