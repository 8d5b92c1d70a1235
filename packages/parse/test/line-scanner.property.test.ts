import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decompress } from 'zstd-napi';
import { ArchivalRecord, GoTime, readRawMessages } from '@tcpinfo/netlink';
import { ByteOutput, CanonicalLineScanner, RecordSlots, writeOriginalRow } from '../src/index.js';

const scanner = new CanonicalLineScanner();

// The scanner (fast path) must print exactly what ArchivalRecord.parseLine
// (slow path) leads to, and must never accept a line parseLine rejects.

const dir = fileURLToPath(new URL('./fixtures/', import.meta.url));

/** The CSV row of a filled RecordSlots, as text. */
async function rowOf(slots: RecordSlots): Promise<string> {
  const chunks: Buffer[] = [];
  const out = new ByteOutput(new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(c), cb()) }));
  writeOriginalRow(out, slots);
  await out.flush();
  return Buffer.concat(chunks).toString('utf8');
}

/** The row through the fast path, or undefined when the scanner declines the line. */
async function fastRow(line: string): Promise<string | undefined> {
  const slots = new RecordSlots();
  return scanner.scanLine(line, slots) ? rowOf(slots) : undefined;
}

/** The row through the fast path from the line's UTF-8 bytes (between other bytes, as in a read chunk). */
async function fastRowOfBytes(line: string): Promise<string | undefined> {
  const slots = new RecordSlots();
  const bytes = Buffer.concat([Buffer.from('{"x":1}\n'), Buffer.from(line, 'utf8'), Buffer.from('\n{"Timestamp":"')]);
  const start = 8;
  return scanner.scanBytes(bytes, start, bytes.length - 15, slots) ? rowOf(slots) : undefined;
}

/** The row through the slow path, or undefined when the line is not an ArchivalRecord we print. */
async function slowRow(line: string): Promise<string | undefined> {
  const slots = new RecordSlots();
  try {
    slots.fillFromRecord(ArchivalRecord.parseLine(line));
  } catch {
    return undefined;
  }
  return rowOf(slots);
}

const pad2 = (n: number) => String(n).padStart(2, '0');
/** Timestamps around the canonical form: out-of-range fields, zero offsets, long or zero-ended fractions, lower case. */
const timestamp = fc.oneof(
  fc.constant('2019-04-02T14:12:37.511Z'),
  fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString().replace('.000Z', 'Z')),
  fc
    .record({
      y: fc.integer({ min: 0, max: 9999 }),
      mo: fc.integer({ min: 0, max: 13 }),
      d: fc.integer({ min: 0, max: 32 }),
      h: fc.integer({ min: 0, max: 24 }),
      mi: fc.integer({ min: 0, max: 60 }),
      s: fc.integer({ min: 0, max: 60 }),
      frac: fc.option(fc.stringMatching(/^[0-9]{0,11}$/)),
      zone: fc.constantFrom('Z', 'Z', '+00:00', '-00:00', '-04:00', '+05:30', '+24:00', '+23:59', '-12:60', 'z', ''),
      t: fc.constantFrom('T', 'T', 'T', 't', ' '),
    })
    .map((x) => `${String(x.y).padStart(4, '0')}-${pad2(x.mo)}-${pad2(x.d)}${x.t}${pad2(x.h)}:${pad2(x.mi)}:${pad2(x.s)}${x.frac === null ? '' : '.' + x.frac}${x.zone}`),
  fc.constant('0001-01-01T00:00:00Z'),
);

/** Values of every length that matters to the original's rules (struct sizes ± a few, empty, one byte). */
const value = fc.oneof(
  fc.uint8Array({ maxLength: 40 }),
  fc.integer({ min: 226, max: 290 }).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
);
const attributes = fc.array(fc.option(value, { freq: 3 }), { maxLength: 30 });
const idm = fc.oneof({ arbitrary: fc.uint8Array({ minLength: 72, maxLength: 72 }), weight: 4 }, { arbitrary: fc.uint8Array({ maxLength: 80 }), weight: 1 });

/** A line as Go writes it, from parts that may themselves be odd. */
const goLine = fc.record({ timestamp, idm, attributes, idmFirst: fc.boolean() }).map(({ timestamp: ts, idm: raw, attributes: attrs }) => {
  const b64 = (v: Uint8Array) => Buffer.from(v).toString('base64');
  return `{"Timestamp":"${ts}","RawIDM":"${b64(raw)}","Attributes":[${attrs.map((v) => (v === null ? 'null' : `"${b64(v)}"`)).join(',')}]}`;
});

/** Small edits that a byte-level scanner might get wrong: whitespace, escapes, foreign base64, cuts. */
const edit = fc.oneof(
  fc.constant((l: string) => l),
  fc.constant((l: string) => l),
  fc.record({ at: fc.nat(), ch: fc.constantFrom(' ', '"', '=', '-', '_', '\\', 'A', ',', ']', '}', 'n', '\u00e9', '\n', '[', ':') }).map(
    ({ at, ch }) => (l: string) => {
      const i = at % (l.length + 1);
      return l.slice(0, i) + ch + l.slice(i + 1);
    },
  ),
  fc.record({ at: fc.nat(), ch: fc.constantFrom(' ', '\\u0041', 'null,', '""', '==') }).map(({ at, ch }) => (l: string) => {
    const i = at % (l.length + 1);
    return l.slice(0, i) + ch + l.slice(i);
  }),
  fc.nat().map((at) => (l: string) => l.slice(0, at % (l.length + 1))),
  fc.constant((l: string) => l.replace('"Attributes":[', '"attributes":[')),
  fc.constant((l: string) => l.slice(0, -1) + ',"Metadata":null}'),
  fc.constant((l: string) => l.replace(/,"Attributes":\[.*\]/, '')),
);

describe('line scanner == ArchivalRecord.parseLine', () => {
  it('on generated and edited lines: accepts only what parseLine accepts, and prints the same row', async () => {
    let taken = 0;
    await fc.assert(
      fc.asyncProperty(goLine, edit, async (line, change) => {
        const edited = change(line);
        const fast = await fastRow(edited);
        if (fast === undefined) return;
        taken++;
        expect(await slowRow(edited)).toBe(fast);
      }),
      { numRuns: 3000 },
    );
    expect(taken).toBeGreaterThan(300); // the fast path was exercised, not just declined
  });

  it('from bytes: the same decisions and rows as from text, non-ASCII and bytes around the line included', async () => {
    const nonAscii = fc.record({ at: fc.nat(), ch: fc.constantFrom('\u00e9', '\u00b5', '\u2028', '\ud83d\ude00', '\u0080') }).map(({ at, ch }) => (l: string) => {
      const i = at % (l.length + 1);
      return l.slice(0, i) + ch + l.slice(i + 1);
    });
    // Two characters replaced by one of two UTF-8 bytes keeps the byte length, so a
    // base64 string stays aligned: only the byte values can reject it.
    const sameLength = fc.record({ at: fc.nat(), ch: fc.constantFrom('\u00b5', '\u00c3', '\u00df') }).map(({ at, ch }) => (l: string) => {
      const i = at % (l.length + 1);
      return l.slice(0, i) + ch + l.slice(i + 2);
    });
    await fc.assert(
      fc.asyncProperty(goLine, fc.oneof(edit, nonAscii, sameLength), async (line, change) => {
        const edited = change(line);
        expect(await fastRowOfBytes(edited)).toBe(await fastRow(edited));
      }),
      { numRuns: 3000 },
    );
  });

  it('on every line Go wrote in the fixtures and on live 6.18 records: takes the fast path (except headers) with the same row', async () => {
    const lines: string[] = [];
    for (const f of ['archiveRecords.jsonl.zst', 'finwait2-sample_1554836592_unsafe_000000000135A272.00000.jsonl.zst', 'ndt-jdczh_1553815964_00000000000003E8.00183.jsonl.zst']) {
      lines.push(...decompress(readFileSync(dir + f)).toString('utf8').split('\n').filter((l) => l !== ''));
    }
    const raw = decompress(readFileSync(dir + 'kernel-6.18-messages.bin.zst'));
    for (const m of readRawMessages(raw)) lines.push(ArchivalRecord.fromMessage(m.payload, GoTime.fromUnixNanos(1_764_000_000_123_456_789n))!.toJSONLine());
    let headers = 0;
    for (const line of lines) {
      const fast = await fastRow(line);
      if (line.includes('"Metadata"')) {
        headers++;
        expect(fast).toBeUndefined();
        continue;
      }
      expect(fast, line).toBeDefined();
      expect(fast).toBe(await slowRow(line));
    }
    expect(headers).toBe(2);
    expect(lines.length).toBeGreaterThan(500);
  });
});
