import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { convertInputs } from '../src/index.js';
import { duck, readParquet, timestampNanos } from './parquet-read.js';

// tcpinfo-csv --format=parquet, read back by DuckDB (an independent reader),
// against the CSV of the same input, value by value, for every file of the
// shared test data.

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const testdata = resolve(fileURLToPath(new URL('../../../', import.meta.url)), '../shared/testdata');
const dir = mkdtempSync(join(tmpdir(), 'csv-parquet-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const archives = existsSync(testdata) ? readdirSync(testdata).filter((n) => n.endsWith('.jsonl.zst')) : [];

function tool(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
}

/** Bits of DuckDB's unsigned integer types. */
const UNSIGNED_BITS: Record<string, bigint> = { UTINYINT: 8n, USMALLINT: 16n, UINTEGER: 32n, UBIGINT: 64n };

/** RFC 3339 text with up to 9 fraction digits as nanoseconds since the epoch (independent of the tool's parser). */
function nanosOfText(text: string): bigint {
  const m = /^(.*?)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(text);
  if (m === null) throw new Error(`timestamp ${text}`);
  const ms = Date.parse(`${m[1]}${m[3]}`);
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

/**
 * Checks a CSV field against DuckDB's value of its column: empty is NULL;
 * integers are the printed value modulo 2^width (the kernel's unsigned
 * value: the original prints some 64-bit counters signed), the cookie is hex;
 * text is equal; the timestamp equal to the microsecond (DuckDB's TIMESTAMPTZ).
 */
function expectSame(name: string, type: string, text: string, value: unknown, where: string): void {
  if (text === '') {
    expect(value, where).toBeNull();
    return;
  }
  const bits = UNSIGNED_BITS[type];
  if (bits !== undefined) {
    const printed = name === 'IDM.SockID.Cookie' ? BigInt('0x' + text) : BigInt(text);
    expect(BigInt(value as number | bigint), where).toBe(BigInt.asUintN(Number(bits), printed));
  } else if (type === 'VARCHAR') {
    expect(value, where).toBe(text);
  } else if (type === 'TIMESTAMP WITH TIME ZONE') {
    expect((value as { micros: bigint }).micros, where).toBe(nanosOfText(text) / 1000n);
  } else {
    throw new Error(`${where}: unexpected type ${type}`);
  }
}

/** Compares a Parquet file with a CSV of no quoted fields (the reference CSVs have none). */
async function expectParquetEqualsCsv(parquet: string, csv: string): Promise<void> {
  const lines = csv.trimEnd().split('\n');
  const header = lines[0]!.split(',');
  const table = await readParquet(parquet);
  // The CSV's names, a repeated one suffixed.
  const seen = new Map<string, number>();
  const expectedNames = header.map((n) => {
    const k = (seen.get(n) ?? 0) + 1;
    seen.set(n, k);
    return k === 1 ? n : `${n}_${k}`;
  });
  expect(table.names).toEqual(expectedNames);
  expect(table.rows).toHaveLength(lines.length - 1);
  const nanos = await timestampNanos(parquet);
  for (let r = 1; r < lines.length; r++) {
    const fields = lines[r]!.split(',');
    expect(fields).toHaveLength(header.length);
    const row = table.rows[r - 1]!;
    for (let c = 0; c < header.length; c++) expectSame(header[c]!, table.types[c]!, fields[c]!, row[c], `row ${r} ${expectedNames[c]}`);
    expect(nanos[r - 1], `row ${r} Timestamp in ns`).toBe(nanosOfText(fields[0]!));
  }
}

describe('tcpinfo-csv --format=parquet', () => {
  it('the shared test data is there', () => {
    expect(archives.length).toBeGreaterThanOrEqual(3);
  });

  for (const name of archives) {
    it(`${name}: every value equals the reference CSV's`, async () => {
      const out = join(dir, `${name}.parquet`);
      const r = tool(['--format=parquet', '-o', out, join(testdata, name)]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      await expectParquetEqualsCsv(out, readFileSync(join(testdata, `${name}.csv`), 'utf8'));
    });

    it(`${name}: --columns=all equals the CSV of --columns=all`, async () => {
      const out = join(dir, `${name}.all.parquet`);
      expect(tool(['--format=parquet', '--columns=all', '-o', out, join(testdata, name)]).status).toBe(0);
      const csv = tool(['--columns=all', join(testdata, name)]);
      expect(csv.status).toBe(0);
      expect(csv.stdout).not.toContain('"'); // the comparison splits on commas
      await expectParquetEqualsCsv(out, csv.stdout);
    });
  }

  it('types: kernel widths, unsigned; Timestamp is TIMESTAMP(NANOS, UTC); zstd pages', async () => {
    const out = join(dir, 'types.parquet');
    expect(tool(['--format=parquet', '-o', out, testdata]).status).toBe(0);
    const schema = await duck(`SELECT name, type, converted_type, logical_type FROM parquet_schema('${out}')`);
    const byName = new Map(schema.rows.map((r) => [r[0] as string, r.slice(1).map(String)]));
    expect(byName.get('Timestamp')?.[0]).toBe('INT64');
    expect(byName.get('Timestamp')?.[2]).toMatch(/TimestampType\(isAdjustedToUTC=1, unit=TimeUnit\(.*NANOS=NanoSeconds\(\)/);
    expect(byName.get('TCP.BytesAcked')?.slice(0, 2)).toEqual(['INT64', 'UINT_64']);
    expect(byName.get('TCP.RTT')?.slice(0, 2)).toEqual(['INT32', 'UINT_32']);
    expect(byName.get('TCP.State')?.slice(0, 2)).toEqual(['INT32', 'UINT_8']);
    expect(byName.get('IDM.SockID.SPort')?.slice(0, 2)).toEqual(['INT32', 'UINT_16']);
    expect(byName.get('IDM.SockID.Src')?.slice(0, 2)).toEqual(['BYTE_ARRAY', 'UTF8']);
    expect(byName.has('TCP.LastDataRecv_2')).toBe(true);
    const codecs = await duck(`SELECT DISTINCT compression FROM parquet_metadata('${out}')`);
    expect(codecs.rows.map((r) => r[0])).toEqual(['ZSTD']);
    // The CSV's -1 (the original prints the u64 signed) is the kernel's all-ones "unlimited".
    const max = await duck(`SELECT max("TCP.MaxPacingRate") FROM '${out}'`);
    expect(max.rows[0]![0]).toBe(2n ** 64n - 1n);
  });

  it("Timestamp statistics: each row group's min and max are its rows' (time-range pruning); no other column has any", async () => {
    const out = join(dir, 'stats.parquet');
    expect(tool(['--format=parquet', '-o', out, testdata]).status).toBe(0);
    const stats = await duck(
      `SELECT row_group_id, path_in_schema, stats_min_value, stats_max_value, stats_null_count FROM parquet_metadata('${out}') WHERE stats_min_value IS NOT NULL OR stats_max_value IS NOT NULL ORDER BY 1`,
    );
    expect(new Set(stats.rows.map((r) => r[1]))).toEqual(new Set(['Timestamp']));
    // Rows in file order (one DuckDB thread), so row group g holds rows [start, start + n).
    const groups = await duck(`SELECT row_group_id, any_value(row_group_num_rows) FROM parquet_metadata('${out}') GROUP BY 1 ORDER BY 1`);
    expect(stats.rows).toHaveLength(groups.rows.length);
    const nanos = await timestampNanos(out);
    let start = 0;
    for (const [g, n] of groups.rows.map((r) => [Number(r[0]), Number(r[1])] as const)) {
      const values = nanos.slice(start, start + n).filter((v): v is bigint => v !== null);
      start += n;
      const min = values.reduce((a, b) => (b < a ? b : a));
      const max = values.reduce((a, b) => (b > a ? b : a));
      const row = stats.rows.find((r) => Number(r[0]) === g)!;
      // DuckDB prints the statistics as TIMESTAMPTZ text (microseconds): compare to the microsecond.
      const micros = (text: unknown) => BigInt(Date.parse(String(text).replace(' ', 'T').replace(/\+00$/, 'Z'))) * 1000n + BigInt((/\.\d{3}(\d{3})/.exec(String(text))?.[1]) ?? '0');
      expect(micros(row[2])).toBe(min / 1000n);
      expect(micros(row[3])).toBe(max / 1000n);
      expect(Number(row[4])).toBe(n - values.length);
    }
  });

  it('row groups of the set size across inputs: every group full but the last, every row kept in order', async () => {
    const out = join(dir, 'groups.parquet');
    const input = join(testdata, archives[0]!);
    const rows = readFileSync(`${input}.csv`, 'utf8').trimEnd().split('\n').length - 1;
    const r = await convertInputs({ args: Array<string>(40).fill(input), output: createWriteStream(out), format: 'parquet', columns: 'original', skipInvalid: false, jobs: 1, rowGroupRows: 1000 });
    expect(r.rows).toBe(40 * rows);
    const groups = await duck(`SELECT row_group_id, any_value(row_group_num_rows) FROM parquet_metadata('${out}') GROUP BY 1 ORDER BY 1`);
    const sizes = groups.rows.map((g) => Number(g[1]));
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(40 * rows);
    expect(sizes).toHaveLength(Math.ceil((40 * rows) / 1000));
    for (const n of sizes.slice(0, -1)) expect(n).toBe(1000);
    const table = await readParquet(out);
    expect(table.rows).toHaveLength(40 * rows);
    expect(String(table.rows[rows]![11])).toBe(String(table.rows[0]![11]));
    expect(String(table.rows[39 * rows]![0])).toBe(String(table.rows[0]![0]));
  });
});
