import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decompress } from 'zstd-napi';
import { INET_DIAG_ATTRIBUTES } from '@tcpinfo/inetdiag';
import { ArchivalRecord, GoTime, readRawMessages } from '@tcpinfo/netlink';
import { TCP_INFO_FIELDS } from '@tcpinfo/tcp';
import { CanonicalLineScanner, decodeRecord, readSnapshots, RecordSlots, snapshotToJson, toPlainSnapshot, type Snapshot } from '../src/index.js';
import { snapshotOfSlots, snapshotViewOfSlots } from '../src/snapshot-on-access.js';

// Snapshots that decode on access (readSnapshots' fast path, the CSV's `all`
// columns and JSON lines) against the reference path, decodeRecord of
// ArchivalRecord.parseLine: same values in any order of access, same JSON.

const dir = fileURLToPath(new URL('./fixtures/', import.meta.url));
const FILES = ['archiveRecords.jsonl.zst', 'ndt-jdczh_1553815964_00000000000003E8.00183.jsonl.zst', 'finwait2-sample_1554836592_unsafe_000000000135A272.00000.jsonl.zst'];

/** Every line of the sample files, and records of a 6.18 kernel (longer tcp_info, newer attributes) as lines. */
const LINES: readonly string[] = (() => {
  const lines: string[] = [];
  for (const f of FILES) lines.push(...decompress(readFileSync(dir + f)).toString('utf8').trimEnd().split('\n'));
  const raw = decompress(readFileSync(dir + 'kernel-6.18-messages.bin.zst'));
  for (const m of readRawMessages(raw)) lines.push(ArchivalRecord.fromMessage(m.payload, GoTime.fromUnixNanos(1_764_000_000_123_456_789n))!.toJSONLine());
  return lines;
})();

const scanner = new CanonicalLineScanner();
/** The line's snapshot decoding on access (owning its bytes), or undefined when the line is not in the scanner's form. */
function onAccess(line: string): Snapshot | undefined {
  const slots = new RecordSlots();
  return scanner.scanLine(line, slots) ? snapshotOfSlots(slots) : undefined;
}
const reference = (line: string): Snapshot => decodeRecord(ArchivalRecord.parseLine(line)).snapshot;

/** JSON with bigints and bytes spelt out, so JSON.stringify can compare everything. */
const replacer = (_k: string, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? `bytes:${Buffer.from(v).toString('hex')}` : v);

const SNAPSHOT_FIELDS = ['timestamp', 'observed', 'notFullyParsed', 'idm', 'otherAttributes', 'record', ...INET_DIAG_ATTRIBUTES.flatMap((a) => (a.field ? [a.field] : []))];
const TCP_FIELDS = ['length', 'partial', 'longer', ...TCP_INFO_FIELDS.map((f) => f.name)];
type Access = readonly [kind: 'snapshot' | 'tcp', name: string];
const accesses: Access[] = [...SNAPSHOT_FIELDS.map((n): Access => ['snapshot', n]), ...TCP_FIELDS.map((n): Access => ['tcp', n])];

function read(s: Snapshot, [kind, name]: Access): unknown {
  const v = kind === 'snapshot' ? (s as unknown as Record<string, unknown>)[name] : (s.tcpInfo as Record<string, unknown> | undefined)?.[name];
  // The record is compared by its line (its class has private fields); a tcp_info decoding on access by its toJSON
  // (decodeTcpInfo's object: its own fields are compared one by one as 'tcp' accesses); everything else by value.
  if (v instanceof ArchivalRecord) return v.toJSONLine();
  return name === 'tcpInfo' && v !== undefined ? (v as { toJSON(): unknown }).toJSON?.() ?? v : v;
}

describe('snapshots decoding on access', () => {
  it('the sample lines take the fast path (all but header records)', () => {
    const taken = LINES.filter((l) => onAccess(l) !== undefined).length;
    const headers = LINES.filter((l) => l.includes('"Metadata"')).length;
    expect(headers).toBeGreaterThan(0);
    expect(taken).toBe(LINES.length - headers);
  });

  it('JSON.stringify and snapshotToJson give the reference text for every line', () => {
    let compared = 0;
    for (const line of LINES) {
      const lazy = onAccess(line);
      if (lazy === undefined) continue;
      const ref = reference(line);
      expect(JSON.stringify(lazy, replacer)).toBe(JSON.stringify(ref, replacer));
      expect(snapshotToJson(undefined, lazy)).toBe(snapshotToJson(undefined, ref));
      compared++;
    }
    expect(compared).toBe(LINES.length - LINES.filter((l) => l.includes('"Metadata"')).length);
  });

  it('every field, read in any order (and read twice), has the reference value', () => {
    const fastLines = LINES.filter((l) => onAccess(l) !== undefined);
    fc.assert(
      fc.property(fc.constantFrom(...fastLines), fc.shuffledSubarray(accesses, { minLength: 1 }), (line, order) => {
        const lazy = onAccess(line)!;
        const ref = reference(line);
        for (const a of [...order, ...order]) expect(read(lazy, a)).toEqual(read(ref, a));
        // A decoded field is kept: the same object when read again.
        expect(lazy.tcpInfo).toBe(lazy.tcpInfo);
        expect(lazy.idm).toBe(lazy.idm);
      }),
      { numRuns: 300 },
    );
  });

  it('a view of the slots reads the same as a copy while the slots hold the record', () => {
    const slots = new RecordSlots();
    for (const line of LINES.slice(0, 200)) {
      if (!scanner.scanLine(line, slots)) continue;
      expect(JSON.stringify(snapshotViewOfSlots(slots), replacer)).toBe(JSON.stringify(reference(line), replacer));
    }
  });

  it('readSnapshots yields the reference snapshots, header records included, for every sample file', async () => {
    for (const f of FILES) {
      const lines = decompress(readFileSync(dir + f)).toString('utf8').trimEnd().split('\n');
      let i = 0;
      for await (const { metadata, snapshot, line } of readSnapshots(dir + f)) {
        const ref = decodeRecord(ArchivalRecord.parseLine(lines[i]!));
        expect(line.text).toBe(lines[i]);
        expect(metadata).toEqual(ref.metadata);
        expect(snapshotToJson(metadata, snapshot)).toBe(snapshotToJson(ref.metadata, ref.snapshot));
        expect(snapshot.tcpInfo?.bytesAcked).toBe(ref.snapshot.tcpInfo?.bytesAcked);
        i++;
      }
      expect(i).toBe(lines.length);
    }
  });

  it('snapshots kept while the reader goes on (their bytes stay where they were decoded) still read as the reference, lines and all', async () => {
    for (const f of FILES) {
      const lines = decompress(readFileSync(dir + f)).toString('utf8').trimEnd().split('\n');
      const kept = [];
      for await (const x of readSnapshots(dir + f)) kept.push(x);
      expect(kept.length).toBe(lines.length);
      kept.forEach(({ metadata, snapshot, line }, i) => {
        const ref = decodeRecord(ArchivalRecord.parseLine(lines[i]!));
        expect(line.text).toBe(lines[i]);
        expect(snapshotToJson(metadata, snapshot)).toBe(snapshotToJson(ref.metadata, ref.snapshot));
        expect(snapshot.record.toJSONLine()).toBe(ref.snapshot.record.toJSONLine());
      });
    }
  });
});

describe('toPlainSnapshot', () => {
  it('gives own fields equal to decodeRecord\'s, and returns a decoded snapshot as it is', () => {
    const line = LINES.find((l) => onAccess(l) !== undefined)!;
    const plain = toPlainSnapshot(onAccess(line)!);
    const ref = reference(line);
    expect(Object.keys(plain)).toEqual(Object.keys(ref));
    expect(JSON.stringify(plain, replacer)).toBe(JSON.stringify(ref, replacer));
    expect(toPlainSnapshot(ref)).toBe(ref);
  });
});
