import { describe, expect, it } from 'vitest';
import { ChangeType, comparePayloads } from '@tcpinfo/netlink';
import { KERNEL_6_18_FIXTURE, loadRawPayloads } from '@tcpinfo/testing';
import { SCRATCH_BYTES, SnapshotArena, SnapshotWords } from '../src/snapshot-words.js';

/** `cur` laid out as the cache meets it: inside a larger datagram, at an aligned offset. */
function inDatagram(cur: Buffer): { words: Int32Array; base: number } {
  const datagram = new ArrayBuffer(cur.length + 64);
  new Uint8Array(datagram, 32, cur.length).set(cur);
  return { words: new Int32Array(datagram), base: 32 >> 2 };
}

const payloads = [...loadRawPayloads(KERNEL_6_18_FIXTURE), ...loadRawPayloads()];

describe('SnapshotWords', () => {
  it('calls a snapshot unchanged only when comparePayloads does, for a flip of any byte of recorded kernel messages', () => {
    let quick = 0;
    let checked = 0;
    for (const prev of payloads) {
      const snapshot = new SnapshotWords(prev);
      for (let i = 0; i < prev.length; i++) {
        const cur = Buffer.from(prev);
        cur[i]! ^= 0x5a;
        const { words, base } = inDatagram(cur);
        const same = snapshot.sameBesideIgnored(words, base);
        if (same) {
          quick++;
          expect(comparePayloads(prev, cur), `byte ${i} of a ${prev.length}-byte message`).toBe(ChangeType.NoMajorChange);
        }
        checked++;
      }
      // Unflipped, every snapshot with tcp_info passes the quick test.
      const { words, base } = inDatagram(prev);
      expect(snapshot.sameBesideIgnored(words, base)).toBe(snapshot.quick);
    }
    expect(checked).toBeGreaterThan(10_000);
    expect(quick).toBeGreaterThan(0);
  });

  it('skips exactly the inet_diag_msg after its first word, the tcp_info timers and tcp_info from busy_time on (6.18 layout)', () => {
    const prev = loadRawPayloads(KERNEL_6_18_FIXTURE).find((p) => p[1] === 1)!; // ESTABLISHED
    const snapshot = new SnapshotWords(prev);
    expect(snapshot.quick).toBe(true);
    const ignored: number[] = [];
    for (let i = 0; i < prev.length; i++) {
      const cur = Buffer.from(prev);
      cur[i]! ^= 0xff;
      const { words, base } = inDatagram(cur);
      if (snapshot.sameBesideIgnored(words, base)) ignored.push(i);
    }
    // 72 - 4 bytes of the inet_diag_msg (id, cookie, expires, queues, uid, inode), 16 of last_* timers, 280 - 168 of tcp_info's tail.
    expect(ignored.length).toBe(72 - 4 + 16 + (280 - 168));
    expect(ignored.slice(0, 68)).toEqual(Array.from({ length: 68 }, (_, i) => 4 + i));
  });

  it('declines (asks comparePayloads) for a snapshot without tcp_info or of unaligned length', () => {
    const prev = payloads[0]!;
    expect(new SnapshotWords(prev.subarray(0, 72)).quick).toBe(false);
    expect(new SnapshotWords(Buffer.concat([prev, Buffer.alloc(2)])).quick).toBe(false);
  });

  it('gives the same answers from a shared arena, at any slot, after the arena grew', () => {
    const arena = new SnapshotArena(1);
    const kept = payloads.slice(0, 40).map((p) => new SnapshotWords(p, undefined, arena));
    expect(arena.words.length).toBeGreaterThanOrEqual(arena.usedWords);
    kept.forEach((snapshot, n) => {
      const prev = payloads[n]!;
      expect(snapshot.payload.equals(prev)).toBe(true);
      const { words, base } = inDatagram(prev);
      expect(snapshot.sameBesideIgnored(words, base)).toBe(snapshot.quick);
      expect(snapshot.quick).toBe(new SnapshotWords(prev).quick);
    });
  });

  it('hands out copies: a kept payload does not change when the snapshot is replaced or the arena compacts', () => {
    const arena = new SnapshotArena(4, 1);
    const [a, b] = [new SnapshotWords(payloads[0]!, undefined, arena), new SnapshotWords(payloads[1]!, undefined, arena)];
    const before = a.payload;
    const oldSlot = a.capacity;
    a.replace(Buffer.concat([payloads[2]!, Buffer.alloc(64)])); // outgrows its slot
    expect(before.equals(payloads[0]!)).toBe(true);
    expect(arena.garbageWords).toBe(oldSlot);
    expect(arena.compact([a], (s) => s)).toBe(false); // b left out: declined, nothing moved
    expect(b.payload.equals(payloads[1]!)).toBe(true);
    expect(arena.compact([b, a, b], (s) => s)).toBe(true);
    expect(arena.garbageWords).toBe(0);
    expect([b.offset, a.offset]).toEqual([0, b.capacity]);
    expect(a.payload.equals(Buffer.concat([payloads[2]!, Buffer.alloc(64)]))).toBe(true);
    expect(b.payload.equals(payloads[1]!)).toBe(true);
  });
});

describe('SnapshotWords in a SIMD arena (WebAssembly)', () => {
  /** A SIMD arena holding `prev`, with `cur` loaded into its scratch region at byte 32 of a datagram. */
  function scratchWith(arena: SnapshotArena, cur: Buffer): number {
    const datagram = Buffer.alloc(cur.length + 64);
    cur.copy(datagram, 32);
    expect(arena.loadScratch(datagram)).toBe(true);
    return 32;
  }

  it('answers as the JavaScript loop does, for a flip of any bit 0 or 7 of any byte of recorded kernel messages', () => {
    const arena = new SnapshotArena(undefined, undefined, true);
    const disagreements: string[] = [];
    let same = 0;
    let checked = 0;
    for (const prev of payloads) {
      const snapshot = new SnapshotWords(prev, undefined, arena);
      const cur = Buffer.from(prev);
      const { words, base } = inDatagram(cur);
      const datagram = Buffer.from(words.buffer); // cur at byte 4 * base, as in the JavaScript case
      for (let i = 0; i < prev.length; i++) {
        for (const flip of [0x01, 0x80]) {
          datagram[4 * base + i]! ^= flip;
          arena.loadScratch(datagram);
          const expected = snapshot.sameBesideIgnored(words, base);
          if (snapshot.sameInScratch(4 * base) !== expected) disagreements.push(`byte ${i} ^ ${flip} of a ${prev.length}-byte message`);
          if (expected) same++;
          checked++;
          datagram[4 * base + i]! ^= flip;
        }
      }
      expect(arena.loadScratch(datagram)).toBe(true);
      expect(snapshot.sameInScratch(4 * base)).toBe(snapshot.quick);
    }
    expect(disagreements).toEqual([]);
    expect(checked).toBeGreaterThan(20_000);
    expect(same).toBeGreaterThan(0);
  });

  it('keeps its answers, and never detaches a buffer, while the arena moves to a larger memory and compacts', () => {
    const arena = new SnapshotArena(4, 1, true);
    const firstBytes = arena.bytes;
    const size = firstBytes.byteLength;
    // ~250 KB of snapshots: more than the first memory's two 64 KiB pages.
    const kept = Array.from({ length: 500 }, (_, n) => new SnapshotWords(payloads[n % payloads.length]!, undefined, arena));
    expect(arena.bytes).not.toBe(firstBytes); // it outgrew its first memory...
    expect(firstBytes.byteLength).toBe(size); // ...which was left as it was, not detached by Memory.grow
    const check = () =>
      kept.forEach((snapshot, n) => {
        const p = payloads[n % payloads.length]!;
        expect(snapshot.payload.equals(p)).toBe(true);
        expect(snapshot.sameInScratch(scratchWith(arena, p))).toBe(snapshot.quick);
      });
    check();
    kept[0]!.replace(Buffer.concat([payloads[0]!, Buffer.alloc(64)])); // outgrows its slot: garbage
    kept[0]!.replace(payloads[0]!); // fits in the new slot
    expect(arena.compact([...kept].reverse(), (s) => s)).toBe(true);
    expect(arena.garbageWords).toBe(0);
    expect(kept.at(-1)!.offset).toBe(arena.baseWord); // the first after the scratch region
    check();
  });

  it('declines a datagram larger than its scratch region, and a plain arena has none', () => {
    expect(new SnapshotArena(4, 1, true).loadScratch(Buffer.alloc(SCRATCH_BYTES + 4))).toBe(false);
    expect(new SnapshotArena(4, 1, true).loadScratch(Buffer.alloc(SCRATCH_BYTES))).toBe(true);
    expect(new SnapshotArena(4, 1).loadScratch(Buffer.alloc(64))).toBe(false);
  });
});
