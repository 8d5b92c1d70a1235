import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventParseError, JsonNumber, parseExactJson, type ExactJsonValue } from '../src/index.js';

/** Our value with numbers turned into doubles, to compare with JSON.parse. */
function toPlain(v: ExactJsonValue): unknown {
  if (v instanceof JsonNumber) return Number(v.text);
  if (Array.isArray(v)) return v.map(toPlain);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toPlain(x)]));
  return v;
}

describe('parseExactJson', () => {
  it('keeps integers beyond 2^53 exact', () => {
    const v = parseExactJson('{"a":[18446744073709551615,-9223372036854775808,1.5e3]}') as { a: JsonNumber[] };
    expect(v.a.map((n) => n.text)).toEqual(['18446744073709551615', '-9223372036854775808', '1.5e3']);
  });

  it('agrees with JSON.parse on any JSON text', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        expect(toPlain(parseExactJson(text))).toEqual(JSON.parse(text));
      }),
    );
  });

  it.each(['', '{', '{"a":}', '{"a":1,}', '[1 2]', 'nul', '{"a":1} x', '01', '"\u0001"', '{a:1}', '1.', '-'])('refuses %j with BAD_JSON only', (text) => {
    expect(() => parseExactJson(text)).toThrow(EventParseError);
    expect(() => parseExactJson(text)).toThrow(expect.objectContaining({ code: 'BAD_JSON' }));
  });

  it('refuses deep nesting instead of overflowing the stack', () => {
    expect(() => parseExactJson('['.repeat(100_000))).toThrow(/nested too deeply/);
  });

  it('ignores __proto__ keys as data', () => {
    const v = parseExactJson('{"__proto__":{"x":1}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(null);
    expect(Object.keys(v)).toEqual(['__proto__']);
  });
});
