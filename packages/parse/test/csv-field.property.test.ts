import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvField } from '../src/index.js';

// csvField quotes a field exactly when Go's encoding/csv does (fieldNeedsQuotes):
// empty never; `\.` always; a quote, comma, CR or LF anywhere; a first character
// that unicode.IsSpace calls a space. This is that rule as Go words it, kept
// apart from csvField's character loop.
const GO_SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;
function goNeedsQuotes(field: string): boolean {
  if (field === '') return false;
  if (field === '\\.') return true;
  return /[",\r\n]/.test(field) || GO_SPACE.test(field);
}
const reference = (field: string): string => (goNeedsQuotes(field) ? '"' + field.replaceAll('"', '""') + '"' : field);

describe('csvField', () => {
  it("quotes as Go's encoding/csv does: the edge cases", () => {
    for (const f of ['', '0', '-12', 'cubic', '\\.', '\\', 'a,b', 'say "hi"', 'a\rb', 'a\nb', ' x', '\tx', '\u00a0x', '\u3000x', 'x ', '\u0085', '\u00e9t\u00e9', '\u{1F600}'])
      expect(csvField(f)).toBe(reference(f));
  });

  it("quotes as Go's encoding/csv does: any string", () => {
    const chars = fc.constantFrom('a', '1', '-', ',', '"', '\r', '\n', ' ', '\t', '\\', '.', '\u00a0', '\u0085', '\u2028', '\u00e9');
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: chars })), (f) => {
        expect(csvField(f)).toBe(reference(f));
      }),
      { numRuns: 3000 },
    );
  });
});
