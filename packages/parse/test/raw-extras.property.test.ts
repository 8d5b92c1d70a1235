import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArchivalRecord } from '@tcpinfo/netlink';
import { INET_DIAG_ATTRIBUTES, INET_DIAG_INFO } from '@tcpinfo/inetdiag';
import { decodeRecord, readSnapshots, toCsv } from '../src/index.js';
import { ByteOutput } from '../src/csv/byte-output.js';
import { writeExtrasFromBytes } from '../src/csv/raw-extras.js';
import { RecordSlots } from '../src/csv/record-slots.js';
import { relay, text } from './csv-chunks.js';

// The byte-level extras of `columns: 'all'` (raw-extras.ts) against the column
// table's (a decoded snapshot per row, csv-stringify): generated records of
// the kinds it prints itself (tcp_info of any length, the attributes only the
// original's columns show), and of the kinds it must hand back.

const b64 = (v: Uint8Array) => Buffer.from(v).toString('base64');
/** Types whose presence keeps a record on the byte-level path: decoded, and not read by an extra column (see raw-extras.ts). */
const PLAIN = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 16];
const tcpInfo = fc.oneof(fc.integer({ min: 0, max: 300 }), fc.constantFrom(0, 104, 168, 192, 224, 232, 248, 288)).chain((n) =>
  fc.oneof(fc.uint8Array({ minLength: n, maxLength: n }), fc.constant(new Uint8Array(n).fill(0xff))),
);
function line(idm: Uint8Array, attrs: (Uint8Array | null)[]): string {
  return `{"Timestamp":"2019-04-01T07:42:37.371Z","RawIDM":"${b64(idm)}","Attributes":[${attrs.map((v) => (v === null ? 'null' : `"${b64(v)}"`)).join(',')}]}`;
}
const plainRecord = fc
  .record({
    idm: fc.uint8Array({ minLength: 72, maxLength: 72 }),
    info: fc.option(tcpInfo, { freq: 5 }),
    others: fc.array(fc.option(fc.uint8Array({ maxLength: 40 }), { freq: 2 }), { minLength: 17, maxLength: 17 }),
    count: fc.integer({ min: 0, max: 17 }),
  })
  .map(({ idm, info, others, count }) => {
    const attrs = others.slice(0, count).map((v, type) => (PLAIN.includes(type) && type !== INET_DIAG_INFO ? v : null));
    if (count > INET_DIAG_INFO) attrs[INET_DIAG_INFO] = info;
    return line(idm, attrs);
  });
/** One attribute the byte-level path must not print (an extra column reads it, or it has no decoder). */
const otherRecord = fc
  .record({ idm: fc.uint8Array({ minLength: 72, maxLength: 72 }), info: tcpInfo, type: fc.constantFrom(0, 11, 12, 13, 14, 17, 18, 19, 20, 21, 22, 23, 30), value: fc.uint8Array({ maxLength: 40 }) })
  .map(({ idm, info, type, value }) => {
    const attrs: (Uint8Array | null)[] = new Array<Uint8Array | null>(Math.max(type, INET_DIAG_INFO) + 1).fill(null);
    attrs[INET_DIAG_INFO] = info;
    attrs[type] = value;
    return line(idm, attrs);
  });

function printsFromBytes(l: string): boolean {
  const slots = new RecordSlots();
  slots.fillFromRecord(ArchivalRecord.parseLine(l));
  return writeExtrasFromBytes(new ByteOutput({ write: () => true, once: () => undefined, off: () => undefined }), slots);
}

describe('columns all: extras from the bytes == extras from the snapshot', () => {
  it('knows every attribute type of the table', () => expect(INET_DIAG_ATTRIBUTES.length).toBe(23));

  it('records of plain attributes print from the bytes, as the column table prints them', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(plainRecord, { minLength: 1, maxLength: 8 }), async (lines) => {
        for (const l of lines) {
          decodeRecord(ArchivalRecord.parseLine(l));
          expect(printsFromBytes(l)).toBe(true);
        }
        const input = Buffer.from(lines.join('\n') + '\n');
        expect(await text(toCsv(readSnapshots(input), { columns: 'all' }))).toBe(await text(toCsv(relay(readSnapshots(input)), { columns: 'all' })));
      }),
      { numRuns: 300 },
    );
  });

  it('records with any other attribute take the snapshot path, and print the same', async () => {
    await fc.assert(
      fc.asyncProperty(otherRecord, async (l) => {
        expect(printsFromBytes(l)).toBe(false);
        const input = Buffer.from(l + '\n');
        expect(await text(toCsv(readSnapshots(input), { columns: 'all' }))).toBe(await text(toCsv(relay(readSnapshots(input)), { columns: 'all' })));
      }),
      { numRuns: 200 },
    );
  });
});
