import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { decompress } from 'zstd-napi';
import { formatBytesOfTotal } from '../src/index.js';

// The progress bar on a real terminal: the built CLI runs under util-linux
// `script`, which gives it a pseudo-terminal; the CSV goes to a file so the
// terminal shows only what is written on stderr.

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/ndt-jdczh_1553815964_00000000000003E8.00183.jsonl.zst', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'csv-tty-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// About 3 MB of plain JSONL (several reads, so the bar has bytes done of a larger total) and its expected CSV.
const COPIES = 50;
const input = join(dir, 'big.jsonl');
writeFileSync(input, Buffer.concat(Array.from({ length: COPIES }, () => decompress(readFileSync(fixture)))));
const [header, ...rows] = readFileSync(fixture + '.csv', 'utf8').trimEnd().split('\n');
const expectedCsv = [header, ...Array.from({ length: COPIES }, () => rows).flat()].join('\n') + '\n';
const output = join(dir, 'out.csv');

/** Runs `shellCommand` on a pseudo-terminal; returns what the terminal showed and the exit status. */
function onTerminal(shellCommand: string): { terminal: string; status: number | null } {
  const r = spawnSync('script', ['-qfec', shellCommand, '/dev/null'], { encoding: 'utf8', timeout: 60_000 });
  return { terminal: r.stdout, status: r.status };
}
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const cli = `${q(process.execPath)} ${q(bin)}`;

describe('progress bar', () => {
  it('on a terminal, with files as input: bytes done of the total, erased at the end; the CSV unchanged', () => {
    const { terminal, status } = onTerminal(`${cli} ${q(input)} > ${q(output)}`);
    expect(status).toBe(0);
    expect(readFileSync(output, 'utf8')).toBe(expectedCsv);
    const frames = [...terminal.matchAll(/\r\[([# ]{30})\]\s+(\d{1,3})% (\d+\.\d)\/(\d+\.\d) MB/g)];
    expect(frames.length).toBeGreaterThan(0);
    const total = (statSync(input).size / 1e6).toFixed(1);
    for (const [, bar, percent, done, shownTotal] of frames) {
      expect(shownTotal).toBe(total);
      expect(Number(done)).toBeLessThanOrEqual(Number(total));
      expect(Number(percent)).toBeLessThanOrEqual(100);
      expect(bar!.trimEnd()).toMatch(/^#*$/);
    }
    expect(terminal.endsWith('\r\x1b[K')).toBe(true); // the line is left clean
  });

  it('nothing on stderr when it is not a terminal, when input is stdin, or with --no-progress', () => {
    const errors = join(dir, 'err.txt');
    const notTty = onTerminal(`${cli} ${q(input)} > ${q(output)} 2> ${q(errors)}`);
    expect(notTty.status).toBe(0);
    expect(readFileSync(errors, 'utf8')).toBe('');
    expect(notTty.terminal).toBe('');
    expect(readFileSync(output, 'utf8')).toBe(expectedCsv);

    const stdin = onTerminal(`${cli} < ${q(input)} > ${q(output)}`);
    expect(stdin.status).toBe(0);
    expect(stdin.terminal).toBe('');
    expect(readFileSync(output, 'utf8')).toBe(expectedCsv);

    const off = onTerminal(`${cli} --no-progress ${q(input)} > ${q(output)}`);
    expect(off.status).toBe(0);
    expect(off.terminal).toBe('');
  });

  it('counts in the unit of the total', () => {
    expect(formatBytesOfTotal(0, 512)).toBe('0/512 B');
    expect(formatBytesOfTotal(1500, 2717)).toBe('1.5/2.7 kB');
    expect(formatBytesOfTotal(262_144, 3_106_000)).toBe('0.3/3.1 MB');
    expect(formatBytesOfTotal(5e8, 1.2e9)).toBe('0.50/1.20 GB');
  });
});
