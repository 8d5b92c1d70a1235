import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readLineBatches, readLineBytesBatches } from '../src/input.js';

/** The reader's rules, spelled out on the whole text: lines split at \n, numbered from 1,
 *  a trailing \r dropped, empty lines skipped; a last line without newline kept unless blank. */
function expectedLines(text: string): { text: string; number: number }[] {
  const parts = text.split('\n');
  const last = parts.pop()!;
  const lines = parts.map((p, i) => ({ text: p.endsWith('\r') ? p.slice(0, -1) : p, number: i + 1 })).filter((l) => l.text !== '');
  if (last.trim() !== '') lines.push({ text: last, number: parts.length + 1 });
  return lines;
}

/** `bytes` as a stream cut at the given offsets. */
function chunked(bytes: Buffer, cuts: number[]): Readable {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const p of [...points, bytes.length]) {
    if (p > from) chunks.push(bytes.subarray(from, p));
    from = p;
  }
  return Readable.from(chunks);
}

const piece = fc.oneof(
  fc.constantFrom('\n', '\r\n', '\r', ' ', '{"a":1}', 'é', '\u2028', '😀', 'x'.repeat(40)),
  fc.string({ maxLength: 12 }),
);
const jsonlText = fc.array(piece, { maxLength: 60 }).map((p) => 'L' + p.join(''));

describe('line readers', () => {
  it('bytes and text readers give every line with its number, however the input is cut', async () => {
    await fc.assert(
      fc.asyncProperty(jsonlText, fc.array(fc.nat(), { maxLength: 20 }), async (text, cuts) => {
        const bytes = Buffer.from(text, 'utf8');
        const fromBytes: { text: string; number: number }[] = [];
        for await (const b of readLineBytesBatches(chunked(bytes, cuts))) {
          for (let i = 0; i < b.starts.length; i++) fromBytes.push({ text: b.bytes.toString('utf8', b.starts[i], b.ends[i]), number: b.numbers[i]! });
        }
        const fromText: { text: string; number: number }[] = [];
        for await (const batch of readLineBatches(chunked(bytes, cuts))) for (const l of batch) fromText.push({ text: l.text, number: l.number });
        const expected = expectedLines(text);
        expect(fromBytes).toEqual(expected);
        expect(fromText).toEqual(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it('a line longer than maxLineLength is an error naming its number, whether or not a chunk cuts it', async () => {
    const text = 'short\n' + 'y'.repeat(100) + '\nafter\n';
    for (const cuts of [[], [50], [3, 60, 90]]) {
      const read = async () => {
        for await (const _ of readLineBytesBatches(chunked(Buffer.from(text), cuts), { maxLineLength: 64, sourceName: 'f.jsonl' })) void _;
      };
      await expect(read()).rejects.toThrow(/f\.jsonl:2: line longer than 64 bytes/);
    }
  });
});
