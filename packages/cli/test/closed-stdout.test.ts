import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { exitOnStdoutError } from '../src/index.js';

function run(err: NodeJS.ErrnoException): { codes: number[]; stderr: string } {
  const stdout = new EventEmitter();
  const codes: number[] = [];
  let stderr = '';
  exitOnStdoutError('tool', stdout, { exit: (c) => codes.push(c), writeError: (t) => (stderr += t) });
  stdout.emit('error', err);
  return { codes, stderr };
}

const sysError = (code: string, message: string) => Object.assign(new Error(`${code}: ${message}, write`), { code });

describe('exitOnStdoutError', () => {
  it('a closed pipe (EPIPE) ends quietly with status 0', () => {
    expect(run(sysError('EPIPE', 'broken pipe'))).toEqual({ codes: [0], stderr: '' });
  });

  it('any other failure ends with status 1 and one line with the program, the code and the message', () => {
    expect(run(sysError('ENOSPC', 'no space left on device'))).toEqual({
      codes: [1],
      stderr: 'tool: standard output: cannot write: ENOSPC: no space left on device, write\n',
    });
  });
});
