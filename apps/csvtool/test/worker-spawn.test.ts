import { describe, expect, it } from 'vitest';
import { expectsSeveralInputs } from '../src/worker-spawn.js';

// When tcpinfo-csv starts its first worker before listing its inputs: a pure
// decision from the options (and whether the one argument is a directory).
describe('expectsSeveralInputs', () => {
  const dirs = new Set(['day/']);
  const isDirectory = (p: string) => dirs.has(p);
  const cases: [string, Parameters<typeof expectsSeveralInputs>[0], boolean][] = [
    ['several files', { jobs: 2, args: ['a.jsonl', 'b.jsonl'], isDirectory }, true],
    ['one directory', { jobs: 2, args: ['day/'], isDirectory }, true],
    ['a list', { jobs: 2, args: [], filesFrom: '-', isDirectory }, true],
    ['one file', { jobs: 2, args: ['a.jsonl'], isDirectory }, false],
    ['standard input', { jobs: 2, args: ['-'], isDirectory }, false],
    ['no argument (standard input)', { jobs: 2, args: [], isDirectory }, false],
    ['--jobs 1, several files', { jobs: 1, args: ['a.jsonl', 'b.jsonl'], isDirectory }, false],
    ['--jobs 1, a directory', { jobs: 1, args: ['day/'], isDirectory }, false],
  ];
  for (const [name, options, expected] of cases) {
    it(`${name}: ${expected ? 'starts one' : 'starts none'}`, () => expect(expectsSeveralInputs(options)).toBe(expected));
  }
});
