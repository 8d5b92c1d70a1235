import { describe, expect, it } from 'vitest';
import { ArchivalRecord } from '../src/archival-record.js';
import { ChangeType, comparePayloads } from '../src/change.js';
import { JSONL_FIXTURES, KERNEL_6_18_FIXTURE, loadJsonlLines, loadRawPayloads } from '@tcpinfo/testing';
import { GoTime } from '../src/go-time.js';

describe('records recorded by the original round-trip byte for byte', () => {
  for (const name of JSONL_FIXTURES) {
    it(name, () => {
      const lines = loadJsonlLines(name);
      expect(lines.length).toBeGreaterThan(10);
      for (const line of lines) expect(ArchivalRecord.parseLine(line).toJSONLine()).toBe(line);
    });
  }
});

describe('raw messages recorded by the original', () => {
  it("give exactly the original's lines of archiveRecords.jsonl (made from them with a zero timestamp)", () => {
    const payloads = loadRawPayloads();
    const lines = loadJsonlLines('archiveRecords.jsonl.zst');
    expect(lines).toHaveLength(payloads.length);
    payloads.forEach((payload, i) => {
      expect(ArchivalRecord.fromMessage(payload, GoTime.ZERO)!.toJSONLine()).toBe(lines[i]);
    });
  });

  it('all 420 make records whose JSON parses back to the same line', () => {
    const payloads = loadRawPayloads();
    expect(payloads).toHaveLength(420);
    const ts = GoTime.parse('2019-04-09T19:03:12.123456789Z');
    for (const payload of payloads) {
      const record = ArchivalRecord.fromMessage(payload, ts)!;
      const line = record.toJSONLine();
      expect(ArchivalRecord.parseLine(line).toJSONLine()).toBe(line);
    }
  });
});

describe('messages recorded live on Linux 6.18', () => {
  const payloads = loadRawPayloads(KERNEL_6_18_FIXTURE);

  it('make records with 280-byte tcp_info and attributes up to 22 that round-trip', () => {
    expect(payloads).toHaveLength(14);
    for (const payload of payloads) {
      const record = ArchivalRecord.fromMessage(payload, GoTime.now())!;
      expect(record.attribute(2)).toHaveLength(280);
      expect(record.attribute(21)).toHaveLength(8);
      expect(record.attributes!.length).toBeGreaterThanOrEqual(23);
      const line = record.toJSONLine();
      expect(ArchivalRecord.parseLine(line).toJSONLine()).toBe(line);
      expect(comparePayloads(payload, Buffer.from(payload))).toBe(ChangeType.NoMajorChange);
    }
  });

  it('count the 100000 bytes each established socket sent and received (getStats)', () => {
    const established = payloads.filter((p) => p[1] === 1).map((p) => ArchivalRecord.fromMessage(p, GoTime.ZERO)!);
    expect(established).toHaveLength(12);
    for (const record of established) expect(record.getStats()).toEqual({ sent: 100000n, received: 100000n });
  });
});
