import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dateFromUnixNanos, formatFlowEvent, parseFlowEventLine, TCPEvent, type SockId } from '../src/index.js';

const id: SockId = { sport: 443, dport: 51234, srcIP: '192.0.2.1', dstIP: '2001:db8::2', interface: 16777216, cookie: 2n ** 53n + 1n };

describe("parseFlowEventLine: the Go client's rules", () => {
  it('reads every field of a hand-written open line', () => {
    const e = parseFlowEventLine(
      '{"Event":0,"Timestamp":"2019-04-09T19:03:12.123456789Z","UUID":"host_1554836592_0020000000000001",' +
        '"ID":{"SPort":443,"DPort":51234,"SrcIP":"192.0.2.1","DstIP":"2001:db8::2","Interface":16777216,"Cookie":-2}}',
    );
    expect(e).toEqual({
      event: 'open',
      timestamp: new Date('2019-04-09T19:03:12.123Z'),
      timestampNanos: 1554836592123456789n,
      uuid: 'host_1554836592_0020000000000001',
      id: { ...id, cookie: 0xfffffffffffffffen }, // the kernel's u64, as in the UUID's hex
    });
  });

  it('reads a close line: ID null', () => {
    expect(parseFlowEventLine('{"Event":1,"Timestamp":"2019-04-09T19:03:12Z","UUID":"u","ID":null}')).toEqual({
      event: 'close',
      timestamp: new Date('2019-04-09T19:03:12Z'),
      timestampNanos: 1554836592000000000n,
      uuid: 'u',
    });
  });

  it('matches field names as Go does (exact first, else ignoring case) and ignores unknown fields', () => {
    const e = parseFlowEventLine('{"event":1,"TIMESTAMP":"2019-04-09T19:03:12Z","uuid":"x","UUID":"y","Extra":[1,{"a":2}]}');
    expect(e).toMatchObject({ event: 'close', uuid: 'y', timestampNanos: 1554836592000000000n });
  });

  it('gives missing fields their zero values (Event 0 is open, Timestamp the zero time)', () => {
    expect(parseFlowEventLine('{"Event":1}')).toMatchObject({ event: 'close', uuid: '', timestampNanos: -62135596800000000000n });
    expect(parseFlowEventLine('{"ID":{}}')).toMatchObject({ event: 'open', id: { sport: 0, dport: 0, srcIP: '', dstIP: '', interface: 0, cookie: 0n } });
  });

  it.each([
    ['{"Event":7}', 'UNKNOWN_EVENT'],
    ['{"Event":0,"ID":null}', 'MISSING_ID'],
    ['{"Event":"0"}', 'BAD_FIELD'],
    ['{"Event":0.0}', 'BAD_FIELD'],
    ['{"Timestamp":5}', 'BAD_FIELD'],
    ['{"Timestamp":"yesterday"}', 'BAD_FIELD'],
    ['{"ID":{"SPort":65536}}', 'BAD_FIELD'],
    ['{"ID":{"SPort":-1}}', 'BAD_FIELD'],
    ['{"ID":{"Interface":4294967296}}', 'BAD_FIELD'],
    ['{"ID":{"Cookie":9223372036854775808}}', 'BAD_FIELD'],
    ['{"ID":{"Cookie":1e3}}', 'BAD_FIELD'],
    ['{"ID":{"SrcIP":1}}', 'BAD_FIELD'],
    ['{"ID":[]}', 'BAD_FIELD'],
    ['[]', 'BAD_JSON'],
    ['nope', 'BAD_JSON'],
  ])('refuses %s (%s)', (line, code) => {
    expect(() => parseFlowEventLine(line)).toThrow(expect.objectContaining({ name: 'EventParseError', code }));
  });

  it('reads back every field the server writes, for any event', () => {
    const sockId = fc.record({
      sport: fc.integer({ min: 0, max: 65535 }),
      dport: fc.integer({ min: 0, max: 65535 }),
      srcIP: fc.string(),
      dstIP: fc.string(),
      interface: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
      cookie: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
    });
    const event = fc.record({
      open: fc.boolean(),
      timestampNanos: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
      uuid: fc.string({ unit: 'binary' }),
      id: sockId,
    });
    fc.assert(
      fc.property(event, ({ open, timestampNanos, uuid, id }) => {
        const line = formatFlowEvent(open ? { event: TCPEvent.Open, timestampNanos, uuid, id } : { event: TCPEvent.Close, timestampNanos, uuid });
        const parsed = parseFlowEventLine(line);
        expect(parsed).toEqual({ event: open ? 'open' : 'close', timestamp: dateFromUnixNanos(timestampNanos), timestampNanos, uuid, ...(open ? { id } : {}) });
      }),
    );
  });
});

describe('an independent JSON reader sees the same fields and exact integers', () => {
  it.skipIf(!hasPython())('Python json.loads of the server bytes', () => {
    const lines = [
      formatFlowEvent({ event: TCPEvent.Open, timestampNanos: 1554836592123456789n, uuid: 'x<&>', id: { ...id, cookie: 0x8000000000000000n } }),
      formatFlowEvent({ event: TCPEvent.Close, timestampNanos: 1554836592000000000n, uuid: 'x<&>' }),
    ].join('\n');
    const script = [
      'import json, sys',
      'for line in sys.stdin.read().splitlines():',
      '    d = json.loads(line)',
      '    i = d["ID"]',
      '    print(list(d), d["Event"], d["Timestamp"], d["UUID"], None if i is None else (list(i), i["Cookie"], type(i["SPort"]).__name__))',
    ].join('\n');
    const out = execFileSync('python3', ['-c', script], { input: lines, encoding: 'utf8' });
    expect(out.trim().split('\n')).toEqual([
      "['Event', 'Timestamp', 'UUID', 'ID'] 0 2019-04-09T19:03:12.123456789Z x<&> (['SPort', 'DPort', 'SrcIP', 'DstIP', 'Interface', 'Cookie'], -9223372036854775808, 'int')",
      "['Event', 'Timestamp', 'UUID', 'ID'] 1 2019-04-09T19:03:12Z x<&> None",
    ]);
  });
});

function hasPython(): boolean {
  try {
    execFileSync('python3', ['-c', 'pass']);
    return true;
  } catch {
    return false;
  }
}
