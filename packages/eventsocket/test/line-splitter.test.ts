import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../src/index.js';

function split(chunks: string[], max = 10) {
  const lines: string[] = [];
  const tooLong: string[] = [];
  const s = new LineSplitter(max, (l) => lines.push(l), (p) => tooLong.push(p));
  for (const c of chunks) s.push(c);
  return { lines, tooLong };
}

describe('LineSplitter', () => {
  it('gives the same lines at every split point', () => {
    const text = 'ab\ncd\r\n\nefgh\n';
    for (let i = 0; i <= text.length; i++) {
      for (let j = i; j <= text.length; j++) {
        expect(split([text.slice(0, i), text.slice(i, j), text.slice(j)]).lines).toEqual(['ab', 'cd', '', 'efgh']);
      }
    }
  });

  it('keeps an unterminated line until its newline comes', () => {
    expect(split(['abc']).lines).toEqual([]);
  });

  it('reports and skips a too-long line, in one chunk or many, and goes on', () => {
    expect(split(['0123456789x\nok\n'])).toEqual({ lines: ['ok'], tooLong: ['0123456789x'] });
    const many = split(['0123', '4567', '89xy', 'zzzz', 'zz\nok\n']);
    expect(many.lines).toEqual(['ok']);
    expect(many.tooLong).toHaveLength(1);
    expect(split(['0123456789\r\n']).lines).toEqual(['0123456789']); // exactly the limit, CR dropped
  });
});
