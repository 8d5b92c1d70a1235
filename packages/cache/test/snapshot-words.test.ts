import { describe, expect, it } from 'vitest';
import { ChangeType, comparePayloads } from '@tcpinfo/netlink';
import { KERNEL_6_18_FIXTURE, loadRawPayloads } from '@tcpinfo/testing';
import { SnapshotWords } from '../src/snapshot-words.js';

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
      expect(snapshot.sameBesideIgnored(words, base)).toBe(snapshot.words !== undefined);
    }
    expect(checked).toBeGreaterThan(10_000);
    expect(quick).toBeGreaterThan(0);
  });

  it('skips exactly the inet_diag_msg after its first word, the tcp_info timers and tcp_info from busy_time on (6.18 layout)', () => {
    const prev = loadRawPayloads(KERNEL_6_18_FIXTURE).find((p) => p[1] === 1)!; // ESTABLISHED
    const snapshot = new SnapshotWords(prev);
    expect(snapshot.words).toBeDefined();
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
    expect(new SnapshotWords(prev.subarray(0, 72)).words).toBeUndefined();
    expect(new SnapshotWords(Buffer.concat([prev, Buffer.alloc(2)])).words).toBeUndefined();
  });
});
