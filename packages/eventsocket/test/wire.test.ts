import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { formatFlowEvent, formatGoTimeUTC, parseFlowEventLine, TCPEvent } from '../src/index.js';

const id = { sport: 443, dport: 51234, srcIP: '192.0.2.1', dstIP: '2001:db8::2', interface: 16777216, cookie: 2n ** 53n + 1n };

describe('wire format (SPEC §8), golden bytes written by hand from the spec', () => {
  it('open event', () => {
    expect(formatFlowEvent({ event: TCPEvent.Open, timestampNanos: 1554836592123456789n, uuid: 'host_1554836592_0020000000000001', id })).toBe(
      '{"Event":0,"Timestamp":"2019-04-09T19:03:12.123456789Z","UUID":"host_1554836592_0020000000000001",' +
        '"ID":{"SPort":443,"DPort":51234,"SrcIP":"192.0.2.1","DstIP":"2001:db8::2","Interface":16777216,"Cookie":9007199254740993}}',
    );
  });
  it('close event: ID null', () => {
    expect(formatFlowEvent({ event: TCPEvent.Close, timestampNanos: 1554836592000000000n, uuid: 'u' })).toBe(
      '{"Event":1,"Timestamp":"2019-04-09T19:03:12Z","UUID":"u","ID":null}',
    );
  });
  it('cookies with the top bit set are written as signed int64', () => {
    const line = formatFlowEvent({ event: TCPEvent.Open, timestampNanos: 0n, uuid: 'u', id: { ...id, cookie: 0xfffffffffffffffen } });
    expect(line).toContain('"Cookie":-2}');
  });
  it('timestamps: trailing zeros trimmed, no dot for whole seconds', () => {
    expect(formatGoTimeUTC(1554836592100000000n)).toBe('2019-04-09T19:03:12.1Z');
    expect(formatGoTimeUTC(1554836592000000001n)).toBe('2019-04-09T19:03:12.000000001Z');
  });
  it('strings escaped as Go does', () => {
    expect(formatFlowEvent({ event: 1, timestampNanos: 0n, uuid: 'a<b>&"' })).toContain('"UUID":"a\\u003cb\\u003e\\u0026\\""');
  });
});

describe("reading it back with the Go client's rules", () => {
  it('gives every field back exactly, both cookies included', () => {
    for (const cookie of [2n ** 53n + 1n, 0xfffffffffffffffen, 1n]) {
      const line = formatFlowEvent({ event: TCPEvent.Open, timestampNanos: 1554836592123456789n, uuid: 'x', id: { ...id, cookie } });
      const e = parseFlowEventLine(line);
      expect(e).toMatchObject({ event: 'open', uuid: 'x', timestampNanos: 1554836592123456789n, id: { ...id, cookie } });
      expect(e.timestamp.toISOString()).toBe('2019-04-09T19:03:12.123Z');
    }
    const close = parseFlowEventLine(formatFlowEvent({ event: TCPEvent.Close, timestampNanos: 5n, uuid: 'y' }));
    expect(close).toEqual({ event: 'close', uuid: 'y', timestampNanos: 5n, timestamp: new Date(0) });
  });
  it('another language reads the same fields and types (Python json, exact integers)', () => {
    const line = formatFlowEvent({ event: TCPEvent.Open, timestampNanos: 1554836592123456789n, uuid: 'x', id: { ...id, cookie: 0xfffffffffffffffen } });
    const out = execFileSync('python3', ['-c', 'import json,sys\nd=json.loads(sys.stdin.read())\nprint(sorted(d), sorted(d["ID"]), d["ID"]["Cookie"], d["Event"], type(d["ID"]["SPort"]).__name__)'], { input: line, encoding: 'utf8' });
    expect(out.trim()).toBe("['Event', 'ID', 'Timestamp', 'UUID'] ['Cookie', 'DPort', 'DstIP', 'Interface', 'SPort', 'SrcIP'] -2 0 int");
  });
  it('rejects what is not an event', () => {
    expect(() => parseFlowEventLine('{"Event":7,"Timestamp":"2019-04-09T19:03:12Z","UUID":"u"}')).toThrow(/unknown event/);
    expect(() => parseFlowEventLine('nope')).toThrow(/not JSON/);
  });
});
