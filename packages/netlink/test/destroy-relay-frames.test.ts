import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RELAY_JOINED, RelayFrameReader } from '../src/destroy-relay-frames.js';

/** What the relay writes: a 4-byte little-endian length, then the bytes (or the joined marker alone). */
function encode(items: (Uint8Array | 'joined')[]): Buffer {
  return Buffer.concat(
    items.map((item) => {
      const head = Buffer.alloc(4);
      if (item === 'joined') {
        head.writeUInt32LE(RELAY_JOINED);
        return head;
      }
      head.writeUInt32LE(item.length);
      return Buffer.concat([head, item]);
    }),
  );
}

/** Cuts `bytes` at the given offsets (sorted, deduplicated, inside the buffer). */
function cut(bytes: Buffer, at: number[]): Buffer[] {
  const points = [...new Set(at.map((a) => a % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const p of [...points, bytes.length]) {
    chunks.push(bytes.subarray(from, p));
    from = p;
  }
  return chunks;
}

const item = fc.oneof(fc.uint8Array({ maxLength: 600 }), fc.constant('joined' as const));

describe('RelayFrameReader', () => {
  it('gives back every frame and marker in order, however the stream is cut', () => {
    fc.assert(
      fc.property(fc.array(item, { maxLength: 30 }), fc.array(fc.nat(), { maxLength: 40 }), (items, at) => {
        const reader = new RelayFrameReader();
        const seen: (Buffer | 'joined')[] = [];
        for (const chunk of cut(encode(items), at)) {
          // Frames are views valid during the call: copy them as a consumer that keeps them must.
          reader.push(chunk, (f) => seen.push(Buffer.from(f)), () => seen.push('joined'));
        }
        expect(seen).toEqual(items.map((i) => (i === 'joined' ? i : Buffer.from(i))));
        expect(reader.pendingBytes).toBe(0);
      }),
    );
  });

  it('holds back an incomplete frame until the rest arrives', () => {
    const reader = new RelayFrameReader();
    const frames: Buffer[] = [];
    const bytes = encode([Buffer.from('abcdef')]);
    reader.push(bytes.subarray(0, 7), (f) => frames.push(Buffer.from(f)), () => {});
    expect(frames).toEqual([]);
    expect(reader.pendingBytes).toBe(7);
    reader.push(bytes.subarray(7), (f) => frames.push(Buffer.from(f)), () => {});
    expect(frames).toEqual([Buffer.from('abcdef')]);
  });

  it('reports the overrun marker as an empty frame', () => {
    const reader = new RelayFrameReader();
    const frames: Buffer[] = [];
    reader.push(encode([new Uint8Array(0)]), (f) => frames.push(f), () => {});
    expect(frames.map((f) => f.length)).toEqual([0]);
  });
});
