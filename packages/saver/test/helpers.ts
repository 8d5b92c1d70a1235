import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { decompress } from 'zstd-napi';
import { findFrameCompressedSize } from 'zstd-napi/binding.js';
import { buildIdm, v4 } from '@tcpinfo/testing';

/** A 72-byte inet_diag_msg with the given cookie halves and IPv4 addresses (@tcpinfo/testing's builder). */
export function fakeIdm(cookieHi: number, cookieLo: number, state = 1): Buffer {
  return buildIdm({ state, sport: 40000, dport: 443, src: v4('192.0.2.2'), dst: v4('192.0.2.1'), cookie: (BigInt(cookieHi >>> 0) << 32n) | BigInt(cookieLo >>> 0) });
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
