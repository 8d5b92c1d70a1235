import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GoTime } from '@tcpinfo/netlink';
import { plainJsonText, toPlainJson } from '../src/index.js';

// plainJsonText (the JSON lines' one-pass writer) against the reference rule,
// JSON.stringify(toPlainJson(value)), over the kinds of values snapshots hold.

const leaf = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }),
  fc.constantFrom(2n ** 53n, 2n ** 53n + 1n, -(2n ** 53n), -(2n ** 53n) - 1n),
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }), // lone surrogates, controls
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.uint8Array({ maxLength: 40 }),
  fc.bigInt({ min: 0n, max: 2n ** 62n }).map((n) => GoTime.fromUnixNanos(n)),
);
const value = fc.letrec((tie) => ({
  any: fc.oneof({ depthSize: 'small' }, leaf, tie('object'), tie('array'), tie('map')),
  object: fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('srcBytes', 'dstBytes', '1', '10', '2')), tie('any'), { maxKeys: 6 }),
  array: fc.array(tie('any'), { maxLength: 5 }),
  map: fc.array(fc.tuple(fc.oneof(fc.nat(40), fc.string()), tie('any')), { maxLength: 5 }).map((entries) => new Map<unknown, unknown>(entries)),
})).any;

describe('plainJsonText', () => {
  it('writes exactly JSON.stringify(toPlainJson(value))', () => {
    fc.assert(
      fc.property(value, (v) => {
        const reference = JSON.stringify(toPlainJson(v));
        // JSON.stringify gives undefined for a top-level undefined; the writer only meets it inside arrays.
        if (reference !== undefined) expect(plainJsonText(v)).toBe(reference);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps an own key named __proto__ as a key (found by the property above in a CI run)', () => {
    const v = JSON.parse('{"__proto__":{"a":1},"b":2}') as unknown;
    expect(JSON.stringify(toPlainJson(v))).toBe('{"__proto__":{"a":1},"b":2}');
    expect(plainJsonText(v)).toBe('{"__proto__":{"a":1},"b":2}');
  });

  it('writes a hole or an undefined in an array as null, as JSON does', () => {
    // eslint-disable-next-line no-sparse-arrays
    const sparse = [1, , undefined, 2];
    expect(plainJsonText(sparse)).toBe(JSON.stringify(toPlainJson(sparse)));
  });
});
