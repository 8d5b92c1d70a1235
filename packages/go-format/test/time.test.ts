import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatRfc3339Nano, GO_ZERO_TIME_UNIX_NANOS, GoFormatError, parseRfc3339Nano } from '../src/index.js';

const DAY = 86_400n * 1_000_000_000n;
const MAX_NANOS = 253_402_300_799_999_999_999n; // 9999-12-31T23:59:59.999999999Z

describe("formatRfc3339Nano: Go's time.RFC3339Nano as MarshalJSON writes it", () => {
  it.each([
    [0n, 0, '1970-01-01T00:00:00Z'],
    [1_554_836_592_123_456_789n, 0, '2019-04-09T19:03:12.123456789Z'],
    [1_554_836_592_100_000_000n, 0, '2019-04-09T19:03:12.1Z'],
    [1_554_836_592_000_000_000n, -240, '2019-04-09T15:03:12-04:00'],
    [0n, 330, '1970-01-01T05:30:00+05:30'],
    [-1n, 0, '1969-12-31T23:59:59.999999999Z'],
    [GO_ZERO_TIME_UNIX_NANOS, 0, '0001-01-01T00:00:00Z'],
  ])('%s ns at %s min', (nanos, offset, text) => {
    expect(formatRfc3339Nano(nanos, offset)).toBe(text);
  });

  it('refuses what Go cannot marshal: years outside 0000..9999, offsets beyond ±23:59', () => {
    expect(formatRfc3339Nano(GO_ZERO_TIME_UNIX_NANOS - 366n * DAY)).toBe('0000-01-01T00:00:00Z');
    for (const [nanos, offset] of [[GO_ZERO_TIME_UNIX_NANOS - 367n * DAY, 0], [MAX_NANOS + 1n, 0], [0n, 24 * 60], [0n, 0.5]] as const) {
      expect(() => formatRfc3339Nano(nanos, offset)).toThrow(GoFormatError);
      expect(() => formatRfc3339Nano(nanos, offset)).toThrow(expect.objectContaining({ code: 'OUT_OF_RANGE' }));
    }
  });

  it('agrees with Date.toISOString on millisecond instants (an independent oracle)', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.parse('0000-01-01T00:00:00Z'), max: Date.parse('9999-12-31T23:59:59.999Z') }), (ms) => {
        const iso = new Date(ms).toISOString().replace(/\.?0*Z$/, 'Z');
        expect(formatRfc3339Nano(BigInt(ms) * 1_000_000n)).toBe(iso);
      }),
    );
  });
});

describe('parseRfc3339Nano', () => {
  it('keeps the offset, truncates fraction digits beyond nine as Go does', () => {
    expect(parseRfc3339Nano('2019-04-09T15:03:12.5-04:00')).toEqual({ unixNanos: 1_554_836_592_500_000_000n, offsetMinutes: -240 });
    expect(parseRfc3339Nano('2019-04-09T19:03:12.1234567899Z').unixNanos).toBe(1_554_836_592_123_456_789n);
    expect(parseRfc3339Nano('2019-04-09T19:03:12+00:00')).toEqual({ unixNanos: 1_554_836_592_000_000_000n, offsetMinutes: 0 });
  });

  it.each(['2019-04-09 19:03:12Z', '2019-13-09T19:03:12Z', '2019-02-29T00:00:00Z', '2019-04-09T24:00:00Z', '2019-04-09T19:03:12', '2019-04-09T19:03:12+24:00', '2019-04-09t19:03:12z'])(
    'refuses %s with BAD_TIMESTAMP',
    (text) => expect(() => parseRfc3339Nano(text)).toThrow(expect.objectContaining({ name: 'GoFormatError', code: 'BAD_TIMESTAMP' })),
  );

  it('round-trips every instant and offset Go can write (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: GO_ZERO_TIME_UNIX_NANOS, max: MAX_NANOS - DAY }), fc.integer({ min: -1439, max: 1439 }), (nanos, offset) => {
        const text = formatRfc3339Nano(nanos, offset);
        expect(parseRfc3339Nano(text)).toEqual({ unixNanos: nanos, offsetMinutes: offset });
      }),
    );
  });
});
