import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRoot, Netns, warnIfNotRoot } from '@tcpinfo/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAEMON_BIN, operatorEnv } from './live-helpers.js';

warnIfNotRoot('read-only and unwritable output directories (tcp-info output-dir.test.ts)');

const NOBODY = 65534;

/** Runs `argv` and returns its status and stderr lines. */
function run(argv: string[]): { status: number | null; lines: string[] } {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', env: operatorEnv(), timeout: 30_000 });
  return { status: r.status, lines: r.stderr.split('\n').filter((l) => l !== '') };
}

// If a check let the daemon start, -reps=1 on a free port ends it at once.
const daemonArgs = (out: string) => [process.execPath, DAEMON_BIN, `-output=${out}`, '-reps=1', '-prometheusx.listen-address=127.0.0.1:0'];

// A read-only mount or a directory the daemon's user may not write must stop
// the start with the real reason, not let it run and fail every write.
describe.skipIf(!isRoot)('an output directory the daemon cannot write (built daemon)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tcpinfo-outdir-'));
    chmodSync(dir, 0o755);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['a read-only tmpfs', 'mount -t tmpfs -o ro tmpfs "$1"'],
    ['a read-only bind mount', 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1"'],
  ])('%s: exit 2, one line naming the directory and EROFS', (_what, mount) => {
    const out = join(dir, `ro-${readdirSync(dir).length}`);
    mkdirSync(out);
    // A private mount namespace: the mount vanishes with the process.
    const r = run(['unshare', '-m', 'sh', '-c', `${mount} && shift && exec "$@"`, 'sh', out, ...daemonArgs(out)]);
    expect(r.status).toBe(2);
    expect(r.lines[0]).toBe(`tcp-info: -output directory ${out} is not writable: EROFS (read-only file system)`);
    expect(r.lines.slice(1)).toEqual(['Run tcp-info --help for usage.']);
  });

  it('mode 0555 for a non-root user (setpriv; root bypasses modes): exit 2, one line naming the directory and EACCES', () => {
    const out = join(dir, 'r-x');
    mkdirSync(out);
    chownSync(out, NOBODY, NOBODY);
    chmodSync(out, 0o555);
    const r = run(['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', ...daemonArgs(out)]);
    expect(r.status).toBe(2);
    expect(r.lines[0]).toBe(`tcp-info: -output directory ${out} is not writable: EACCES (permission denied)`);
    expect(readdirSync(out)).toEqual([]);
  });

  it('a writable directory is left as it was: the write check removes what it made', () => {
    const out = join(dir, 'fine');
    mkdirSync(out);
    const ns = Netns.create(); // this one runs: let it see only a namespace of its own
    try {
      const r = run(['ip', 'netns', 'exec', ns.name, ...daemonArgs(out)]);
      expect(r.status).toBe(0);
    } finally {
      ns.destroy();
    }
    expect(readdirSync(out).filter((n) => n.startsWith('.'))).toEqual([]);
  });
});
