import { describe, expect, it } from 'vitest';
import { ChangeType, comparePayloads } from '@tcpinfo/netlink';
import { KERNEL_6_18_FIXTURE, loadRawPayloads } from '@tcpinfo/testing';
import { SnapshotArena, SnapshotWords } from '../src/snapshot-words.js';

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
