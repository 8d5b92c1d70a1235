import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildReport } from '../src/report.js';
import { ARCHIVE, FINWAIT2, NDT } from './synthetic.js';
import { flippedCopy, runWithClosedStdout, zstdSaysSound } from '@tcpinfo/testing';

// The built bin (vitest's global setup builds the workspace), as users run it.
const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const run = (args: string[], input?: string | Buffer) => spawnSync(process.execPath, [bin, ...args], { input: input ?? '', encoding: 'utf8' });
const dir = mkdtempSync(join(tmpdir(), 'tcpinfo-view-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tcpinfo-view command line', () => {
  it('a reader that closes the pipe early (| head) ends it quietly, status 0', async () => {
    expect(await runWithClosedStdout(bin, ['--help'])).toEqual({ status: 0, stderr: '' });
  });
  it('a full disk on standard output (> /dev/full): one line naming the tool and the reason, status 1', () => {
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${bin}" "${NDT}" > /dev/full`], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('tcpinfo-view: standard output: cannot write: ENOSPC: no space left on device, write\n');
  });
  it('-o writes one self-contained page: uPlot and the data inlined, nothing fetched', () => {
    const out = join(dir, 'r.html');
    const r = run([NDT, FINWAIT2, '-o', out]);
    expect([r.status, r.stderr, r.stdout]).toEqual([0, '', '']);
    const html = readFileSync(out, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html.includes('<table id="overview">')).toBe(true);
    expect(html.match(/<section class="connection"/g)).toHaveLength(2);
    expect(html.includes('var uPlot=')).toBe(true);
    expect(/<(script|link|img|iframe)[^>]+(src|href)=/i.test(html)).toBe(false);
  });

  it('without -o the page goes to standard output; standard input is read with no file or "-"', () => {
    const r = run(['-'], readFileSync(NDT));
    expect(r.status).toBe(0);
    // (booleans: a failure should not print a 100 KB page)
    expect(r.stdout.includes('<h2>ndt-jdczh_1553815964_00000000000003E8</h2>')).toBe(true);
    expect(r.stdout.includes('<dt>Source</dt><dd>&#60;stdin&#62;</dd>')).toBe(true);
  });

  it('a page written in pieces (to a file or standard output) is the page built as one string', async () => {
    const inputs = [NDT, FINWAIT2, ARCHIVE]; // ~430 KB: more than one 256 KiB write
    const out = join(dir, 'pieces.html');
    const file = run([...inputs, '-o', out]);
    const stdout = spawnSync(process.execPath, [bin, ...inputs], { maxBuffer: 16 << 20 });
    expect([file.status, stdout.status]).toEqual([0, 0]);
    const whole = Buffer.from((await buildReport(inputs)).html);
    expect(whole.length).toBeGreaterThan(256 * 1024);
    expect(readFileSync(out).equals(whole)).toBe(true);
    expect(stdout.stdout.equals(whole)).toBe(true);
  });

  it('a line that is not an ArchivalRecord: FILE:LINE, exit 1, no stack trace', () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"Timestamp":"2019-04-02T14:12:37.511Z"}\n{"RawIDM": 5}\n');
    const r = run([bad, '-o', join(dir, 'x.html')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^tcpinfo-view: ${bad}:2: not an ArchivalRecord: .*\\n$`));
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, 'x.html'))).toBe(false); // the input is read before the output is opened
    const stdin = run([], 'hello\n');
    expect(stdin.status).toBe(1);
    expect(stdin.stderr).toMatch(/^tcpinfo-view: <stdin>:1: not an ArchivalRecord: .*\n$/);
  });

  it('a missing file and an unwritable output are one line each, exit 1', () => {
    const missing = run(['/nonexistent/f.jsonl.zst', '-o', join(dir, 'y.html')]);
    expect([missing.status, missing.stderr]).toEqual([1, 'tcpinfo-view: /nonexistent/f.jsonl.zst: cannot read: ENOENT\n']);
    const unwritable = run([NDT, '-o', join(dir, 'no-such-dir', 'r.html')]);
    expect([unwritable.status, unwritable.stderr]).toEqual([1, `tcpinfo-view: ${join(dir, 'no-such-dir', 'r.html')}: cannot write: ENOENT\n`]);
  });

  it('--help explains the charts, the options and gives examples; an unknown option exits 1', () => {
    const r = run(['--help']);
    expect(r.status).toBe(0);
    for (const s of ['--output', 'Examples:', 'Exit status', 'throughput', 'standard input']) expect(r.stdout).toContain(s);
    const bad = run(['--colour']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/unknown option '--colour'/);
  });
});

describe('tcpinfo-view and corrupt zstd data', () => {
  const TESTDATA = new URL('../../../../shared/testdata/', import.meta.url);
  const sound = new URL('archiveRecords.jsonl.zst', TESTDATA).pathname;
  const flipped = flippedCopy(sound, dir, 'flip.jsonl.zst', 1000);

  it('writes the report of what came before the damage, then "FILE: corrupt zstd data", exit 1', async () => {
    expect(zstdSaysSound(flipped)).toBe(false);
    const out = join(dir, 'damaged.html');
    const r = run([NDT, flipped, FINWAIT2, '-o', out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^tcpinfo-view: ${flipped}: corrupt zstd data: [^\\n]*\\n$`));
    const html = readFileSync(out, 'utf8');
    expect(html.includes('<h2>ndt-jdczh_1553815964_00000000000003E8</h2>')).toBe(true); // the file before
    const soundSections = (await buildReport([NDT, sound])).html.match(/<section class="connection"/g)!.length;
    const sections = html.match(/<section class="connection"/g)!.length;
    expect(sections).toBeGreaterThan(1); // connections of the damaged file's intact part
    expect(sections).toBeLessThanOrEqual(soundSections); // and nothing of the file after it
    expect(html.includes('finwait2-sample')).toBe(false);
  });
});
