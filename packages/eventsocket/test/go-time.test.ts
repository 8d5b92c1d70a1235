import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dateFromUnixNanos, formatGoTimeUTC, GO_ZERO_TIME_UNIX_NANOS, parseRfc3339Nanos } from '../src/index.js';

describe("formatGoTimeUTC: Go's RFC3339Nano in UTC", () => {
  it.each([
    [1554836592123456789n, '2019-04-09T19:03:12.123456789Z'],
    [1554836592100000000n, '2019-04-09T19:03:12.1Z'],
    [1554836592000000001n, '2019-04-09T19:03:12.000000001Z'],
    [1554836592000000000n, '2019-04-09T19:03:12Z'],
    [0n, '1970-01-01T00:00:00Z'],
    [-1n, '1969-12-31T23:59:59.999999999Z'],
    [GO_ZERO_TIME_UNIX_NANOS, '0001-01-01T00:00:00Z'],
    [2n ** 63n - 1n, '2262-04-11T23:47:16.854775807Z'],
  ])('%s ns → %s', (nanos, text) => {
    expect(formatGoTimeUTC(nanos)).toBe(text);
  });

  it('refuses years Go cannot marshal', () => {
    expect(formatGoTimeUTC(GO_ZERO_TIME_UNIX_NANOS - 366n * 86_400n * 1_000_000_000n)).toBe('0000-01-01T00:00:00Z');
    expect(() => formatGoTimeUTC(GO_ZERO_TIME_UNIX_NANOS - 367n * 86_400n * 1_000_000_000n)).toThrow(expect.objectContaining({ code: 'OUT_OF_RANGE' }));
    expect(() => formatGoTimeUTC(253402300800n * 1_000_000_000n)).toThrow(expect.objectContaining({ code: 'OUT_OF_RANGE' })); // 10000-01-01
  });
});

describe('parseRfc3339Nanos', () => {
  it('reads offsets, short fractions and the zero time', () => {
    expect(parseRfc3339Nanos('2019-04-09T15:03:12.5-04:00')).toBe(1554836592500000000n);
    expect(parseRfc3339Nanos('2019-04-09T19:03:12+00:00')).toBe(1554836592000000000n);
    expect(parseRfc3339Nanos('0001-01-01T00:00:00Z')).toBe(GO_ZERO_TIME_UNIX_NANOS);
  });

  it.each(['2019-04-09 19:03:12Z', '2019-13-09T19:03:12Z', '2019-02-30T00:00:00Z', '2019-04-09T19:03:12'])(
    'refuses %s',
    (text) => expect(() => parseRfc3339Nanos(text)).toThrow(/not RFC 3339/),
  );

  it('round-trips every nanosecond of years 1-9999', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: GO_ZERO_TIME_UNIX_NANOS, max: 253402300799999999999n }), (nanos) => {
        expect(parseRfc3339Nanos(formatGoTimeUTC(nanos))).toBe(nanos);
      }),
    );
  });

  it('gives a Date rounded down to the millisecond, also before 1970', () => {
    expect(dateFromUnixNanos(1554836592123999999n).toISOString()).toBe('2019-04-09T19:03:12.123Z');
    expect(dateFromUnixNanos(-1n).toISOString()).toBe('1969-12-31T23:59:59.999Z');
  });
});
