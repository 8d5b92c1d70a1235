import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArchivalRecord } from '../src/archival-record.js';
import { NetlinkParseError } from '../src/errors.js';
import { GoTime } from '../src/go-time.js';
import { buildIdm, buildPayload, kernel618Attributes, rtattr, tcpInfo } from '@tcpinfo/testing';
import { loadJsonlLines } from '@tcpinfo/testing';

const TS = GoTime.parse('2026-11-25T02:37:31.123456789Z');
const FINWAIT2 = 'finwait2-sample_1554836592_unsafe_000000000135A272.00000.jsonl.zst';
const quiet = { onWarning: () => {} };

function attributesOf(payload: Buffer): (string | null)[] | undefined {
  const record = ArchivalRecord.fromMessage(payload, TS, quiet)!;
  const fromLine = (JSON.parse(record.toJSONLine()) as { Attributes?: (string | null)[] }).Attributes;
  // The lazily built views must say the same as the line.
  expect(record.attributes?.map((a) => (a === null ? null : Buffer.from(a).toString('base64')))).toEqual(fromLine);
  return fromLine;
}

describe('attribute array rules (SPEC §2)', () => {
  const idm = buildIdm();
  const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

  it('indexes values by type with null for absent types', () => {
    expect(attributesOf(buildPayload(idm, [[1, Buffer.from([1, 2])], [4, Buffer.from('bbr\0')]]))).toEqual([
      null, b64(Buffer.from([1, 2])), null, null, b64(Buffer.from('bbr\0')),
    ]);
  });

  it('gives [null] for a message without attributes', () => {
    expect(attributesOf(buildPayload(idm, []))).toEqual([null]);
    // As in the original's finwait2 sample, whose last line is such a record.
    expect(JSON.parse(loadJsonlLines(FINWAIT2).at(-1)!).Attributes).toEqual([null]);
  });

  it('keeps a zero-length value as "" (not null)', () => {
    expect(attributesOf(buildPayload(idm, [[3, new Uint8Array(0)]]))).toEqual([null, null, null, '']);
  });

  it('keeps the last value of a repeated type and reports it', () => {
    const warnings: string[] = [];
    const payload = buildPayload(idm, [[5, Buffer.from([1])], [5, Buffer.from([2])]]);
    const record = ArchivalRecord.fromMessage(payload, TS, { onWarning: (w) => warnings.push(w) })!;
    expect(record.attribute(5)).toEqual(Buffer.from([2]));
    expect(warnings).toEqual([expect.stringMatching(/type 5 appeared more than once/)]);
  });

  it('drops types above 38 but, like the original, still sizes the array by them (capped at 39)', () => {
    const warnings: string[] = [];
    const payload = buildPayload(idm, [[1, Buffer.from([1])], [38, Buffer.from([38])], [39, Buffer.from([39])], [0x8002, Buffer.from([2])]]);
    const record = ArchivalRecord.fromMessage(payload, TS, { onWarning: (w) => warnings.push(w) })!;
    expect(record.attributes).toHaveLength(39);
    expect(record.attribute(38)).toEqual(Buffer.from([38]));
    expect(record.attribute(2)).toBeUndefined();
    expect(warnings).toEqual([expect.stringMatching(/dropped 2 attribute/)]);
    expect(attributesOf(buildPayload(idm, [[1, Buffer.from([1])], [40, Buffer.from([40])]]))).toHaveLength(39);
  });

  it('ignores fewer than 4 trailing bytes and accepts an unpadded last attribute', () => {
    const padded = buildPayload(idm, [[4, Buffer.from('bbr')]]);
    expect(attributesOf(Buffer.concat([padded, Buffer.from([0, 0])]))).toEqual([null, null, null, null, b64(Buffer.from('bbr'))]);
    expect(attributesOf(padded.subarray(0, padded.length - 1))).toEqual([null, null, null, null, b64(Buffer.from('bbr'))]);
  });

  it('refuses malformed messages with NetlinkParseError', () => {
    expect(() => ArchivalRecord.fromMessage(idm.subarray(0, 71), TS)).toThrow(expect.objectContaining({ code: 'BAD_LENGTH' }));
    const overrun = Buffer.concat([idm, rtattr(2, Buffer.alloc(8))]);
    overrun.writeUInt16LE(13, 72);
    expect(() => ArchivalRecord.fromMessage(overrun, TS)).toThrow(expect.objectContaining({ code: 'ATTRIBUTE_OVERRUN' }));
    overrun.writeUInt16LE(3, 72);
    expect(() => ArchivalRecord.fromMessage(overrun, TS)).toThrow(expect.objectContaining({ code: 'ATTRIBUTE_OVERRUN' }));
  });

  it('only ever throws NetlinkParseError on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.boolean(), (tail, withIdm) => {
        const payload = withIdm ? Buffer.concat([idm, tail]) : Buffer.from(tail);
        try {
          const line = ArchivalRecord.fromMessage(payload, TS, quiet)!.toJSONLine();
          expect(ArchivalRecord.parseLine(line).toJSONLine()).toBe(line);
        } catch (err) {
          expect(err).toBeInstanceOf(NetlinkParseError);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('copies the message: later changes to the caller buffer do not leak into the record', () => {
    const payload = buildPayload(idm, kernel618Attributes());
    const record = ArchivalRecord.fromMessage(payload, TS)!;
    const line = record.toJSONLine();
    payload.fill(0xee);
    expect(record.toJSONLine()).toBe(line);
    expect(record.rawIdm).toEqual(idm);
  });
});

describe('anonymization', () => {
  it('records what the anonymizer returns and leaves the input alone', () => {
    const payload = buildPayload(buildIdm(), kernel618Attributes());
    const original = Buffer.from(payload);
    let seen: Uint8Array | undefined;
    const anonymizer = {
      anonymize(raw: Uint8Array): Uint8Array {
        seen = raw;
        const copy = Uint8Array.from(raw);
        copy[11] = 0; // zero the last byte of the IPv4 source
        return copy;
      },
    };
    const record = ArchivalRecord.fromMessage(payload, TS, { anonymizer })!;
    expect(seen).toHaveLength(72);
    expect(record.rawIdm![11]).toBe(0);
    expect(payload).toEqual(original);
    expect(Buffer.from(JSON.parse(record.toJSONLine()).RawIDM, 'base64')[11]).toBe(0);
  });
});

describe('the JSON line (SPEC §3)', () => {
  it('has the key order, base64 and timestamp Go writes', () => {
    const payload = buildPayload(buildIdm(), kernel618Attributes());
    const record = ArchivalRecord.fromMessage(payload, TS)!;
    const attrs = new Array<string | null>(23).fill(null);
    for (const [t, v] of kernel618Attributes()) attrs[t] = Buffer.from(v).toString('base64');
    // JSON.stringify writes the same bytes as Go here: no strings needing HTML escapes.
    expect(record.toJSONLine()).toBe(
      JSON.stringify({ Timestamp: '2026-11-25T02:37:31.123456789Z', RawIDM: payload.subarray(0, 72).toString('base64'), Attributes: attrs }),
    );
  });

  it('writes a header record exactly as the original did', () => {
    const line = loadJsonlLines(FINWAIT2)[0]!;
    const header = new ArchivalRecord({
      metadata: {
        UUID: 'gfr14.nyc.corp.google.com_1554836592_unsafe_000000000135A272',
        Sequence: 0,
        StartTime: GoTime.parse('2019-08-26T19:55:42.754686952-04:00'),
      },
    });
    expect(header.toJSONLine()).toBe(line);
  });

  it.each([
    ['plain', 'host_1_0000000000000001', '"host_1_0000000000000001"'],
    ['HTML specials', 'a<b>&c', '"a\\u003cb\\u003e\\u0026c"'],
    ['line and paragraph separators', 'x\u2028y\u2029', '"x\\u2028y\\u2029"'],
    ['quote, backslash, short escapes', 'q"b\\n\nr\rt\t', '"q\\"b\\\\n\\nr\\rt\\t"'],
    ['other control characters in lower-case hex (Go 1.20: no \\b, \\f)', '\u0000\b\f\u001f\u007f', '"\\u0000\\u0008\\u000c\\u001f\u007f"'],
    ['non-ASCII kept as is', 'é😀', '"é😀"'],
    ['lone surrogate becomes U+FFFD', 'a\ud800b', '"a\\ufffdb"'],
  ])('escapes a UUID as Go does: %s', (_name, uuid, expected) => {
    const line = new ArchivalRecord({ metadata: { UUID: uuid, Sequence: 7, StartTime: GoTime.ZERO } }).toJSONLine();
    expect(line).toBe(`{"Timestamp":"0001-01-01T00:00:00Z","Metadata":{"UUID":${expected},"Sequence":7,"StartTime":"0001-01-01T00:00:00Z"}}`);
  });

  it('omits empty RawIDM and Attributes, as omitempty does', () => {
    expect(new ArchivalRecord({ timestamp: TS, rawIdm: new Uint8Array(0), attributes: [] }).toJSONLine()).toBe(
      '{"Timestamp":"2026-11-25T02:37:31.123456789Z"}',
    );
  });

  it('parses in another language (Python json)', () => {
    const uuid = 'py<&>\u2028_000000000000ABCD';
    const records = [
      new ArchivalRecord({ metadata: { UUID: uuid, Sequence: 12, StartTime: TS } }),
      ArchivalRecord.fromMessage(buildPayload(buildIdm({ cookie: 0xabcdn }), kernel618Attributes()), TS)!,
    ];
    const script = [
      'import base64, json, sys',
      'for line in sys.stdin:',
      '    r = json.loads(line)',
      '    m = r.get("Metadata") or {}',
      '    a = r.get("Attributes") or []',
      '    print(json.dumps([r["Timestamp"], m.get("UUID"), m.get("Sequence"), base64.b64decode(r.get("RawIDM", "")).hex(),',
      '                      [None if x is None else base64.b64decode(x).hex() for x in a]]))',
    ].join('\n');
    const run = spawnSync('python3', ['-c', script], { input: records.map((r) => r.toJSONLine() + '\n').join(''), encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const [header, snapshot] = run.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(header).toEqual(['0001-01-01T00:00:00Z', uuid, 12, '', []]);
    expect(snapshot[0]).toBe(TS.toString());
    expect(snapshot[3]).toBe(Buffer.from(records[1]!.rawIdm!).toString('hex'));
    expect(snapshot[4]).toEqual(records[1]!.attributes!.map((a) => (a === null ? null : Buffer.from(a).toString('hex'))));
  });
});

describe('stats and cookie', () => {
  it('getStats returns tcpi_bytes_sent (200) and tcpi_bytes_received (128) as the original GetStats', () => {
    const info = tcpInfo(280);
    info.writeBigUInt64LE(0xfedcba9876543210n, 200);
    info.writeBigUInt64LE(0x0123456789abcdefn, 128);
    const record = ArchivalRecord.fromMessage(buildPayload(buildIdm(), kernel618Attributes(info)), TS)!;
    expect(record.getStats()).toEqual({ sent: 0xfedcba9876543210n, received: 0x0123456789abcdefn });
    expect(ArchivalRecord.parseLine(record.toJSONLine()).getStats()).toEqual(record.getStats());
  });

  it('getStats is zero without tcp_info or when it is shorter than 208 bytes', () => {
    const short = ArchivalRecord.fromMessage(buildPayload(buildIdm(), kernel618Attributes(tcpInfo(207))), TS)!;
    expect(short.getStats()).toEqual({ sent: 0n, received: 0n });
    expect(ArchivalRecord.fromMessage(buildPayload(buildIdm(), []), TS)!.getStats()).toEqual({ sent: 0n, received: 0n });
    expect(new ArchivalRecord().getStats()).toEqual({ sent: 0n, received: 0n });
  });

  it('cookie is exact beyond 2^53', () => {
    const record = ArchivalRecord.fromMessage(buildPayload(buildIdm({ cookie: 0xfedcba9876543211n }), []), TS)!;
    expect(record.cookie()).toBe(0xfedcba9876543211n);
    expect(ArchivalRecord.parseLine(record.toJSONLine()).cookie()).toBe(0xfedcba9876543211n);
    expect(() => new ArchivalRecord().cookie()).toThrow(expect.objectContaining({ code: 'BAD_RECORD' }));
  });
});

describe('parseLine', () => {
  it.each([
    ['empty line', '', 'BAD_JSON'],
    ['garbage', 'hello', 'BAD_JSON'],
    ['truncated', '{"Timestamp":"2019-', 'BAD_JSON'],
    ['array', '[]', 'BAD_RECORD'],
    ['number', '42', 'BAD_RECORD'],
    ['Timestamp number', '{"Timestamp":5}', 'BAD_RECORD'],
    ['Timestamp empty', '{"Timestamp":""}', 'BAD_TIMESTAMP'],
    ['Timestamp bad', '{"Timestamp":"2019-02-30T00:00:00Z"}', 'BAD_TIMESTAMP'],
    ['RawIDM number', '{"RawIDM":1}', 'BAD_RECORD'],
    ['RawIDM bad base64', '{"RawIDM":"AB$="}', 'BAD_BASE64'],
    ['RawIDM unpadded', '{"RawIDM":"AQI"}', 'BAD_BASE64'],
    ['RawIDM URL alphabet', '{"RawIDM":"-_8="}', 'BAD_BASE64'],
    ['Attributes object', '{"Attributes":{}}', 'BAD_RECORD'],
    ['Attributes element number', '{"Attributes":[null,1]}', 'BAD_RECORD'],
    ['Attributes element bad base64', '{"Attributes":["!!!!"]}', 'BAD_BASE64'],
    ['Metadata string', '{"Metadata":"x"}', 'BAD_RECORD'],
    ['Sequence string', '{"Metadata":{"Sequence":"1"}}', 'BAD_RECORD'],
    ['Sequence fraction', '{"Metadata":{"Sequence":1.5}}', 'BAD_RECORD'],
    ['Sequence huge', '{"Metadata":{"Sequence":1e300}}', 'BAD_RECORD'],
    ['UUID number', '{"Metadata":{"UUID":1}}', 'BAD_RECORD'],
    ['StartTime bad', '{"Metadata":{"StartTime":"yesterday"}}', 'BAD_TIMESTAMP'],
    ['too many attributes', `{"Attributes":[${new Array(65).fill('null').join(',')}]}`, 'TOO_MANY_ATTRIBUTES'],
    ['attribute too long', `{"Attributes":["${Buffer.alloc(65532).toString('base64')}"]}`, 'ATTRIBUTE_TOO_LONG'],
    ['line too long', `{"Attributes":["${'A'.repeat(1 << 20)}"]}`, 'LINE_TOO_LONG'],
  ])('refuses %s with %s, and stays usable', (_name, line, code) => {
    expect(() => ArchivalRecord.parseLine(line)).toThrow(expect.objectContaining({ name: 'NetlinkParseError', code }));
    expect(ArchivalRecord.parseLine('{"Timestamp":"2019-04-09T19:03:12Z"}').timestamp.toString()).toBe('2019-04-09T19:03:12Z');
  });

  it('applies the limits given as options', () => {
    expect(() => ArchivalRecord.parseLine('{"Attributes":[null,null]}', { maxAttributes: 1 })).toThrow(
      expect.objectContaining({ code: 'TOO_MANY_ATTRIBUTES' }),
    );
    expect(() => ArchivalRecord.parseLine('{"RawIDM":"AQID"}', { maxAttributeLength: 2 })).toThrow(
      expect.objectContaining({ code: 'ATTRIBUTE_TOO_LONG' }),
    );
    expect(() => ArchivalRecord.parseLine('{}', { maxLineLength: 1 })).toThrow(expect.objectContaining({ code: 'LINE_TOO_LONG' }));
  });

  it('reads like Go json.Unmarshal: case-insensitive keys, unknown keys and nulls ignored', () => {
    const record = ArchivalRecord.parseLine(
      '{"timestamp":"2019-04-09T19:03:12-04:00","rawidm":"AQID","ATTRIBUTES":[null,""],"Extra":[1],"metadata":{"uuid":"u","SEQUENCE":3,"startTime":null}}',
    );
    expect(record.toJSONLine()).toBe(
      '{"Timestamp":"2019-04-09T19:03:12-04:00","RawIDM":"AQID","Attributes":[null,""],"Metadata":{"UUID":"u","Sequence":3,"StartTime":"0001-01-01T00:00:00Z"}}',
    );
    expect(ArchivalRecord.parseLine('null').toJSONLine()).toBe('{"Timestamp":"0001-01-01T00:00:00Z"}');
    expect(ArchivalRecord.parseLine('{"Timestamp":null,"RawIDM":null,"Attributes":null,"Metadata":null}').toJSONLine()).toBe(
      '{"Timestamp":"0001-01-01T00:00:00Z"}',
    );
    expect(ArchivalRecord.parseLine(Buffer.from(' {"RawIDM":"AQ==\\n"} ')).rawIdm).toEqual(Buffer.from([1]));
  });

  it('only ever throws NetlinkParseError on random input', () => {
    const lineLike = fc.oneof(
      fc.string(),
      fc.json(),
      fc.uint8Array({ maxLength: 200 }),
      fc
        .record({
          Timestamp: fc.oneof(fc.string(), fc.constant('2019-04-09T19:03:12Z'), fc.jsonValue()),
          RawIDM: fc.oneof(fc.base64String(), fc.string(), fc.jsonValue()),
          Attributes: fc.oneof(fc.array(fc.oneof(fc.constant(null), fc.base64String(), fc.jsonValue())), fc.jsonValue()),
          Metadata: fc.oneof(fc.record({ UUID: fc.jsonValue(), Sequence: fc.jsonValue(), StartTime: fc.jsonValue() }), fc.jsonValue()),
        }, { requiredKeys: [] })
        .map((o) => JSON.stringify(o)),
    );
    fc.assert(
      fc.property(lineLike, (line) => {
        try {
          ArchivalRecord.parseLine(line);
        } catch (err) {
          expect(err).toBeInstanceOf(NetlinkParseError);
        }
      }),
      { numRuns: 5000 },
    );
  });
});

describe('encode → parse → encode', () => {
  const goTime = fc
    .tuple(fc.bigInt({ min: -62_000_000_000n * 10n ** 9n, max: 253_000_000_000n * 10n ** 9n }), fc.integer({ min: -1439, max: 1439 }))
    .map(([nanos, offset]) => GoTime.fromUnixNanos(nanos, offset));
  const record = fc
    .record(
      {
        timestamp: goTime,
        rawIdm: fc.uint8Array({ maxLength: 80 }),
        attributes: fc.array(fc.option(fc.uint8Array({ maxLength: 300 }), { nil: null }), { maxLength: 39 }),
        metadata: fc.record({ UUID: fc.string({ unit: 'binary' }), Sequence: fc.maxSafeInteger(), StartTime: goTime }),
      },
      { requiredKeys: [] },
    )
    .map((init) => new ArchivalRecord(init));

  it('gives identical bytes for random records', () => {
    fc.assert(
      fc.property(record, (r) => {
        const line = r.toJSONLine();
        const again = ArchivalRecord.parseLine(line);
        expect(again.toJSONLine()).toBe(line);
        expect(again.metadata?.UUID).toBe(r.metadata?.UUID);
      }),
      { numRuns: 2000 },
    );
  });
});
