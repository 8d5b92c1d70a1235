import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CHURN = fileURLToPath(new URL('./fixtures/gc-churn.mjs', import.meta.url));

/** The full collections (Mark-Compact lines of --trace-gc) of one churn run. */
function fullCollections(mode: 'tuned' | 'default'): string[] {
  const r = spawnSync(process.execPath, ['--trace-gc', CHURN, mode], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split('\n').filter((l) => l.includes('Mark-Compact'));
}

describe('the daemon GC tuning', () => {
  it('full collections still run, but none is started as incremental marking', () => {
    const tuned = fullCollections('tuned');
    expect(tuned.length).toBeGreaterThan(0);
    expect(tuned.filter((l) => /incremental/i.test(l))).toEqual([]);
  });

  it('the probe sees incremental marking where the tuning is not applied', () => {
    expect(fullCollections('default').some((l) => /incremental/i.test(l))).toBe(true);
  });
});
