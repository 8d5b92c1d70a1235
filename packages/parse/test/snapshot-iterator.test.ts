import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decompress } from 'zstd-napi';
import { readSnapshots, TcpInfoReadError } from '../src/index.js';

// readSnapshots' iterator is written by hand (readers.ts: a resolved promise
// per snapshot while a batch lasts, not an async generator); these pin the
// async-iterator protocol an async generator gave for free.
const fx = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const NDT = fx('ndt-jdczh_1553815964_00000000000003E8.00183.jsonl.zst');
const plain = decompress(readFileSync(NDT));
const lines = plain.toString().trimEnd().split('\n');
/** Small chunks: many batches, and lines cut across them. */
const chunked = () => Readable.from((function* () { for (let i = 0; i < plain.length; i += 1000) yield plain.subarray(i, i + 1000); })());

describe('readSnapshots as an async iterator', () => {
  it('calls of next() made at once are answered in order, then done for good', async () => {
    const it = readSnapshots(chunked());
    const all = await Promise.all(Array.from({ length: lines.length + 3 }, () => it.next()));
    expect(all.slice(0, lines.length).map((r) => [r.done, r.value?.line.number, r.value?.line.text])).toEqual(lines.map((l, i) => [false, i + 1, l]));
    expect(all.slice(lines.length).every((r) => r.done === true)).toBe(true);
    expect((await it.next()).done).toBe(true);
  });

  it('a break closes the input: the stream is destroyed and later calls are done', async () => {
    const input = chunked();
    const it = readSnapshots(input);
    let n = 0;
    for await (const _ of it) if (++n === 3) break;
    expect(input.destroyed).toBe(true);
    expect((await it.next()).done).toBe(true);
  });

  it('a bad line after good ones: every good snapshot, then BAD_RECORD naming the line; an onInvalid that throws ends it too', async () => {
    const bad = Buffer.from(`${lines[1]}\n${lines[2]}\n{"RawIDM":"!!"}\n${lines[3]}\n`);
    const seen: number[] = [];
    const read = async (options = {}) => {
      for await (const { line } of readSnapshots(bad, { sourceName: 'x.jsonl', ...options })) seen.push(line.number);
    };
    await expect(read()).rejects.toThrow(expect.objectContaining({ code: 'BAD_RECORD', line: 3, message: expect.stringMatching(/^x\.jsonl:3: not an ArchivalRecord/) }));
    expect(seen).toEqual([1, 2]);
    seen.length = 0;
    const boom = new Error('stop here');
    await expect(read({ onInvalid: (e: TcpInfoReadError) => { expect(e.line).toBe(3); throw boom; } })).rejects.toBe(boom);
    expect(seen).toEqual([1, 2]);
  });

  it('throw() ends the iteration with the error given', async () => {
    const it = readSnapshots(chunked());
    expect((await it.next()).done).toBe(false);
    const e = new Error('consumer gave up');
    await expect(it.throw(e)).rejects.toBe(e);
    expect((await it.next()).done).toBe(true);
  });

  it("a fast-path line's text, number and source, also as JSON", async () => {
    const it = readSnapshots(plain, { sourceName: 'p.jsonl' });
    await it.next();
    const { value } = await it.next();
    expect(JSON.parse(JSON.stringify(value!.line))).toEqual({ text: lines[1], number: 2, source: 'p.jsonl' });
    await it.return();
  });
});
