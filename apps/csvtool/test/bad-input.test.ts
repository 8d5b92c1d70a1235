import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { decompress } from 'zstd-napi';
import { flippedCopy, intactPrefix, zstdLines, zstdLinesBeforeDamage, zstdSaysSound } from '@tcpinfo/testing';
import { ORIGINAL_COLUMN_NAMES } from '../src/index.js';

// Each kind of bad input the issue lists, through the built command line: the
// documented one-line message (file:line where there is a line), the exit
// status, no stack trace, and the rows before the problem still written.

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/ndt-jdczh_1553815964_00000000000003E8.00183.jsonl.zst', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'csv-bad-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const plain = decompress(readFileSync(fixture));
const lineCount = plain.toString().trimEnd().split('\n').length;
const header = ORIGINAL_COLUMN_NAMES.join(',') + '\n';
const idm = Buffer.alloc(72).toString('base64');

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}
function run(path: string) {
  const r = spawnSync(process.execPath, [bin, path], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, rows: r.stdout.split('\n').length - 2 };
}
function expectOneLine(stderr: string, pattern: RegExp) {
  expect(stderr).toMatch(pattern);
  expect(stderr.split('\n')).toHaveLength(2); // one line and its newline
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe('bad input: message, exit status, no stack trace', () => {
  it('truncated zstd: the rows of the complete part, then "zstd data cut off", exit 1', () => {
    const compressed = readFileSync(fixture);
    const path = file('cut.jsonl.zst', compressed.subarray(0, compressed.length - 200));
    const r = run(path);
    expect(r.status).toBe(1);
    expectOneLine(r.stderr, new RegExp(`^tcpinfo-csv: ${path}: zstd data cut off: `));
  });

  it('a truncated last line: every complete row, then file:line, exit 1', () => {
    const path = file('cut.jsonl', plain.subarray(0, plain.length - 100));
    const r = run(path);
    expect(r.status).toBe(1);
    expectOneLine(r.stderr, new RegExp(`^tcpinfo-csv: ${path}:${lineCount}: not an ArchivalRecord: not JSON`));
    expect(r.rows).toBe(lineCount - 1);
  });

  it('invalid JSON, bad base64: file:line and the reason, exit 1', () => {
    const json = run(file('json.jsonl', '{"Timestamp":"2019-04-02T14:12:37.511Z",\n'));
    expect(json.status).toBe(1);
    expectOneLine(json.stderr, /^tcpinfo-csv: .*json\.jsonl:1: not an ArchivalRecord: not JSON/);
    const b64 = run(file('b64.jsonl', `{"Timestamp":"2019-04-02T14:12:37.511Z","RawIDM":"${idm}","Attributes":[null,"AA*A"]}\n`));
    expect(b64.status).toBe(1);
    expectOneLine(b64.stderr, /^tcpinfo-csv: .*b64\.jsonl:1: not an ArchivalRecord: not standard padded base64/);
  });

  it('an attribute shorter than its struct is zero-extended (SPEC §7), exit 0; a short RawIDM is an error', () => {
    const short = run(file('short.jsonl', `{"Timestamp":"2019-04-02T14:12:37.511Z","RawIDM":"${idm}","Attributes":[null,"AQAAAA==","AAAAAAAAAAA="]}\n`));
    expect(short.status).toBe(0);
    expect(short.stderr).toBe('');
    const row = short.stdout.split('\n')[1]!.split(',');
    expect(row[1]).toBe('3'); // MEMINFO and INFO observed
    expect(row[2]).toBe('0'); // both parsed, as the original zero-extends them
    expect(row[ORIGINAL_COLUMN_NAMES.indexOf('MemInfo.Rmem')]).toBe('1');
    expect(row[ORIGINAL_COLUMN_NAMES.indexOf('MemInfo.Tmem')]).toBe('0');
    const idmShort = run(file('idm.jsonl', `{"Timestamp":"2019-04-02T14:12:37.511Z","RawIDM":"AAAA","Attributes":[null]}\n`));
    expect(idmShort.status).toBe(1);
    expectOneLine(idmShort.stderr, /^tcpinfo-csv: .*idm\.jsonl:1: not an ArchivalRecord: RawIDM of 3 bytes is shorter than the 72-byte inet_diag_msg/);
  });

  it('an empty file: just the header, exit 0', () => {
    const r = run(file('empty.jsonl', ''));
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(header);
    expect(r.stderr).toBe('');
  });

  it('a directory is walked for archives (issue 13): one without any gives the header alone, exit 0', () => {
    const path = join(dir, 'a-directory');
    mkdirSync(path);
    writeFileSync(join(path, 'notes.txt'), 'not an archive\n');
    const r = run(path);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(header);
    expect(r.stderr).toBe('');
  });
});

describe('corrupt zstd data (bytes flipped on disk)', () => {
  const TESTDATA = new URL('../../../../shared/testdata/', import.meta.url);
  const good = new URL('ndt-jdczh_1553815964_00000000000003E8.00183.jsonl.zst', TESTDATA).pathname;
  const sound = new URL('archiveRecords.jsonl.zst', TESTDATA).pathname;
  const flipped = flippedCopy(sound, dir, 'flip.jsonl.zst', 1000);
  const runAll = (...paths: string[]) => spawnSync(process.execPath, [bin, ...paths], { encoding: 'utf8' });
  const reference = (path: string) => readFileSync(`${path}.csv`, 'utf8').split('\n').slice(1, -1);

  it('alone: the header and the rows zstd restores before the damage, then "FILE: corrupt zstd data", exit 1', () => {
    expect(zstdSaysSound(flipped)).toBe(false);
    const intact = intactPrefix(zstdLinesBeforeDamage(flipped), zstdLines(sound));
    const r = runAll(flipped);
    expect(r.status).toBe(1);
    expectOneLine(r.stderr, new RegExp(`^tcpinfo-csv: ${flipped}: corrupt zstd data: `));
    const rows = r.stdout.split('\n').slice(1, -1);
    expect(r.stdout.startsWith(header)).toBe(true);
    expect(rows.length).toBeGreaterThanOrEqual(intact);
    expect(rows.slice(0, intact)).toEqual(reference(sound).slice(0, intact));
  });

  it('after a sound file: all of its rows are kept; a file after the damaged one is not read', () => {
    const r = runAll(good, flipped, good);
    expect(r.status).toBe(1);
    expectOneLine(r.stderr, new RegExp(`^tcpinfo-csv: ${flipped}: corrupt zstd data: `));
    const rows = r.stdout.split('\n').slice(1, -1);
    const goodRows = reference(good);
    expect(rows.slice(0, goodRows.length)).toEqual(goodRows);
    expect(rows.length).toBeLessThan(2 * goodRows.length + reference(sound).length);
  });

  it('a full disk on standard output: one clear line, exit 1', () => {
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${bin}" "${good}" > /dev/full`], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expectOneLine(r.stderr, /^tcpinfo-csv: standard output: cannot write: ENOSPC: no space left on device, write$/m);
  });
});
