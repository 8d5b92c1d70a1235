import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { flippedCopy, intactPrefix, zstdLines, zstdLinesBeforeDamage, zstdSaysSound } from '@tcpinfo/testing';
import { readConnection, readLineBytesBatches, readLines, readRecords, readSnapshots, TcpInfoReadError, type Input } from '../src/index.js';

// Damaged copies of the real sample files, checked with the zstd CLI: every
// reader, fed a path, a Buffer or a stream, yields every record zstd itself
// restores before the damage, then fails with BAD_ZSTD naming the file (it
// used to hang, or end quietly with part of the data).

const TESTDATA = new URL('../../../../shared/testdata/', import.meta.url);
const sample = (name: string) => new URL(name, TESTDATA).pathname;
const ARCHIVE = sample('archiveRecords.jsonl.zst');
const NDT = sample('ndt-jdczh_1553815964_00000000000003E8.00183.jsonl.zst');
const FIN = sample('finwait2-sample_1554836592_unsafe_000000000135A272.00000.jsonl.zst');

const dir = mkdtempSync(join(tmpdir(), 'parse-corrupt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Three frames in one file, as a writer that flushes frames makes them; the middle one is damaged.
const multi = join(dir, 'multi.jsonl.zst');
writeFileSync(multi, Buffer.concat([readFileSync(NDT), readFileSync(ARCHIVE), readFileSync(FIN)]));
const cases = [
  { name: 'four bytes flipped inside the only frame', sound: ARCHIVE, damaged: flippedCopy(ARCHIVE, dir, 'flip.jsonl.zst', 1000) },
  { name: 'the checksum flipped (every byte decodes, the check fails)', sound: NDT, damaged: flippedCopy(NDT, dir, 'sum.jsonl.zst', -4), oneBlock: true },
  { name: 'eight bytes flipped in the middle frame of three', sound: multi, damaged: flippedCopy(multi, dir, 'multi-flip.jsonl.zst', readFileSync(NDT).length + 3000, 8) },
];

const inputs: { kind: string; open: (path: string) => Input }[] = [
  { kind: 'path', open: (p) => p },
  { kind: 'Buffer', open: (p) => readFileSync(p) },
  { kind: 'stream', open: (p) => createReadStream(p, { highWaterMark: 1024 }) },
];

async function drain(lines: AsyncIterable<{ text: string }>): Promise<{ texts: string[]; error: unknown }> {
  const texts: string[] = [];
  try {
    for await (const l of lines) texts.push(l.text);
  } catch (error) {
    return { texts, error };
  }
  return { texts, error: undefined };
}

describe.each(cases)('a damaged .zst: $name', ({ sound, damaged, oneBlock }) => {
  const soundLines = zstdLines(sound);
  // What zstd -dc restores before it stops.
  const intact = intactPrefix(zstdLinesBeforeDamage(damaged), soundLines);

  it('is damaged as the zstd CLI sees it, with intact lines before the damage', () => {
    expect(zstdSaysSound(sound)).toBe(true);
    expect(zstdSaysSound(damaged)).toBe(false);
    // A frame of one block whose checksum fails: decoders may hold that block back.
    if (oneBlock !== true) expect(intact).toBeGreaterThan(0);
  });

  it.each(inputs)('readSnapshots, readRecords, readLines of a $kind: every intact record, then BAD_ZSTD naming the file', async ({ open }) => {
    const readers = [
      (i: Input) => readSnapshots(i, { sourceName: damaged }),
      (i: Input) => readRecords(i, { sourceName: damaged }),
      (i: Input) => readLines(i, { sourceName: damaged }),
    ];
    for (const read of readers) {
      const { texts, error } = await drain(
        (async function* () {
          for await (const x of read(open(damaged))) yield 'line' in x ? x.line : x;
        })(),
      );
      expect(error).toBeInstanceOf(TcpInfoReadError);
      expect(error).toMatchObject({ code: 'BAD_ZSTD', source: damaged, line: 0 });
      expect((error as Error).message).toMatch(new RegExp(`^${damaged}: corrupt zstd data: `));
      expect(texts.length).toBeGreaterThanOrEqual(intact);
      expect(texts.slice(0, intact)).toEqual(soundLines.slice(0, intact));
    }
  });

  it('readLineBytesBatches and readConnection end in the same error', async () => {
    let lines = 0;
    const batches = (async () => {
      for await (const b of readLineBytesBatches(damaged)) lines += b.starts.length;
    })();
    await expect(batches).rejects.toMatchObject({ code: 'BAD_ZSTD', source: damaged });
    expect(lines).toBeGreaterThanOrEqual(intact);
    await expect(readConnection(damaged)).rejects.toMatchObject({ code: 'BAD_ZSTD', source: damaged });
  });

  it('skipping bad lines (onInvalid) still ends in BAD_ZSTD: corruption is never skipped', async () => {
    const skipped: TcpInfoReadError[] = [];
    const { error } = await drain(
      (async function* () {
        for await (const s of readSnapshots(damaged, { onInvalid: (e) => skipped.push(e) })) yield s.line;
      })(),
    );
    expect(error).toMatchObject({ code: 'BAD_ZSTD', source: damaged });
  });
});

describe('a sound .zst of three frames', () => {
  it('reads as the zstd CLI restores it', async () => {
    const { texts, error } = await drain(readLines(multi));
    expect(error).toBeUndefined();
    expect(texts).toEqual(zstdLines(multi));
  });
});
