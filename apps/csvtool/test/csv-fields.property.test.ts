import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvFieldSplitter, csvField, fieldText } from '../src/index.js';

// The Parquet output reads back the CSV text tcpinfo-csv writes: any rows that
// csvField quotes (commas, quotes, newlines, leading spaces, UTF-8), cut into
// chunks anywhere (even inside a UTF-8 character or a quote pair), split into
// the same fields.

/** Splits `text` cut at `cuts` and returns the rows of field texts. */
function split(bytes: Buffer, cuts: number[]): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  const splitter = new CsvFieldSplitter({
    field: (i, b, s, e, q) => {
      row[i] = fieldText(b, s, e, q);
    },
    endRow: (n) => {
      rows.push(row.slice(0, n));
      row = [];
    },
  });
  let at = 0;
  for (const c of [...cuts].sort((a, b) => a - b)) {
    splitter.push(bytes.subarray(at, c));
    at = c;
  }
  splitter.push(bytes.subarray(at));
  splitter.end();
  return rows;
}

const field = fc.oneof(fc.string({ unit: 'grapheme' }), fc.constantFrom('', ' x', '"', '""', ',', '\n', '\r\n', 'a,b', '\\.'), fc.nat().map(String));

describe('CsvFieldSplitter', () => {
  it('gives back the fields csvField wrote, whatever the chunk boundaries', () => {
    fc.assert(
      fc.property(fc.array(fc.array(field, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 6 }), (rows, cutSeeds) => {
        // A row of one empty field prints as an empty line, which reads back as one empty field too.
        const text = rows.map((r) => r.map(csvField).join(',') + '\n').join('');
        const bytes = Buffer.from(text, 'utf8');
        const cuts = cutSeeds.map((c) => c % (bytes.length + 1));
        expect(split(bytes, cuts)).toEqual(rows);
      }),
      { numRuns: 500 },
    );
  });

  it('a last row without a newline is a row', () => {
    expect(split(Buffer.from('a,b\nc,"d\ne"'), [5])).toEqual([['a', 'b'], ['c', 'd\ne']]);
  });
});
