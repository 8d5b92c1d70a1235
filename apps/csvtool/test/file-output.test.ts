import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileOutput } from '../src/file-output.js';

// -o FILE's stream: synchronous writes (one chunk, or many at once through
// writev), every byte in order, the file closed at the end, errors as events.
const dir = mkdtempSync(join(tmpdir(), 'csv-file-output-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function ended(out: FileOutput): Promise<void> {
  return new Promise((resolve, reject) => {
    out.once('error', reject);
    out.end((err?: Error | null) => (err ? reject(err) : resolve()));
  });
}

describe('FileOutput', () => {
  it('single writes and corked batches (writev) land in order, byte for byte', async () => {
    const path = join(dir, 'out.bin');
    const out = new FileOutput(openSync(path, 'w'));
    const chunks = Array.from({ length: 300 }, (_, i) => Buffer.alloc((i * 7919) % 70_000, i & 0xff));
    for (let i = 0; i < chunks.length; i++) {
      if (i % 50 === 0) out.cork();
      out.write(chunks[i]);
      if (i % 50 === 49) out.uncork();
    }
    await ended(out);
    expect(readFileSync(path).equals(Buffer.concat(chunks))).toBe(true);
  });

  it('a full disk is an error event naming ENOSPC', async () => {
    const out = new FileOutput(openSync('/dev/full', 'w'));
    const error = new Promise((resolve) => out.once('error', resolve));
    out.write(Buffer.alloc(4096, 1));
    expect(await error).toMatchObject({ code: 'ENOSPC' });
  });
});
