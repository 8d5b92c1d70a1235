import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConnectionCache, SnapshotArena, UpdateResult } from '../src/index.js';

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

describe('without WebAssembly (node --jitless)', () => {
  it('the cache still works, over a plain arena', async () => {
    // The built package, as an operator's process would load it (the suite's global setup builds it).
    const dist = new URL('../dist/index.js', import.meta.url).href;
    const script = `
      const { ConnectionCache, SnapshotArena } = await import(${JSON.stringify(dist)});
      const arena = new SnapshotArena(undefined, undefined, true);
      const cache = new ConnectionCache();
      const payload = Buffer.alloc(72); // an inet_diag_msg without attributes
      payload.writeUInt32LE(7, 44); // its cookie
      const datagram = Buffer.alloc(88);
      payload.copy(datagram, 16);
      const view = datagram.subarray(16, 88);
      const first = cache.update(view, undefined, undefined, datagram);
      const second = cache.update(view, undefined, undefined, datagram);
      console.log(JSON.stringify({ wasm: typeof WebAssembly, simd: arena.sameWords !== undefined, first, second, size: cache.size }));
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['--jitless', '--input-type=module', '-e', script]);
    // The answers of a plain arena's cache here, for the same payload twice.
    const plain = new ConnectionCache(new SnapshotArena(8, 1));
    const payload = Buffer.alloc(72);
    payload.writeUInt32LE(7, 44);
    const expected = [plain.update(payload), plain.update(payload)];
    expect(expected[0]).toBe(UpdateResult.New);
    expect(JSON.parse(stdout)).toEqual({ wasm: 'undefined', simd: false, first: expected[0], second: expected[1], size: 1 });
  });
});
