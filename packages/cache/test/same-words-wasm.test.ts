import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const compile = fileURLToPath(new URL('../wasm/compile.mjs', import.meta.url));
const generated = fileURLToPath(new URL('../src/same-words-wasm.ts', import.meta.url));
const run = (...args: string[]) => promisify(execFile)(process.execPath, [compile, ...args]);

describe('same-words-wasm.ts', () => {
  it('is what wasm/same-words.wat compiles to (wabt), and the check notices one byte changed', async () => {
    await expect(run('--check')).resolves.toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), 'same-words-'));
    try {
      const altered = join(dir, 'altered.ts');
      // The module's magic number "\0asm" is 0, 97, 115, 109: change its 'a'.
      const text = readFileSync(generated, 'utf8');
      expect(text).toContain('0, 97, 115, 109,');
      writeFileSync(altered, text.replace('0, 97, 115, 109,', '0, 98, 115, 109,'));
      await expect(run('--check', '--target', altered)).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('is not what wasm/same-words.wat compiles to') });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
