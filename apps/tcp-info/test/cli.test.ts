import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runDaemonSync } from './live-helpers.js';
import { runWithClosedStdout } from '@tcpinfo/testing';

// The built binary, as operators run it: exit status 2 and one line on stderr
// for every bad command line, before anything starts (no socket, no port).
describe('tcp-info command line (built dist/bin.js)', () => {
  it('a reader that closes the pipe early (| head) ends it quietly, status 0', async () => {
    expect(await runWithClosedStdout(fileURLToPath(new URL('../dist/bin.js', import.meta.url)), ['--help'])).toEqual({ status: 0, stderr: '' });
  });
  it('a full disk on standard output (> /dev/full): one line with the reason, status 1', () => {
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${fileURLToPath(new URL('../dist/bin.js', import.meta.url))}" -version > /dev/full`], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('tcp-info: standard output: cannot write: ENOSPC: no space left on device, write\n');
  });
  const dir = mkdtempSync(join(tmpdir(), 'tcpinfo-cli-'));
  const regularFile = join(dir, 'file');
  writeFileSync(regularFile, '');

  it.each([
    [['-no-such-flag'], /flag provided but not defined: -no-such-flag/],
    [['-reps=many'], /-reps/],
    [['-prometheusx.listen-address=:http'], /listen-address/],
    [['-anonymize.ip=foo'], /anonymize\.ip/],
    [['-uuid-prefix-file=/nonexistent/prefix'], /uuid-prefix-file/],
    [[`-output=${regularFile}/sub`], /-output/],
    [['-output'], /needs an argument/],
    [['-tcpinfo.eventsocket=/nonexistent-dir/ev.sock'], /directory \/nonexistent-dir does not exist \(ENOENT\)/],
  ])('%j exits 2 with one line', (args, message) => {
    const r = runDaemonSync(args);
    expect(r.status).toBe(2);
    const first = r.stderr.split('\n')[0]!;
    expect(first).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('takes bad values from the environment too', () => {
    const r = runDaemonSync([], { ANONYMIZE_IP: 'foo' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/ANONYMIZE_IP|anonymize/);
  });

  it('--help lists every flag with its environment variable and exits 0', () => {
    for (const help of ['--help', '-help', '-h']) {
      const r = runDaemonSync([help]);
      expect(r.status).toBe(0);
      for (const env of ['OUTPUT', 'REPS', 'UUID_PREFIX_FILE', 'TCPINFO_EVENTSOCKET', 'ANONYMIZE_IP', 'EXCLUDE_SRCPORT', 'EXCLUDE_DSTIP', 'PROMETHEUSX_LISTEN_ADDRESS']) {
        expect(r.stdout).toContain(`env ${env}`);
      }
    }
  });
});
