import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decompress } from 'zstd-napi';
import { csvColumns, KEY_COLUMNS, LineConverter, readLineBytesBatches, type CsvColumn } from '@tcpinfo/parse';
import { ColumnBatchBuilder, type ColumnBatch } from '../src/parquet-batch.js';
import { TimestampWords, TYPED_FIELDS } from '../src/parquet-typed.js';
import { timestampNanos } from '../src/parquet-values.js';

// The typed readers (parquet-typed.ts: values straight from the record's
// bytes, by the column table's SlotField) against the column getters (the
// CSV's values): both builders are fed the same rows, and every column of
// every row must be equal, for every sample file and for generated records
// (odd timestamps, absent and short attributes, addresses that change or repeat).

const testdata = resolve(fileURLToPath(new URL('../../../', import.meta.url)), '../shared/testdata');
const samples = readdirSync(testdata).filter((n) => n.endsWith('.jsonl.zst'));

/** The batches of the typed builder and of the getter builder for the same input lines. */
async function bothBatches(text: Buffer, columns: readonly CsvColumn[], all: boolean): Promise<{ typed: ColumnBatch; getters: ColumnBatch; rows: number }> {
  const typed = new ColumnBatchBuilder(columns, 16, true);
  const getters = new ColumnBatchBuilder(columns, 16, false);
  const converter = new LineConverter(null, {
    all,
    jsonl: false,
    keys: true,
    onInvalid: () => {},
    rows: (row) => {
      typed.add(row);
      getters.add(row);
    },
  });
  let rows = 0;
  for await (const batch of readLineBytesBatches(Readable.from([text]), { sourceName: 'x' })) rows += converter.convertBytesBatch(batch);
  return { typed: typed.take(), getters: getters.take(), rows };
}

function expectSameBatches(typed: ColumnBatch, getters: ColumnBatch, columns: readonly CsvColumn[]): void {
  expect(typed.rows).toBe(getters.rows);
  columns.forEach((c, i) => expect(typed.columns[i], c.name).toEqual(getters.columns[i]));
}

const pad2 = (n: number) => String(n).padStart(2, '0');
/** Timestamps: the plain UTC form (0 to 9 fraction digits), offsets, the zero time, years before 1970 and after 2242. */
const timestamp = fc.oneof(
  fc
    .record({
      ms: fc.integer({ min: Date.UTC(1, 0, 1), max: Date.UTC(9999, 11, 31) }),
      frac: fc.option(fc.stringMatching(/^[0-9]{1,9}$/)),
      zone: fc.constantFrom('Z', 'Z', 'Z', '+00:00', '-04:00', '+05:30'),
    })
    .map(({ ms, frac, zone }) => {
      const d = new Date(ms);
      const ymd = `${String(d.getUTCFullYear()).padStart(4, '0')}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
      return `${ymd}T${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}${frac === null ? '' : '.' + frac}${zone}`;
    }),
  fc.constant('2019-04-02T14:12:37.511Z'),
  fc.constant('0001-01-01T00:00:00Z'),
);
/** Attribute values of every length that matters (empty, one byte, short and long structs). */
const value = fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.integer({ min: 226, max: 290 }).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })));
/** An inet_diag_msg: random, or one of two fixed ones (so the address cache both hits and misses), or short (none). */
const fixedIdm = (k: number) => Uint8Array.from({ length: 72 }, (_, i) => (i * 7 + k * 13) & 0xff);
const idm = fc.oneof(
  { arbitrary: fc.uint8Array({ minLength: 72, maxLength: 72 }), weight: 3 },
  { arbitrary: fc.constantFrom(fixedIdm(1), fixedIdm(2)), weight: 3 },
  { arbitrary: fc.uint8Array({ maxLength: 40 }), weight: 1 },
);
const b64 = (v: Uint8Array) => Buffer.from(v).toString('base64');
const goLine = fc
  .record({ ts: timestamp, idm, attributes: fc.array(fc.option(value, { freq: 3 }), { maxLength: 30 }) })
  .map(({ ts, idm: raw, attributes }) => `{"Timestamp":"${ts}","RawIDM":"${b64(raw)}","Attributes":[${attributes.map((v) => (v === null ? 'null' : `"${b64(v)}"`)).join(',')}]}`);

describe('Parquet typed readers == column getters', () => {
  it('run on this host (little-endian)', () => expect(TYPED_FIELDS).toBe(true));

  it.each(samples)('%s: every value of every row, original and all columns', async (name) => {
    const text = decompress(readFileSync(resolve(testdata, name)));
    for (const [columns, all] of [[csvColumns('original'), false], [[...csvColumns('all'), ...KEY_COLUMNS], true]] as const) {
      const { typed, getters, rows } = await bothBatches(text, columns, all);
      expect(rows).toBeGreaterThan(10);
      expectSameBatches(typed, getters, columns);
    }
  });

  it('timestamps with a zone offset: the same nanoseconds as timestampNanos, or declined', () => {
    const words = new Uint32Array(2);
    const cases: [string, boolean][] = [
      ['2019-08-26T19:55:42.754686952-04:00', true],
      ['2019-08-26T19:55:42+05:30', true],
      ['2019-08-26T19:55:42.5-00:00', true],
      ['1970-01-01T03:00:00+99:99', false], // before the epoch once the offset is taken off
      ['1970-01-01T00:00:00-04:00', true],
      ['2019-08-26T19:55:42.-04:00', false],
      ['2019-08-26T19:55:42.1234567891-04:00', false],
      ['2019-08-26T19:55:42-0400', false],
    ];
    for (const [text, typed] of cases) {
      const bytes = Buffer.from(text, 'latin1');
      expect(new TimestampWords().put(bytes, bytes.length, words, 0), text).toBe(typed);
      if (typed) expect(new BigInt64Array(words.buffer)[0], text).toBe(timestampNanos(text));
    }
  });

  it('on generated records, in files of several lines', async () => {
    const columns = csvColumns('original');
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(goLine, { minLength: 1, maxLength: 20 }), async (lines) => {
        const { typed, getters, rows } = await bothBatches(Buffer.from(lines.join('\n') + '\n'), columns, false);
        compared += rows; // lines the original rejects are skipped (onInvalid)
        expectSameBatches(typed, getters, columns);
      }),
      { numRuns: 300 },
    );
    expect(compared).toBeGreaterThan(1000);
  });
});
