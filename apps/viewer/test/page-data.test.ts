import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConnections } from '../src/load.js';
import { pageDataJson } from '../src/page-data.js';
import { viewsOf } from '../src/view.js';
import { ARCHIVE, FINWAIT2, NDT } from './synthetic.js';

/** What the page used to embed: the views with plain arrays, stringified at once and made script-safe. */
const reference = (value: unknown) =>
  JSON.stringify(value, (_, v: unknown) => (v instanceof Float64Array ? Array.from(v) : v)).replace(/</g, '\\u003c');
const chunked = (value: unknown) => [...pageDataJson(value)].join('');

describe('page data as JSON chunks', () => {
  it('equals JSON.stringify for any JSON value, strings with < included', () => {
    const withAngles = fc.jsonValue().map((v) => (typeof v === 'string' ? `<${v}</script>` : v));
    fc.assert(fc.property(fc.oneof(fc.jsonValue(), withAngles), (value) => {
      expect(chunked(value)).toBe(reference(value));
    }));
  });

  it('writes a Float64Array as numbers, NaN and infinities as null, across chunk boundaries', () => {
    const special = fc.constantFrom(Number.NaN, Infinity, -Infinity, -0, 5e-324, Number.MAX_VALUE);
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.double(), special), { maxLength: 50 }), (values) => {
        const series = { label: 'x<y', values: Float64Array.from(values) };
        expect(chunked([series])).toBe(reference([series]));
      }),
    );
    const long = Float64Array.from({ length: 20_000 }, (_, i) => (i % 7 === 0 ? Number.NaN : i / 3));
    expect(chunked({ values: long })).toBe(reference({ values: long }));
    expect([...pageDataJson(long)].length).toBeGreaterThan(3); // in pieces, not one string
  });

  it('the recorded files\' views: the same text the page embedded when it stringified them at once', async () => {
    const views = viewsOf(await loadConnections([NDT, FINWAIT2, ARCHIVE]));
    expect(views).toHaveLength(142);
    expect(chunked(views)).toBe(reference(views));
  });
});
