import { readdirSync, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { decompress } from 'zstd-napi';
import { csvColumns, csvLine, KEY_COLUMNS, LineConverter, readLineBytesBatches, type CsvColumn } from '../src/index.js';

// LineConverter's `rows` option (typed outputs: tcpinfo-csv's Parquet) hands
// over the rows the CSV prints: the column table's values of each row, printed
// as a CSV line, are the reference CSV's lines, on the scanner's path and the
// parsed one (columns 'all' decodes a snapshot per row).

const TESTDATA = new URL('../../../../shared/testdata/', import.meta.url);
const samples = readdirSync(TESTDATA).filter((f) => f.endsWith('.jsonl.zst') && readdirSync(TESTDATA).includes(`${f}.csv`));

async function rowsOf(path: string, columns: readonly CsvColumn[], all: boolean): Promise<string[]> {
  const lines: string[] = [];
  const converter = new LineConverter(null, { all, jsonl: false, keys: true, rows: (row) => lines.push(csvLine(columns.map((c) => c.value(row)))) });
  let counted = 0;
  for await (const batch of readLineBytesBatches(Readable.from([decompress(readFileSync(path))]), { sourceName: path })) counted += converter.convertBytesBatch(batch);
  expect(counted).toBe(lines.length);
  return lines;
}

describe('LineConverter rows', () => {
  it('finds the samples', () => expect(samples.length).toBeGreaterThanOrEqual(3));

  it.each(samples)('%s: the column table\'s values of each row print the reference CSV', async (name) => {
    const path = new URL(name, TESTDATA).pathname;
    const reference = readFileSync(`${path}.csv`, 'utf8').trimEnd().split('\n').slice(1);
    const original = await rowsOf(path, [...csvColumns('original'), ...KEY_COLUMNS], false);
    expect(original.map((l) => l.trimEnd().split(',').slice(0, -2).join(','))).toEqual(reference);
    // The key columns: the file, and the UUID of the header record once it has been read.
    expect(original.at(-1)!.trimEnd().split(',').at(-1)).toBe(path);
    const all = await rowsOf(path, [...csvColumns('all'), ...KEY_COLUMNS], true);
    expect(all.map((l) => l.split(',').slice(0, reference[0]!.split(',').length).join(','))).toEqual(reference);
  });
});
