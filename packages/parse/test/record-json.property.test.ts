import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArchivalRecord, GoTime, type Metadata } from '@tcpinfo/netlink';
import { fixturePath, JSONL_FIXTURES, KERNEL_6_18_FIXTURE, loadJsonlLines, loadRawPayloads, RAW_MESSAGES_FIXTURE } from '@tcpinfo/testing';
import { ByteOutput, CanonicalLineScanner, decodeRecord, LineConverter, readSnapshots, RecordSlots, snapshotToJson, type LineBytesBatch } from '../src/index.js';
import { snapshotOfSlots } from '../src/snapshot-on-access.js';

// The JSON lines written straight from a record's bytes (record-json.ts: the
// snapshots of readSnapshots and tcpinfo-csv --format=jsonl) against the
// reference path, JSON.stringify(toPlainJson(…)) of decodeRecord's snapshot,
// byte for byte: every line of the sample files (the original's, as in
// shared/testdata), every recorded kernel message, and random records, one
// after another through the same writers (each record a few bytes away from
// the one before, as a connection's snapshots are).

/** The reference text of a line (the decoded snapshot through toPlainJson). */
function reference(line: string): string {
  const { metadata, snapshot } = decodeRecord(ArchivalRecord.parseLine(line));
  return snapshotToJson(metadata, snapshot);
}

const scanner = new CanonicalLineScanner();
/** snapshotToJson of the line's snapshot decoding on access (readSnapshots' kind), undefined off the scanner's path. */
function onAccess(line: string): string | undefined {
  const slots = new RecordSlots();
  return scanner.scanLine(line, slots) ? snapshotToJson(undefined, snapshotOfSlots(slots)) : undefined;
}

/** What `tcpinfo-csv --format=jsonl` writes for these lines (LineConverter over one batch), one string per line. */
function convertedLines(converter: LineConverter, lines: readonly string[]): string[] {
  const chunks: Buffer[] = [];
  const out = new ByteOutput({ write: (c) => (chunks.push(Buffer.from(c)), true), once: () => undefined, off: () => undefined });
  (converter as unknown as { out: ByteOutput }).out = out;
  const starts: number[] = [];
  const ends: number[] = [];
  let at = 0;
  for (const l of lines) {
    starts.push(at);
    at += Buffer.byteLength(l);
    ends.push(at);
    at++;
  }
  const batch: LineBytesBatch = {
    source: 't.jsonl',
    bytes: Buffer.from(lines.join('\n')),
    starts,
    ends,
    numbers: lines.map((_, i) => i + 1),
    lineError: async (e) => e,
  };
  expect(converter.convertBytesBatch(batch)).toBe(lines.length);
  chunks.push(Buffer.from(out.buffer.subarray(0, out.position)));
  const text = Buffer.concat(chunks).toString('utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n');
}
const jsonlConverter = () => new LineConverter(null, { all: false, jsonl: true });

const STAMP = GoTime.fromUnixNanos(1_764_000_000_123_456_789n);
const SAMPLE_LINES: readonly string[] = JSONL_FIXTURES.flatMap((f) => loadJsonlLines(f));
const MESSAGE_LINES: readonly string[] = [RAW_MESSAGES_FIXTURE, KERNEL_6_18_FIXTURE].flatMap((f) =>
  loadRawPayloads(f).map((p) => ArchivalRecord.fromMessage(p, STAMP)!.toJSONLine()),
);

describe('JSON lines from the record bytes', () => {
  it('every sample line and every recorded kernel message: the reference text, byte for byte', () => {
    const lines = [...SAMPLE_LINES, ...MESSAGE_LINES];
    expect(MESSAGE_LINES.length).toBeGreaterThan(420);
    let fast = 0;
    for (const line of lines) {
      const text = onAccess(line);
      if (text === undefined) continue;
      expect(text).toBe(reference(line));
      fast++;
    }
    // Every line but the header records takes the bytes' path.
    expect(fast).toBe(lines.filter((l) => !l.includes('"Metadata"')).length);
    expect(convertedLines(jsonlConverter(), lines)).toEqual(lines.map(reference));
  });

  it.each(JSONL_FIXTURES)('readSnapshots of %s: the reference text, header records included', async (name) => {
    const lines = loadJsonlLines(name);
    let i = 0;
    for await (const { metadata, snapshot } of readSnapshots(fixturePath(name))) expect(snapshotToJson(metadata, snapshot)).toBe(reference(lines[i++]!));
    expect(i).toBe(lines.length);
  });

  it('random records, each a few bytes from the one before: the reference text, byte for byte', () => {
    // Attribute values: empty, short, exact and long values of every type (structs zero-extended or longer, tcp_info
    // partial or longer), names with escapes, non-ASCII bytes and NULs, unknown types beyond the table.
    const value = fc.oneof(
      { weight: 1, arbitrary: fc.constant(null) },
      { weight: 3, arbitrary: fc.uint8Array({ maxLength: 300 }) },
      { weight: 2, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 40 }) },
    );
    // Cookies around 2^53 (the largest exact JSON number): high words 2^21 - 1, 2^21 (with a low word of 0: exactly 2^53), 2^21 + 1 ...
    const idm = fc.tuple(fc.uint8Array({ minLength: 72, maxLength: 72 }), fc.boolean(), fc.constantFrom(0, 0x1fffff, 0x200000, 0x200001, 0xffffffff, -1), fc.boolean()).map(([b, v4, cookieHi, lowZero]) => {
      const out = Buffer.from(b);
      if (v4) out.fill(0, 12, 24).fill(0, 28, 40); // IPv4 addresses: only the first 4 bytes of each
      if (cookieHi >= 0) out.writeUInt32LE(cookieHi, 48);
      if (lowZero) out.writeUInt32LE(0, 44);
      return out;
    });
    const record = fc.record({
      idm,
      attributes: fc.array(value, { maxLength: 26 }),
      nanos: fc.bigInt({ min: 0n, max: 2n ** 62n }),
      edits: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
      steps: fc.integer({ min: 1, max: 6 }),
    });
    const converter = jsonlConverter();
    fc.assert(
      fc.property(record, ({ idm, attributes, nanos, edits, steps }) => {
        const attrs = attributes.map((v) => (v === null ? null : Buffer.from(v)));
        const lines: string[] = [];
        for (let step = 0; step < steps; step++) {
          // The next snapshot: a few bytes of some values changed.
          for (const [which, offset, byte] of edits.slice(0, step)) {
            const v = attrs[which % Math.max(attrs.length, 1)];
            if (v && v.length > 0) v[offset % v.length] = byte;
          }
          const r = new ArchivalRecord({ timestamp: GoTime.fromUnixNanos(nanos + BigInt(step)), rawIdm: idm, attributes: attrs });
          lines.push(r.toJSONLine());
        }
        for (const line of lines) expect(onAccess(line) ?? reference(line)).toBe(reference(line));
        expect(convertedLines(converter, lines)).toEqual(lines.map(reference));
      }),
      { numRuns: 400 },
    );
  });

  it('lines longer than the room the converter makes for one, across many output chunks: written whole, in order', () => {
    // LineConverter writes a JSON line in place into the output's chunk after reserving 8 KB: a longer line
    // grows the chunk (the bytes before it carried over). Unknown attribute types go to otherAttributes as base64.
    const idm = Buffer.alloc(72, 7);
    const lines = Array.from({ length: 40 }, (_, i) => {
      const big = Buffer.alloc(3000 + 500 * i, i);
      return new ArchivalRecord({ timestamp: GoTime.fromUnixNanos(1_764_000_000_000_000_000n + BigInt(i)), rawIdm: idm, attributes: [null, null, big, ...Array.from({ length: 30 }, () => null), big, big] }).toJSONLine();
    });
    expect(lines.every((l) => onAccess(l) !== undefined)).toBe(true); // the fast path
    const expected = lines.map(reference);
    expect(expected.some((t) => t.length > 16 * 1024)).toBe(true);
    expect(convertedLines(jsonlConverter(), lines)).toEqual(expected);
  });

  it('a header record: metadata after the snapshot fields, as the reference writes it', () => {
    const metadata: Metadata = { UUID: 'host_1_00000000000003E8', Sequence: 3, StartTime: STAMP };
    const header = new ArchivalRecord({ timestamp: STAMP, metadata }).toJSONLine();
    const snapshot = MESSAGE_LINES[0]!;
    expect(convertedLines(jsonlConverter(), [header, snapshot])).toEqual([reference(header), reference(snapshot)]);
  });
});
