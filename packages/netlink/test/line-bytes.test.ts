import { describe, expect, it } from 'vitest';
import { JSONL_FIXTURES, KERNEL_6_18_FIXTURE, loadJsonlLines, loadRawPayloads } from '@tcpinfo/testing';
import { ArchivalRecord } from '../src/archival-record.js';
import { GoTime } from '../src/go-time.js';
import { LineBytes } from '../src/line-bytes.js';

// The daemon writes toJSONLineBytes (bytes written in place); everything else
// pins toJSONLine to the original's lines. Both come from one writer; these
// tests pin the bytes to the string, and the in-place base64 to Node's.

describe('LineBytes.base64', () => {
  it("equals Node's standard base64 for every length 0..300 and offsets, random bytes", () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    const bytes = Buffer.alloc(320);
    for (let i = 0; i < bytes.length; i++) bytes[i] = random();
    const out = new LineBytes(1); // grows as it goes
    for (let start = 0; start < 4; start++) {
      for (let n = 0; n <= 300; n++) {
        out.reset();
        out.base64(bytes, start, start + n);
        expect(out.toString()).toBe(bytes.toString('base64', start, start + n));
      }
    }
  });

  it('keeps what was written when the buffer grows', () => {
    const out = new LineBytes(4);
    out.ascii('{"a":"');
    out.base64(Buffer.from('hello world, longer than four bytes'), 0, 35);
    out.utf8('"é"');
    out.bytes(Buffer.from(',"b":[1,2,3]'));
    out.byte(0x7d);
    expect(out.toString()).toBe('{"a":"' + Buffer.from('hello world, longer than four bytes').toString('base64') + '"é","b":[1,2,3]}');
    expect(out.copyWithNewline().toString()).toBe(out.toString() + '\n');
  });
});

describe('toJSONLineBytes is toJSONLine and a newline, byte for byte', () => {
  for (const name of JSONL_FIXTURES) {
    it(`every line of ${name} (headers with Metadata included)`, () => {
      for (const line of loadJsonlLines(name)) {
        const record = ArchivalRecord.parseLine(line);
        expect(record.toJSONLineBytes().equals(Buffer.from(line + '\n', 'utf8'))).toBe(true);
      }
    });
  }

  it('records made from kernel messages, copied or kept (immutable), anonymized or not', () => {
    const ts = GoTime.parse('2026-11-29T03:05:02.123456789Z');
    const zeroed = { anonymize: (idm: Uint8Array) => Uint8Array.from(idm, (b, i) => (i >= 8 && i < 40 ? 0 : b)) };
    for (const payload of [...loadRawPayloads(), ...loadRawPayloads(KERNEL_6_18_FIXTURE)]) {
      for (const options of [{}, { immutable: true }, { anonymizer: zeroed }, { anonymizer: zeroed, immutable: true }]) {
        const record = ArchivalRecord.fromMessage(payload, ts, options)!;
        const line = record.toJSONLine();
        expect(record.toJSONLineBytes().equals(Buffer.from(line + '\n'))).toBe(true);
        expect(ArchivalRecord.parseLine(line).toJSONLine()).toBe(line);
      }
    }
  });

  it('a UUID that needs escaping or is not ASCII is written as UTF-8, as the string is', () => {
    const record = new ArchivalRecord({ metadata: { UUID: 'hôst<1>"\\\u2028_x', Sequence: 3, StartTime: GoTime.parse('2026-11-29T03:05:02Z') } });
    const line = record.toJSONLine();
    expect(JSON.parse(line).Metadata.UUID).toBe('hôst<1>"\\\u2028_x');
    expect(record.toJSONLineBytes().equals(Buffer.from(line + '\n', 'utf8'))).toBe(true);
  });
});
