import { describe, expect, it } from 'vitest';
import { decompress } from 'zstd-napi';
import { execFileSync } from 'node:child_process';
import { FASTEST_LEVEL, frameLevels, LineCompressor, type CompressedLines } from '../src/compression.js';
import type { ConnectionFile, FileProgress } from '../src/connection-file.js';

describe('frameLevels', () => {
  it('with compaction: a file\'s first frame at most at level 1, its later frames (rewritten at the end) at the fastest level', () => {
    expect(frameLevels(3, true)).toEqual({ first: 1, later: FASTEST_LEVEL });
    expect(frameLevels(19, true)).toEqual({ first: 1, later: FASTEST_LEVEL });
    expect(frameLevels(-5, true)).toEqual({ first: -5, later: FASTEST_LEVEL }); // a faster level asked stays
    expect(frameLevels(FASTEST_LEVEL - 1, true)).toEqual({ first: FASTEST_LEVEL - 1, later: FASTEST_LEVEL - 1 });
  });

  it('without compaction the frames are the files: every one at the level asked', () => {
    expect(frameLevels(3, false)).toEqual({ first: 3, later: 3 });
    expect(frameLevels(19, false)).toEqual({ first: 19, later: 19 });
  });
});

describe('LineCompressor', () => {
  const lines = Array.from({ length: 4 }, (_, i) => `{"Timestamp":"2024-02-29T23:59:59.${i}Z","TCPInfo":{"State":1,"RTT":${1000 + i},"BytesAcked":${i * 1448},"Snd_cwnd":10}}\n`);
  const file = () => ({ framesQueued: 0, framesOnDisk: 0 }) as FileProgress;
  const conn = (f: FileProgress) => ({ lines: [], lineRecords: 0, dirtySince: 0, file: f }) as unknown as ConnectionFile;

  it('gives one frame per connection that decodes to its buffered lines', () => {
    const frames: CompressedLines[] = [];
    const c = new LineCompressor(frameLevels(3, true), 0, () => 0, (f) => frames.push(f));
    const one = conn(file());
    for (const l of ['{"a":1}\n', '{"b":2}\n']) c.queue(one, Buffer.from(l), 1);
    c.compressAll();
    expect(frames).toHaveLength(1);
    expect(decompress(frames[0]!.bytes).toString()).toBe('{"a":1}\n{"b":2}\n');
    expect(frames[0]!.records).toBe(2);
  });

  it('compresses a file\'s first frame and stores its later ones (still zstd frames that decode to their lines)', () => {
    const frames: CompressedLines[] = [];
    const f = file();
    const c = new LineCompressor(frameLevels(3, true), 0, () => 0, (frame) => {
      frames.push(frame);
      frame.file.framesQueued++; // as the write scheduler does on queueing
    });
    const one = conn(f);
    for (let round = 0; round < 3; round++) {
      for (const l of lines) c.queue(one, Buffer.from(l), 1);
      c.compressAll();
    }
    const input = Buffer.byteLength(lines.join(''));
    expect(frames.map((x) => decompress(x.bytes).toString())).toEqual([lines.join(''), lines.join(''), lines.join('')]);
    expect(frames[0]!.bytes.length).toBeLessThan(input * 0.8); // level 1: the lines share most of their bytes
    for (const later of frames.slice(1)) expect(later.bytes.length).toBeGreaterThanOrEqual(input); // stored
    expect(execFileSync('zstd', ['-t', '-q'], { input: Buffer.concat(frames.map((x) => x.bytes)) }).length).toBe(0); // an independent decoder accepts the mix
  });

  it('without compaction every frame of a file is compressed at the level asked', () => {
    const frames: CompressedLines[] = [];
    const c = new LineCompressor(frameLevels(3, false), 0, () => 0, (frame) => {
      frames.push(frame);
      frame.file.framesQueued++;
    });
    const one = conn(file());
    for (let round = 0; round < 2; round++) {
      for (const l of lines) c.queue(one, Buffer.from(l), 1);
      c.compressAll();
    }
    const input = Buffer.byteLength(lines.join(''));
    for (const x of frames) expect(x.bytes.length).toBeLessThan(input * 0.8);
  });
});
