import { describe, expect, it } from 'vitest';
import { formatFlowEvent, TCPEvent, type SockId } from '../src/index.js';

// Expected bytes are written by hand from SPEC §8 (key order Event, Timestamp,
// UUID, ID; ID's keys SPort, DPort, SrcIP, DstIP, Interface, Cookie; Cookie a
// signed int64; Timestamp as Go's RFC3339Nano in UTC), not taken from our output.
const id: SockId = { sport: 443, dport: 51234, srcIP: '192.0.2.1', dstIP: '2001:db8::2', interface: 16777216, cookie: 2n ** 53n + 1n };

describe('formatFlowEvent: golden lines (SPEC §8)', () => {
  it('open event, cookie above 2^53 exact', () => {
    expect(formatFlowEvent({ event: TCPEvent.Open, timestampNanos: 1554836592123456789n, uuid: 'host_1554836592_0020000000000001', id })).toBe(
      '{"Event":0,"Timestamp":"2019-04-09T19:03:12.123456789Z","UUID":"host_1554836592_0020000000000001",' +
        '"ID":{"SPort":443,"DPort":51234,"SrcIP":"192.0.2.1","DstIP":"2001:db8::2","Interface":16777216,"Cookie":9007199254740993}}',
    );
  });

  it('close event: ID null, whole second without a fraction', () => {
    expect(formatFlowEvent({ event: TCPEvent.Close, timestampNanos: 1554836592000000000n, uuid: 'host_1554836592_0020000000000001' })).toBe(
      '{"Event":1,"Timestamp":"2019-04-09T19:03:12Z","UUID":"host_1554836592_0020000000000001","ID":null}',
    );
  });

  it('cookie with the top bit set is written as the signed int64 (u64 or signed input alike)', () => {
    const line = '{"Event":0,"Timestamp":"1970-01-01T00:00:00.5Z","UUID":"u","ID":{"SPort":1,"DPort":2,"SrcIP":"10.0.0.1","DstIP":"::ffff:10.0.0.2","Interface":0,"Cookie":-9223372036854775807}}';
    const e = { event: TCPEvent.Open, timestampNanos: 500_000_000n, uuid: 'u' } as const;
    const sock = { sport: 1, dport: 2, srcIP: '10.0.0.1', dstIP: '::ffff:10.0.0.2', interface: 0 };
    expect(formatFlowEvent({ ...e, id: { ...sock, cookie: 0x8000000000000001n } })).toBe(line);
    expect(formatFlowEvent({ ...e, id: { ...sock, cookie: -9223372036854775807n } })).toBe(line);
    expect(formatFlowEvent({ ...e, id: { ...sock, cookie: 0xffffffffffffffffn } })).toContain('"Cookie":-1}');
  });

  it("escapes strings as Go's encoding/json does", () => {
    expect(formatFlowEvent({ event: TCPEvent.Close, timestampNanos: 0n, uuid: 'a<b>&"\\\u2028\u2029\u0001é' })).toBe(
      '{"Event":1,"Timestamp":"1970-01-01T00:00:00Z","UUID":"a\\u003cb\\u003e\\u0026\\"\\\\\\u2028\\u2029\\u0001é","ID":null}',
    );
  });
});
