import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NetlinkParseError } from '../src/errors.js';
import { GoTime } from '../src/go-time.js';

// Instants Go can marshal: years 0000..9999 (checked again after the offset is applied).
const MIN_NANOS = -62_167_219_200n * 1_000_000_000n + 24n * 3_600_000_000_000n; // 0000-01-02
const MAX_NANOS = 253_402_300_799n * 1_000_000_000n - 24n * 3_600_000_000_000n; // 9999-12-30

describe('GoTime.toString (Go RFC3339Nano)', () => {
  it.each([
    ['zero time', GoTime.ZERO, '0001-01-01T00:00:00Z'],
    ['Unix epoch', GoTime.fromUnixNanos(0n), '1970-01-01T00:00:00Z'],
    ['nanoseconds', GoTime.fromUnixNanos(1_554_836_592_123_456_789n), '2019-04-09T19:03:12.123456789Z'],
    ['trailing zeros removed', GoTime.fromUnixNanos(1_554_836_592_120_000_000n), '2019-04-09T19:03:12.12Z'],
    ['one nanosecond', GoTime.fromUnixNanos(1n), '1970-01-01T00:00:00.000000001Z'],
    ['negative offset', GoTime.fromUnixNanos(1_554_836_592_000_000_000n, -240), '2019-04-09T15:03:12-04:00'],
    ['offset with minutes', GoTime.fromUnixNanos(0n, 330), '1970-01-01T05:30:00+05:30'],
    ['before 1970', GoTime.fromUnixNanos(-1n), '1969-12-31T23:59:59.999999999Z'],
    ['leap day', GoTime.parse('2024-02-29T23:59:59.5Z'), '2024-02-29T23:59:59.5Z'],
    ['year 0', GoTime.parse('0000-01-01T00:00:00Z'), '0000-01-01T00:00:00Z'],
    ['year 9999', GoTime.parse('9999-12-31T23:59:59.999999999Z'), '9999-12-31T23:59:59.999999999Z'],
  ])('%s', (_name, time, text) => {
    expect(time.toString()).toBe(text);
    expect(JSON.stringify({ t: time })).toBe(`{"t":"${text}"}`);
  });

  it('agrees with Date.toISOString for millisecond instants (an independent oracle)', () => {
    const minMs = Date.parse('0000-01-01T00:00:00Z');
    const maxMs = Date.parse('9999-12-31T23:59:59.999Z');
    fc.assert(
      fc.property(fc.integer({ min: minMs, max: maxMs }), (ms) => {
        const iso = new Date(ms).toISOString().replace(/\.?0*Z$/, 'Z');
        expect(GoTime.fromDate(new Date(ms)).toString()).toBe(iso);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps the instant and the offset apart', () => {
    const utc = GoTime.parse('2019-04-09T19:03:12Z');
    const ny = GoTime.parse('2019-04-09T15:03:12-04:00');
    expect(ny.unixNanos).toBe(utc.unixNanos);
    expect(ny.offsetMinutes).toBe(-240);
    expect(ny.equals(utc)).toBe(false);
    expect(ny.toUTC().toString()).toBe(utc.toString());
    expect(ny.unixMillis()).toBe(Date.parse('2019-04-09T19:03:12Z'));
  });

  it('writes +00:00 as Z, as Go does', () => {
    expect(GoTime.parse('2019-04-09T19:03:12+00:00').toString()).toBe('2019-04-09T19:03:12Z');
  });

  it('isZero only for the zero time', () => {
    expect(GoTime.ZERO.isZero()).toBe(true);
    expect(GoTime.parse('0001-01-01T00:00:00Z').isZero()).toBe(true);
    expect(GoTime.fromUnixNanos(0n).isZero()).toBe(false);
  });
});

describe('GoTime.parse', () => {
  it('truncates fraction digits beyond nine, as Go does', () => {
    expect(GoTime.parse('2019-04-09T19:03:12.1234567899Z').toString()).toBe('2019-04-09T19:03:12.123456789Z');
  });

  it.each([
    '',
    '2019-04-09',
    '2019-04-09 19:03:12Z',
    '2019-04-09t19:03:12Z',
    '2019-04-09T19:03:12z',
    '2019-04-09T19:03:12',
    '2019-04-09T19:03:12.Z',
    '2019-4-09T19:03:12Z',
    '2019-13-09T19:03:12Z',
    '2019-00-09T19:03:12Z',
    '2019-02-29T19:03:12Z',
    '2019-04-31T19:03:12Z',
    '2019-04-09T24:00:00Z',
    '2019-04-09T19:60:12Z',
    '2019-04-09T19:03:60Z',
    '2019-04-09T19:03:12+24:00',
    '2019-04-09T19:03:12+05:60',
    '2019-04-09T19:03:12+0500',
    '+12019-04-09T19:03:12Z',
    '２019-04-09T19:03:12Z',
  ])('refuses %j with BAD_TIMESTAMP', (text) => {
    expect(() => GoTime.parse(text)).toThrow(expect.objectContaining({ name: 'NetlinkParseError', code: 'BAD_TIMESTAMP' }));
  });

  it('round-trips random instants and offsets', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: MIN_NANOS, max: MAX_NANOS }),
        fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 }),
        (nanos, offset) => {
          const time = GoTime.fromUnixNanos(nanos, offset);
          const parsed = GoTime.parse(time.toString());
          expect(parsed.unixNanos).toBe(nanos);
          expect(parsed.offsetMinutes).toBe(offset === 0 ? 0 : offset);
          expect(parsed.toString()).toBe(time.toString());
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('only ever throws NetlinkParseError on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{0,12})?(Z|[+-]\d\d:\d\d)?$/)), (text) => {
        try {
          GoTime.parse(text);
        } catch (err) {
          expect(err).toBeInstanceOf(NetlinkParseError);
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('GoTime construction', () => {
  it('refuses offsets and years Go cannot marshal', () => {
    for (const make of [
      () => GoTime.fromUnixNanos(0n, 24 * 60),
      () => GoTime.fromUnixNanos(0n, 1.5),
      () => GoTime.fromUnixNanos(MAX_NANOS + 10n * 86_400_000_000_000n),
      () => GoTime.fromUnixNanos(MIN_NANOS - 10n * 86_400_000_000_000n),
      () => GoTime.fromDate(new Date(Number.NaN)),
    ]) {
      expect(make).toThrow(NetlinkParseError);
    }
  });

  it('now() has nanosecond resolution and follows the wall clock', () => {
    const before = BigInt(Date.now()) * 1_000_000n;
    const times = Array.from({ length: 50 }, () => GoTime.now());
    const after = BigInt(Date.now() + 1) * 1_000_000n;
    for (const t of times) {
      expect(t.unixNanos >= before - 2_000_000n && t.unixNanos <= after + 2_000_000n).toBe(true);
      expect(t.offsetMinutes).toBe(0);
    }
    // Sub-millisecond digits are present (not all readings are whole milliseconds).
    expect(times.some((t) => t.unixNanos % 1_000_000n !== 0n)).toBe(true);
  });
});
