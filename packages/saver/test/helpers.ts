import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { decompress } from 'zstd-napi';
import { findFrameCompressedSize } from 'zstd-napi/binding.js';

/** A 72-byte inet_diag_msg with the given cookie halves and IPv4 addresses. */
export function fakeIdm(cookieHi: number, cookieLo: number, state = 1): Buffer {
  const b = Buffer.alloc(72);
  b[0] = 2;
  b[1] = state;
  b.writeUInt16BE(40000, 4);
  b.writeUInt16BE(443, 6);
  b.set([192, 0, 2, 2], 8);
  b.set([192, 0, 2, 1], 24);
  b.writeUInt32LE(cookieLo, 44);
  b.writeUInt32LE(cookieHi, 48);
  return b;
}

/** Lines of a .jsonl.zst file, checked with the zstd CLI first. */
export function readZstLines(path: string): string[] {
  execFileSync('zstd', ['-t', '-q', path]);
  const text = execFileSync('zstd', ['-dc', path], { encoding: 'utf8' });
  expectTrailingNewline(text);
  return text.split('\n').slice(0, -1);
}

function expectTrailingNewline(text: string): void {
  if (!text.endsWith('\n')) throw new Error('file does not end with a newline');
}

/** Number of zstd frames in a file. */
export function frameCount(path: string): number {
  const buf = readFileSync(path);
  let n = 0;
  for (let p = 0; p < buf.length; n++) p += findFrameCompressedSize(buf.subarray(p));
  return n;
}

/** Decompresses with the library (not the CLI), for cross-checks. */
export function decodeFile(path: string): string {
  return decompress(readFileSync(path)).toString('utf8');
}
