import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GoFormatError, parseRfc3339Nano, RFC3339_PATTERN } from '../src/index.js';

// parseRfc3339Nano reads by character codes; RFC3339_PATTERN is the form it
// follows. It must accept exactly the texts the pattern matches (then check
// ranges) and read the same numbers as the pattern's groups.

const digit = fc.constantFrom(...'0123456789');
const digits = (min: number, max: number) => fc.array(digit, { minLength: min, maxLength: max }).map((a) => a.join(''));
/** Texts near the form: valid ones, and ones with a character changed, cut or added. */
const nearForm = fc
  .tuple(digits(4, 4), digits(2, 2), digits(2, 2), digits(2, 2), digits(2, 2), digits(2, 2), fc.option(digits(0, 12)), fc.constantFrom('Z', 'z', '+', '-', ''), digits(2, 2), digits(2, 2))
  .map(([y, mo, d, h, mi, s, f, zone, oh, om]) => `${y}-${mo}-${d}T${h}:${mi}:${s}${f === null ? '' : '.' + f}${zone === '+' || zone === '-' ? `${zone}${oh}:${om}` : zone}`);
/** Texts in the form with a real date and time (so the numbers are compared). */
const valid = fc
  .tuple(fc.date({ min: new Date('1000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }), fc.option(digits(1, 12)), fc.constantFrom('Z', '+', '-'), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
  .map(([date, f, zone, oh, om]) => `${date.toISOString().slice(0, 19)}${f === null ? '' : '.' + f}${zone === 'Z' ? 'Z' : `${zone}${String(oh).padStart(2, '0')}:${String(om).padStart(2, '0')}`}`);
const mutated = fc
  .tuple(fc.oneof(valid, nearForm), fc.nat(40), fc.constantFrom('', 'x', '0', '.', ':', '-', 'T', 'Z', '\n', '٣'), fc.boolean())
  .map(([t, at, c, replace]) => t.slice(0, at % (t.length + 1)) + c + t.slice((at % (t.length + 1)) + (replace ? 1 : 0)));

describe('parseRfc3339Nano reads the form of RFC3339_PATTERN', () => {
  it('accepts exactly the texts the pattern matches, with the same offset and fraction', () => {
    fc.assert(
      fc.property(fc.oneof(valid, nearForm, mutated, fc.string()), (text) => {
        const m = RFC3339_PATTERN.exec(text);
        let parsed: ReturnType<typeof parseRfc3339Nano> | undefined;
        let error: unknown;
        try {
          parsed = parseRfc3339Nano(text);
        } catch (err) {
          error = err;
        }
        if (m === null) {
          expect(error).toBeInstanceOf(GoFormatError);
          expect((error as Error).message).toMatch(/not an RFC 3339 timestamp/);
          return;
        }
        if (parsed === undefined) {
          // The form matched: only the calendar or the offset's range may refuse it.
          expect((error as Error).message).toMatch(/out of range/);
          return;
        }
        const offsetMinutes = m[8] !== undefined ? 0 : (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11]));
        expect(parsed.offsetMinutes).toBe(offsetMinutes);
        const fraction = m[7] === undefined ? 0n : BigInt(m[7].slice(0, 9).padEnd(9, '0'));
        const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i]));
        // The instant: the date and time of day as Date reads them (years 1000-9999), minus the offset.
        if (y! >= 1000) {
          const seconds = BigInt(Date.UTC(y!, mo! - 1, d!, h!, mi!, s!) / 1000) - BigInt(offsetMinutes * 60);
          expect(parsed.unixNanos).toBe(seconds * 1_000_000_000n + fraction);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
