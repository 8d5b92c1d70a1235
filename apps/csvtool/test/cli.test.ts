import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runWithClosedStdout } from '@tcpinfo/testing';

// The built bin (vitest's global setup builds the workspace), as users run it.
const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/ndt-jdczh_1553815964_00000000000003E8.00183.jsonl.zst', import.meta.url));
const run = (args: string[], input?: string | Buffer) => spawnSync(process.execPath, [bin, ...args], { input, encoding: 'utf8' });

describe('tcpinfo-csv command line', () => {
  it('a reader that closes the pipe early (| head) ends it quietly, status 0', async () => {
    expect(await runWithClosedStdout(bin, ['--help'])).toEqual({ status: 0, stderr: '' });
  });

  it('prints the reference CSV for a file, exit 0, nothing on stderr (not a terminal)', () => {
    const r = run([fixture]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(readFileSync(fixture + '.csv', 'utf8'));
    expect(r.stderr).toBe('');
  });
  it('a missing file: one line naming it, exit 1, no stack trace', () => {
    const r = run(['/nonexistent/f.jsonl.zst']);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('tcpinfo-csv: /nonexistent/f.jsonl.zst: cannot read: ENOENT\n');
  });
  it('input that is not JSONL: file and line, exit 1', () => {
    const r = run([], 'hello\n');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^tcpinfo-csv: <stdin>:1: not an ArchivalRecord: .*\n$/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
  it('--skip-invalid goes on and reports the count', () => {
    const r = run(['--skip-invalid'], 'hello\n');
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')).toHaveLength(2); // header + final newline
    expect(r.stderr).toMatch(/skipped 1 invalid line/);
  });
  it('--help documents the options with examples; a bad option exits 1', () => {
    const r = run(['--help']);
    expect(r.status).toBe(0);
    for (const s of ['--columns', '--format', '--skip-invalid', 'Examples:', 'Exit status']) expect(r.stdout).toContain(s);
    const bad = run(['--columns=some']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/Allowed choices are original, all/);
  });
});
