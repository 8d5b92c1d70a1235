import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decompress, compress } from 'zstd-napi';
import { ArchivalRecord, GoTime, readRawMessages } from '@tcpinfo/netlink';
import { convert, EXTRA_COLUMNS, ORIGINAL_COLUMN_NAMES } from '../src/index.js';

const dir = fileURLToPath(new URL('./fixtures/', import.meta.url));
const FILES = [
  'archiveRecords.jsonl.zst',
  'finwait2-sample_1554836592_unsafe_000000000135A272.00000.jsonl.zst',
  'ndt-jdczh_1553815964_00000000000003E8.00183.jsonl.zst',
];

async function run(inputs: string[], extra: Partial<Parameters<typeof convert>[0]> = {}) {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const result = await convert({ inputs, output: out, ...extra });
  return { text: Buffer.concat(chunks).toString('utf8'), result };
}

describe('byte-exact CSV (the reference files are the spec)', () => {
  it.each(FILES)('%s from the file', async (name) => {
    const { text } = await run([join(dir, name)]);
    expect(text).toBe(readFileSync(join(dir, name + '.csv'), 'utf8'));
  });
  it.each(FILES)('%s from stdin, uncompressed', async (name) => {
    const plain = decompress(readFileSync(join(dir, name)));
    const { text } = await run(['-'], { stdin: Readable.from([plain]) });
    expect(text).toBe(readFileSync(join(dir, name + '.csv'), 'utf8'));
  });
  it('105 columns, quirks included', () => {
    const names = ORIGINAL_COLUMN_NAMES;
    expect(names).toHaveLength(105);
    expect(names.filter((n) => n === 'TCP.LastDataRecv')).toHaveLength(2);
    expect(names).toContain('SKMemInfo.Sndbug');
  });
});

describe('inputs and errors', () => {
  it('several files give one header line', async () => {
    const { text, result } = await run(FILES.map((f) => join(dir, f)));
    const lines = text.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('Timestamp,'))).toHaveLength(1);
    const expected = FILES.map((f) => readFileSync(join(dir, f + '.csv'), 'utf8').trim().split('\n').length - 1).reduce((a, b) => a + b);
    expect(result.rows).toBe(expected);
  });
  it('empty input prints just the header', async () => {
    const { text } = await run(['-'], { stdin: Readable.from([]) });
    expect(text).toBe(ORIGINAL_COLUMN_NAMES.join(',') + '\n');
  });
  it('a named pipe (as from <(zstdcat …)) is streamed, not read as an empty small file', async () => {
    const work = mkdtempSync(join(tmpdir(), 'csv-fifo-'));
    const fifo = join(work, 'in.jsonl.zst');
    execFileSync('mkfifo', [fifo]);
    const name = FILES[0]!;
    // Another process writes it (its open waits for the converter's).
    const writer = spawn('sh', ['-c', 'cat "$1" > "$2"', 'sh', join(dir, name), fifo], { stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => writer.on('exit', resolve));
    const { text } = await run([fifo]);
    expect(await exited).toBe(0);
    expect(text).toBe(readFileSync(join(dir, name + '.csv'), 'utf8'));
  });
  it('a missing file is an error naming it', async () => {
    await expect(run(['/nonexistent/x.jsonl'])).rejects.toThrow('/nonexistent/x.jsonl: cannot read: ENOENT');
  });
  it('a bad line is an error naming file and line; --skip-invalid counts it instead', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'csv-'));
    const lines = decompress(readFileSync(join(dir, FILES[2]!))).toString().split('\n');
    lines.splice(3, 0, '{"Timestamp": "not a time"}');
    const bad = join(tmp, 'bad.jsonl');
    writeFileSync(bad, lines.join('\n'));
    await expect(run([bad])).rejects.toThrow(`${bad}:4: not an ArchivalRecord`);
    const { result } = await run([bad], { skipInvalid: true });
    expect(result.skipped).toBe(1);
    expect(result.skippedExamples[0]).toContain(':4:');
  });
  it('a zstd file cut inside its last frame gives the rows of the complete frames, then an error', async () => {
    const plain = decompress(readFileSync(join(dir, FILES[2]!))).toString();
    const lines = plain.trimEnd().split('\n');
    const first = compress(Buffer.from(lines.slice(0, 5).join('\n') + '\n'));
    const second = compress(Buffer.from(lines.slice(5).join('\n') + '\n'));
    const tmp = mkdtempSync(join(tmpdir(), 'csv-'));
    const cut = join(tmp, 'cut.jsonl.zst');
    writeFileSync(cut, Buffer.concat([first, second.subarray(0, second.length - 10)]));
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    await expect(convert({ inputs: [cut], output: out })).rejects.toMatchObject({ code: 'TRUNCATED_ZSTD' });
    const rows = Buffer.concat(chunks).toString().trim().split('\n');
    expect(rows.length - 1).toBeGreaterThanOrEqual(5);
  });
});

describe('live 6.18 records (280-byte tcp_info, attributes 21 and 22)', () => {
  const raw = decompress(readFileSync(join(dir, 'kernel-6.18-messages.bin.zst')));
  const jsonl = readRawMessages(raw)
    .map((m) => ArchivalRecord.fromMessage(m.payload, GoTime.fromUnixNanos(1_764_000_000_123_456_789n))!.toJSONLine())
    .join('\n');

  it('NotFullyParsed is what the original computes: INFO (longer than 232) and types above 18', async () => {
    const { text } = await run(['-'], { stdin: Readable.from([Buffer.from(jsonl)]) });
    const rows = text.trim().split('\n').slice(1).map((l) => l.split(','));
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      const observed = Number(row[1]);
      const nfp = Number(row[2]);
      expect(observed & (1 << 1)).not.toBe(0); // INFO present
      expect(observed & (1 << 20)).not.toBe(0); // CGROUP_ID (21)
      expect(observed & (1 << 21)).not.toBe(0); // SOCKOPT (22)
      expect(nfp & (1 << 1)).not.toBe(0); // 280 > 232
      expect(nfp & (1 << 20)).not.toBe(0);
      expect(nfp & (1 << 21)).not.toBe(0);
      expect(nfp & (1 << 0)).toBe(0); // MEMINFO fits
    }
  });

  it('--columns=all shows every new field', async () => {
    const { text } = await run(['-'], { stdin: Readable.from([Buffer.from(jsonl)]), columns: 'all' });
    const [header, ...rows] = text.trim().split('\n');
    const names = header!.split(',');
    expect(names).toHaveLength(105 + EXTRA_COLUMNS.length);
    for (const col of ['TCP.RcvWnd', 'TCP.Rehash', 'TCP.TotalRto', 'TCP.AccecnOptSeen', 'CGroupID', 'SockOpt', 'TCP.InfoLength']) {
      expect(names).toContain(col);
    }
    const at = (row: string, col: string) => row.split(',')[names.indexOf(col)];
    for (const row of rows) {
      expect(at(row, 'TCP.InfoLength')).toBe('280');
      expect(at(row, 'TCP.RcvWnd')).toMatch(/^\d+$/);
      expect(at(row, 'TCP.AccecnOptSeen')).toMatch(/^\d+$/);
      expect(at(row, 'CGroupID')).toMatch(/^\d+$/);
    }
  });

  it('--format=jsonl writes decoded snapshots that other languages parse (64-bit values as numbers when exact)', async () => {
    const { text } = await run(['-'], { stdin: Readable.from([Buffer.from(jsonl)]), format: 'jsonl' });
    const py = execFileSync('python3', ['-c', 'import json,sys\nfor l in sys.stdin:\n  d=json.loads(l); print(d["tcpInfo"]["bytesAcked"], d["idm"]["id"]["cookie"], d["tcpInfo"]["length"])'], { input: text, encoding: 'utf8' });
    const first = py.trim().split('\n')[0]!.split(' ');
    expect(first[0]).toMatch(/^\d+$/);
    expect(first[1]).toMatch(/^\d+$/);
    expect(first[2]).toBe('280');
  });
});

describe('64-bit columns', () => {
  it('print exactly beyond 2^53 and as signed values (all ones is -1)', async () => {
    const idm = Buffer.alloc(72);
    idm[0] = 2;
    idm[1] = 1;
    const info = Buffer.alloc(232);
    info.writeBigUInt64LE(0xffffffffffffffffn, 104); // pacing rate: -1
    info.writeBigUInt64LE(2n ** 62n + 12345n, 120); // bytes acked beyond 2^53
    info.writeBigUInt64LE(2n ** 53n + 1n, 128); // bytes received: first integer a double cannot hold
    const line = JSON.stringify({ Timestamp: '2019-04-02T14:12:37.511Z', RawIDM: idm.toString('base64'), Attributes: [null, null, info.toString('base64')] });
    const { text } = await run(['-'], { stdin: Readable.from([Buffer.from(line + '\n')]) });
    const [header, row] = text.trim().split('\n');
    const col = (name: string) => row!.split(',')[header!.split(',').indexOf(name)];
    expect(col('TCP.PacingRate')).toBe('-1');
    expect(col('TCP.BytesAcked')).toBe(String(2n ** 62n + 12345n));
    expect(col('TCP.BytesReceived')).toBe(String(2n ** 53n + 1n));
  });
});
