import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decompress } from 'zstd-napi';
import { Writable } from 'node:stream';
import { convert, csvHeaderLine } from '../src/index.js';
import { flippedCopy, zstdSaysSound } from '@tcpinfo/testing';
import { readParquet } from './parquet-read.js';

// --jobs, the input listing (files, directories, --files-from), -o,
// --no-header and the two policies for a bad input, through the built
// command line. Many small inputs, so several workers run at once and finish
// out of order.

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const NDT = join(fixtures, 'ndt-jdczh_1553815964_00000000000003E8.00183.jsonl.zst');
const FINWAIT2 = join(fixtures, 'finwait2-sample_1554836592_unsafe_000000000135A272.00000.jsonl.zst');
const ARCHIVE = join(fixtures, 'archiveRecords.jsonl.zst');
const dir = mkdtempSync(join(tmpdir(), 'csv-jobs-'));
const tree = join(dir, 'tree');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tool(args: string[], input?: string | Buffer) {
  return spawnSync(process.execPath, [bin, ...args], { input, maxBuffer: 1 << 28 });
}
const text = (b: Buffer) => b.toString('utf8');

/** The archive's lines in files of 7 lines: many small inputs. */
let archiveLines: string[] = [];
/** Every archive of the tree in walk order (byte order of names, depth first). */
let walkOrder: string[] = [];

beforeAll(() => {
  archiveLines = decompress(readFileSync(ARCHIVE)).toString('utf8').trimEnd().split('\n');
  const files: [string, string | Buffer][] = [];
  for (let i = 0; i * 7 < archiveLines.length; i++) {
    const part = archiveLines.slice(i * 7, i * 7 + 7).join('\n') + '\n';
    // Names sort differently as text than as numbers; the walk orders by bytes.
    files.push([join(tree, `part-${i}.jsonl`), part]);
  }
  files.push([join(tree, 'b', 'ndt.jsonl.zst'), readFileSync(NDT)]);
  files.push([join(tree, 'b', 'a', 'finwait2.jsonl.zst'), readFileSync(FINWAIT2)]);
  files.push([join(tree, 'B-upper.jsonl.zst'), readFileSync(NDT)]);
  for (const [path, content] of files) {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, content);
  }
  writeFileSync(join(tree, 'README.txt'), 'not an archive\n');
  writeFileSync(join(tree, 'b', 'x.jsonl.gz'), 'not taken either\n');
  const byBytes = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const top = files.map(([p]) => p).filter((p) => p.startsWith(join(tree, 'B-')) || p.startsWith(join(tree, 'part-')));
  // Depth first: "B-upper" < "b" < "part-…" in byte order; inside b: "a/" < "ndt".
  walkOrder = [...top.filter((p) => p.includes('B-upper')), join(tree, 'b', 'a', 'finwait2.jsonl.zst'), join(tree, 'b', 'ndt.jsonl.zst'), ...top.filter((p) => p.includes('part-')).sort(byBytes)];
});

/** One input's rows by the library's convert on this thread (no pool), cached. */
const rowsCache = new Map<string, string>();
async function rowsOf(path: string): Promise<string> {
  let rows = rowsCache.get(path);
  if (rows === undefined) {
    const chunks: Buffer[] = [];
    const output = new Writable({ write: (c: Buffer, _e, done) => (chunks.push(c), done()) });
    await convert({ inputs: [path], output, header: false });
    rows = Buffer.concat(chunks).toString('utf8');
    rowsCache.set(path, rows);
  }
  return rows;
}

/** The CSV of the inputs converted one by one, concatenated under one header: what any --jobs must print. */
async function expectedCsv(paths: readonly string[]): Promise<string> {
  let csv = csvHeaderLine('original');
  for (const p of paths) csv += await rowsOf(p);
  return csv;
}

describe('tcpinfo-csv --jobs and the input listing', () => {
  it('a directory is walked in byte order of names, depth first, *.jsonl and *.jsonl.zst only; --jobs 1, 2 and 3 print the same bytes', async () => {
    const expected = await expectedCsv(walkOrder);
    expect(expected.split('\n').length).toBeGreaterThan(archiveLines.length);
    for (const jobs of ['1', '2', '3']) {
      const r = tool(['--jobs', jobs, tree]);
      expect(text(r.stderr)).toBe('');
      expect(r.status).toBe(0);
      expect(text(r.stdout), `--jobs ${jobs}`).toBe(expected);
    }
  });

  it('--format=jsonl and --columns=all: --jobs 3 is byte-identical to --jobs 1', () => {
    for (const args of [['--format=jsonl'], ['--columns=all']]) {
      const one = tool([...args, '--jobs', '1', tree]);
      const three = tool([...args, '--jobs', '3', tree]);
      expect(one.status).toBe(0);
      expect(one.stdout.length).toBeGreaterThan(0);
      expect(three.stdout.equals(one.stdout), args.join(' ')).toBe(true);
    }
  });

  it('--format=parquet: --jobs 2 holds the same values in the same order as --jobs 1', async () => {
    const one = join(dir, 'one.parquet');
    const two = join(dir, 'two.parquet');
    expect(tool(['--format=parquet', '--jobs', '1', '-o', one, tree]).status).toBe(0);
    expect(tool(['--format=parquet', '--jobs', '2', '-o', two, tree]).status).toBe(0);
    const a = await readParquet(one);
    const b = await readParquet(two);
    expect(b.names).toEqual(a.names);
    expect(a.rows.length).toBe((await expectedCsv(walkOrder)).trimEnd().split('\n').length - 1);
    expect(b.rows).toEqual(a.rows);
  });

  it('--files-from: a file of lines (CRLF too), or NUL-separated on standard input, after the arguments', async () => {
    const list = walkOrder.slice(3);
    const listFile = join(dir, 'list.txt');
    writeFileSync(listFile, list.join('\r\n') + '\r\n\n');
    const expected = await expectedCsv([walkOrder[0]!, ...list]);
    const fromFile = tool(['--jobs', '2', '--files-from', listFile, walkOrder[0]!]);
    expect(text(fromFile.stderr)).toBe('');
    expect(text(fromFile.stdout)).toBe(expected);
    const fromStdin = tool(['--jobs', '2', '--files-from=-', walkOrder[0]!], list.join('\0') + '\0');
    expect(text(fromStdin.stdout)).toBe(expected);
  });

  it('-o writes the file (same bytes as standard output, nothing on it); --no-header leaves out exactly the header line', async () => {
    const out = join(dir, 'out.csv');
    const r = tool(['--jobs', '2', '-o', out, tree]);
    expect(r.status).toBe(0);
    expect(r.stdout.length).toBe(0);
    const expected = await expectedCsv(walkOrder);
    expect(readFileSync(out, 'utf8')).toBe(expected);
    const bare = tool(['--jobs', '2', '--no-header', tree]);
    expect(text(bare.stdout)).toBe(expected.slice(expected.indexOf('\n') + 1));
  });

  it('-o into a directory that does not exist, or onto a full disk: one line naming the file, exit 1', () => {
    const nowhere = join(dir, 'no-such-dir', 'out.csv');
    const r = tool(['-o', nowhere, NDT]);
    expect(r.status).toBe(1);
    expect(text(r.stderr)).toBe(`tcpinfo-csv: ${nowhere}: cannot write: ENOENT\n`);
    const full = tool(['--format=parquet', '-o', '/dev/full', NDT]);
    expect(full.status).toBe(1);
    expect(text(full.stderr)).toBe('tcpinfo-csv: /dev/full: cannot write: ENOSPC\n');
  });

  it('standard input among the files keeps its place', async () => {
    const piece = archiveLines.slice(0, 5).join('\n') + '\n';
    const r = tool(['--jobs', '2', NDT, '-', FINWAIT2], piece);
    const pieceCsv = text(tool(['--no-header', '--jobs', '1'], piece).stdout);
    expect(text(r.stdout)).toBe(await expectedCsv([NDT]) + pieceCsv + (await rowsOf(FINWAIT2)));
  });

  it('a --files-from list that cannot be read: one line naming it, exit 1', () => {
    const r = tool(['--jobs', '2', '--files-from', join(dir, 'no-list.txt'), NDT]);
    expect(r.status).toBe(1);
    expect(text(r.stderr)).toBe(`tcpinfo-csv: ${join(dir, 'no-list.txt')}: cannot read the list: ENOENT\n`);
  });

  it('a directory of one archive, or of none, with --jobs 2: the worker started early is stopped and the run ends', () => {
    // The first worker starts before the inputs are listed (worker-spawn.ts); a run that turns out to
    // need none must still end: a live worker would keep the process up until spawnSync's timeout.
    const one = join(dir, 'one');
    mkdirSync(one, { recursive: true });
    writeFileSync(join(one, 'only.jsonl'), archiveLines.slice(0, 3).join('\n') + '\n');
    const empty = join(dir, 'empty');
    mkdirSync(empty, { recursive: true });
    for (const [d, rows] of [[one, 3], [empty, 0]] as const) {
      const r = spawnSync(process.execPath, [bin, '--jobs', '2', d], { timeout: 60_000 });
      expect(r.error, d).toBeUndefined();
      expect(text(r.stderr)).toBe('');
      expect(r.status).toBe(0);
      expect(text(r.stdout).trimEnd().split('\n')).toHaveLength(rows + 1);
    }
  });

  it('--jobs must be a whole number of 1 or more', () => {
    const r = tool(['--jobs', '0', NDT]);
    expect(r.status).toBe(1);
    expect(text(r.stderr)).toMatch(/--jobs.*a whole number of 1 or more/);
  });
});

describe('a bad input among many', () => {
  let corrupt = '';
  let missing = '';
  beforeAll(() => {
    // Damage in the middle of the second half: rows before it are readable.
    const size = readFileSync(ARCHIVE).length;
    corrupt = flippedCopy(ARCHIVE, dir, 'corrupt.jsonl.zst', Math.floor(size * 0.6), 8);
    missing = join(dir, 'no-such-file.jsonl.zst');
  });

  it('the damaged copy is damaged (zstd -t says so)', () => {
    expect(zstdSaysSound(corrupt)).toBe(false);
  });

  for (const jobs of ['1', '3']) {
    it(`stops at the first (--jobs ${jobs}): exit 1, one line naming it, the inputs before it complete, nothing after`, async () => {
      const inputs = [NDT, FINWAIT2, missing, NDT, FINWAIT2, ...walkOrder];
      const r = tool(['--jobs', jobs, ...inputs]);
      expect(r.status).toBe(1);
      expect(text(r.stderr)).toBe(`tcpinfo-csv: ${missing}: cannot read: ENOENT\n`);
      expect(text(r.stdout)).toBe(await expectedCsv([NDT, FINWAIT2]));
    });

    it(`a corrupt .zst stops the run (--jobs ${jobs}): its rows before the damage kept, nothing of later inputs`, async () => {
      const r = tool(['--jobs', jobs, NDT, corrupt, FINWAIT2, ...walkOrder]);
      expect(r.status).toBe(1);
      expect(text(r.stderr)).toMatch(new RegExp(`^tcpinfo-csv: ${corrupt}: corrupt zstd data`));
      const before = await expectedCsv([NDT]);
      const out = text(r.stdout);
      expect(out.startsWith(before)).toBe(true);
      // What follows is a prefix of the sound file's rows: never a row of a later input.
      const soundRows = (await rowsOf(ARCHIVE));
      const rest = out.slice(before.length);
      expect(soundRows.startsWith(rest)).toBe(true);
    });

    it(`--skip-invalid (--jobs ${jobs}): bad inputs reported and counted at the end, every other input converted`, async () => {
      const inputs = [NDT, missing, corrupt, FINWAIT2];
      const r = tool(['--skip-invalid', '--jobs', jobs, ...inputs]);
      expect(r.status).toBe(0);
      const err = text(r.stderr);
      expect(err).toContain(`tcpinfo-csv: skipped input: ${missing}: cannot read: ENOENT\n`);
      expect(err).toMatch(new RegExp(`tcpinfo-csv: skipped input: ${corrupt}: corrupt zstd data`));
      expect(err).toMatch(/tcpinfo-csv: skipped 2 of 4 input\(s\)\n$/);
      const out = text(r.stdout);
      const ndt = await expectedCsv([NDT]);
      const finwait2 = (await rowsOf(FINWAIT2));
      expect(out.startsWith(ndt)).toBe(true);
      expect(out.endsWith(finwait2)).toBe(true);
      const middle = out.slice(ndt.length, out.length - finwait2.length);
      expect((await rowsOf(ARCHIVE)).startsWith(middle)).toBe(true);
    });
  }

  it('--format=parquet stopped by a bad input: the file is complete and readable, with the rows of the inputs before it', async () => {
    const out = join(dir, 'stopped.parquet');
    const r = tool(['--format=parquet', '--jobs', '2', '-o', out, NDT, FINWAIT2, missing, NDT]);
    expect(r.status).toBe(1);
    const rows = (await expectedCsv([NDT, FINWAIT2])).trimEnd().split('\n').length - 1;
    expect((await readParquet(out)).rows).toHaveLength(rows);
  });
});
