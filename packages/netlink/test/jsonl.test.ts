import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArchivalRecord } from '../src/archival-record.js';
import { formatJsonl, JsonlLineSplitter, parseArchivalRecords, readArchivalRecords } from '../src/jsonl.js';
import { JSONL_FIXTURES, loadFixture, loadJsonlLines } from '@tcpinfo/testing';

const lineTexts = (lines: ReturnType<JsonlLineSplitter['push']>) => lines.map((l) => l.line?.toString() ?? l.error!.code);

describe('JsonlLineSplitter', () => {
  it('splits at \\n, drops one trailing \\r and emits no empty line after the final newline', () => {
    const s = new JsonlLineSplitter();
    expect(lineTexts([...s.push('a\r\nb\n\nc'), ...s.end()])).toEqual(['a', 'b', '', 'c']);
    const t = new JsonlLineSplitter();
    expect(lineTexts([...t.push('a\n'), ...t.end()])).toEqual(['a']);
  });

  it('gives the same lines whatever the chunking', () => {
    const text = 'first\nsecond line\r\n\nfourth\nlast';
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: text.length }), { maxLength: 8 }), (cuts) => {
        const points = [0, ...cuts.sort((a, b) => a - b), text.length];
        const s = new JsonlLineSplitter();
        const out = [];
        for (let i = 1; i < points.length; i++) out.push(...s.push(Buffer.from(text.slice(points[i - 1], points[i]))));
        out.push(...s.end());
        expect(lineTexts(out)).toEqual(['first', 'second line', '', 'fourth', 'last']);
        expect(out.map((l) => l.lineNumber)).toEqual([1, 2, 3, 4, 5]);
      }),
    );
  });

  it('reports an over-long line once, skips it and goes on, even across chunks', () => {
    const s = new JsonlLineSplitter({ maxLineLength: 5 });
    const out = [...s.push('ok\n0123'), ...s.push('456789'), ...s.push('xx\nfine\n123456\n12345\r\n'), ...s.end()];
    expect(lineTexts(out)).toEqual(['ok', 'LINE_TOO_LONG', 'fine', 'LINE_TOO_LONG', '12345']);
    expect(out.map((l) => l.lineNumber)).toEqual([1, 2, 3, 4, 5]);
  });

  it('does not keep references to the caller chunk for unfinished lines', () => {
    const s = new JsonlLineSplitter();
    const chunk = Buffer.from('abc');
    s.push(chunk);
    chunk.fill(0x7a);
    expect(lineTexts([...s.push('\n')])).toEqual(['abc']);
  });
});

describe('reading records', () => {
  it('reads every fixture with no error, one result per line', async () => {
    for (const name of JSONL_FIXTURES) {
      const data = loadFixture(name);
      const chunks = Array.from({ length: Math.ceil(data.length / 1000) }, (_, i) => data.subarray(i * 1000, (i + 1) * 1000));
      const results = [];
      for await (const r of readArchivalRecords(chunks)) results.push(r);
      expect(results.filter((r) => r.error)).toEqual([]);
      expect(formatJsonl(results.map((r) => r.record!))).toBe(data.toString('utf8'));
    }
  });

  it('keeps going after a bad line, and says which line it was', async () => {
    const [a, b] = loadJsonlLines(JSONL_FIXTURES[2]);
    const input = `${a}\nnot json\n{"RawIDM":"%%%%"}\n${b}\n`;
    async function* source() {
      yield input.slice(0, 10);
      yield input.slice(10);
    }
    const results = [];
    for await (const r of readArchivalRecords(source())) results.push(r);
    expect(results.map((r) => [r.lineNumber, r.error?.code ?? r.record!.toJSONLine()])).toEqual([
      [1, a], [2, 'BAD_JSON'], [3, 'BAD_BASE64'], [4, b],
    ]);
    expect(parseArchivalRecords(input).map((r) => r.error?.code ?? 'ok')).toEqual(['ok', 'BAD_JSON', 'BAD_BASE64', 'ok']);
  });

  it('formats records as newline-terminated lines', () => {
    const header = ArchivalRecord.parseLine(loadJsonlLines(JSONL_FIXTURES[1])[0]!);
    expect(formatJsonl([header, header])).toBe(`${header.toJSONLine()}\n${header.toJSONLine()}\n`);
    expect(formatJsonl([])).toBe('');
  });
});
