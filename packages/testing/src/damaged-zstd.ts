import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Damaged copies of real .zst files, made as a user meets them (bytes flipped
 * on disk, a file cut short), and what the independent `zstd` CLI says of
 * them: tests of the readers compare against it.
 */

/** Copies `source` to `dir/name` with `count` bytes set to 0xff from `offset` (a negative offset counts from the end). */
export function flippedCopy(source: string, dir: string, name: string, offset: number, count = 4): string {
  const bytes = Buffer.from(readFileSync(source));
  const at = offset < 0 ? bytes.length + offset : offset;
  bytes.fill(0xff, at, at + count);
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** `zstd -t`: whether the zstd CLI finds the file sound. */
export function zstdSaysSound(path: string): boolean {
  return spawnSync('zstd', ['-t', '-q', path]).status === 0;
}

/** The complete lines `zstd -dc` writes before it stops at the damage (all lines of a sound file). */
export function zstdLinesBeforeDamage(path: string): string[] {
  const r = spawnSync('zstd', ['-dc', '-q', path], { maxBuffer: 1 << 30 });
  const text = r.stdout.toString('utf8');
  const lines = text.split('\n');
  lines.pop(); // the part after the last newline: empty, or a line the damage cut
  return lines;
}

/** The lines of the decompressed sound file (for comparing with what came before the damage). */
export function zstdLines(path: string): string[] {
  return zstdLinesBeforeDamage(path);
}

/** The index of the first line where `damaged` differs from `sound`: the lines before it are intact. */
export function intactPrefix(damaged: readonly string[], sound: readonly string[]): number {
  let i = 0;
  while (i < damaged.length && i < sound.length && damaged[i] === sound[i]) i++;
  return i;
}
