import { readdirSync, readFileSync } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArchivalRecord } from '@tcpinfo/netlink';
import {
  ALL_EXTRA_COLUMNS, CSV_COLUMNS, decodeRecord, KEY_COLUMNS, ORIGINAL_COLUMN_NAMES, readConnection, readSnapshots, toCsv,
  type CsvSourceItem, type ToCsvOptions,
} from '../src/index.js';
import { relay, text } from './csv-chunks.js';

// toCsv: the original csvtool's CSV from readSnapshots, byte for byte, on
// every sample file; the byte-level path (readSnapshots handed over whole)
// and the flexible path (column table + csv-stringify, for any source) agree
// on generated records for every column set.

const TESTDATA = new URL('../../../../shared/testdata/', import.meta.url);
const samples = readdirSync(TESTDATA).filter((f) => f.endsWith('.jsonl.zst') && readdirSync(TESTDATA).includes(`${f}.csv`));


describe('toCsv over readSnapshots of the sample files', () => {
  it('finds the samples', () => expect(samples.length).toBeGreaterThanOrEqual(3));

  it.each(samples)('%s: byte-identical to the original csvtool, on both paths', async (name) => {
    const path = new URL(name, TESTDATA).pathname;
    const reference = readFileSync(`${path}.csv`, 'utf8');
    expect(await text(toCsv(readSnapshots(path)))).toBe(reference);
    expect(await text(toCsv(relay(readSnapshots(path))))).toBe(reference);
    // A plain array of what readSnapshots yields (sync iterable).
    const items: CsvSourceItem[] = [];
    for await (const x of readSnapshots(path)) items.push(x);
    expect(await text(toCsv(items))).toBe(reference);
  });

  it('streams into a Writable with Readable.from', async () => {
    const path = new URL(samples[0]!, TESTDATA).pathname;
    const chunks: Buffer[] = [];
    await pipeline(Readable.from(toCsv(readSnapshots(path))), new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(c), cb()) }));
    expect(Buffer.concat(chunks).toString()).toBe(readFileSync(`${path}.csv`, 'utf8'));
  });

  it('names columns: UUID from the header record, File from the input, any column of the table, in the order given', async () => {
    const path = new URL('ndt-jdczh_1553815964_00000000000003E8.00183.jsonl.zst', TESTDATA).pathname;
    const csv = await text(toCsv(readSnapshots(path), { columns: ['UUID', 'File', 'TCP.RTT', 'TCP.BytesAcked', 'IDM.SockID.Cookie'] }));
    const lines = csv.trimEnd().split('\n');
    expect(lines[0]).toBe('UUID,File,TCP.RTT,TCP.BytesAcked,IDM.SockID.Cookie');
    const { snapshots } = await readConnection(path);
    expect(lines).toHaveLength(1 + 1 + snapshots.length); // the header record prints a row too, as in the original
    const last = lines.at(-1)!.split(',');
    expect(last.slice(0, 2)).toEqual(['ndt-jdczh_1553815964_00000000000003E8', path]);
    expect(last[2]).toBe(String(snapshots.at(-1)!.tcpInfo!.rtt));
    expect(last[3]).toBe(String(snapshots.at(-1)!.tcpInfo!.bytesAcked));
    expect(last[4]).toBe(snapshots.at(-1)!.idm!.id.cookieHex.replace(/^0+(?=.)/, ''));
    await expect(toCsv([], { columns: ['TCP.Nope'] }).next()).rejects.toThrow(/unknown CSV column "TCP.Nope"/);
  });

  it('every column of the table has a unique name, a type and a value', () => {
    expect(CSV_COLUMNS.size).toBe(new Set([...ORIGINAL_COLUMN_NAMES, ...ALL_EXTRA_COLUMNS.map((c) => c.name), ...KEY_COLUMNS.map((c) => c.name)]).size);
    expect(ORIGINAL_COLUMN_NAMES).toHaveLength(105);
  });
});

/** Lines as Go writes them from odd parts: any attribute values (a congestion name with commas, quotes, spaces …). */
const b64 = (v: Uint8Array) => Buffer.from(v).toString('base64');
const value = fc.oneof(
  fc.uint8Array({ maxLength: 40 }),
  fc.constantFrom(' cubic\0', 'a,b\0', 'q"q\0', '\\.\0', 'bbr\0', 'x\ry\0', 'é\0').map((s) => Buffer.from(s)),
  fc.integer({ min: 226, max: 290 }).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
);
const snapshotLine = fc
  .record({
    ms: fc.integer({ min: 0, max: 2 ** 40 }),
    idm: fc.uint8Array({ minLength: 72, maxLength: 72 }),
    attrs: fc.array(fc.option(value, { freq: 3 }), { maxLength: 24 }),
  })
  .map(({ ms, idm, attrs }) => `{"Timestamp":"${new Date(ms).toISOString()}","RawIDM":"${b64(idm)}","Attributes":[${attrs.map((v) => (v === null ? 'null' : `"${b64(v)}"`)).join(',')}]}`)
  .filter((l) => {
    try {
      decodeRecord(ArchivalRecord.parseLine(l));
      return true;
    } catch {
      return false;
    }
  });
const header = (uuid: string) => `{"Timestamp":"0001-01-01T00:00:00Z","Metadata":{"UUID":${JSON.stringify(uuid)},"Sequence":0,"StartTime":"2019-04-01T07:42:37.371Z"}}`;
const file = fc.array(fc.oneof({ arbitrary: snapshotLine, weight: 8 }, { arbitrary: fc.constantFrom('h1_00000000000003E8', 'h 2,"x"').map(header), weight: 1 }), { maxLength: 12 });

describe('the byte-level path == the flexible path (column table + csv-stringify)', () => {
  const sets: ToCsvOptions['columns'][] = ['original', 'all', [...ORIGINAL_COLUMN_NAMES, 'UUID', 'File'], [...ORIGINAL_COLUMN_NAMES, ...ALL_EXTRA_COLUMNS.map((c) => c.name), 'UUID', 'File']];
  it.each(sets.map((columns, i) => ({ columns, i })))('column set #$i', async ({ columns }) => {
    await fc.assert(
      fc.asyncProperty(file, async (lines) => {
        const input = Buffer.from(lines.join('\n') + '\n');
        const options = { sourceName: 'gen "a,b".jsonl' };
        const fast = await text(toCsv(readSnapshots(input, options), { columns }));
        const flexible = await text(toCsv(relay(readSnapshots(input, options)), { columns }));
        expect(fast).toBe(flexible);
        expect(fast.split('\n').length).toBeGreaterThanOrEqual(lines.length + 1);
      }),
      { numRuns: 150 },
    );
  });
});
