import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { snapshotPayload, tcpInfoWith } from '@tcpinfo/testing';
import { TCPI_LAST_DATA_SENT_OFFSET, TCP_INFO_FIELDS } from '@tcpinfo/tcp';
import { ConnectionCache, UpdateResult } from '../src/index.js';

const TCPI_SND_CWND_OFFSET = TCP_INFO_FIELDS.find((f) => f.name === 'sndCwnd')!.offset;

/** A payload: inet_diag_msg with a state and cookie, then an INFO attribute of 280 bytes. */
function msg(cookie: bigint, { state = 1, cwnd = 10, lastSend = 0 } = {}): Buffer {
  // tcpi_last_data_sent is ignored by change detection, tcpi_snd_cwnd is not.
  return snapshotPayload({ cookie, state }, tcpInfoWith({ [TCPI_SND_CWND_OFFSET]: cwnd, [TCPI_LAST_DATA_SENT_OFFSET]: lastSend }));
}

describe('ConnectionCache', () => {
  it('reports new, unchanged and changed snapshots, keeping a private copy', () => {
    const c = new ConnectionCache();
    const view = msg(7n);
    expect(c.update(view)).toBe(UpdateResult.New);
    const entry = c.lastEntry!;
    expect(entry.payload).not.toBe(view);
    expect(entry.payload.equals(view)).toBe(true);
    view.fill(0); // the caller's buffer is reused: the cache must not care
    expect(c.update(msg(7n, { lastSend: 500 }))).toBe(UpdateResult.Unchanged);
    expect(c.update(msg(7n, { cwnd: 20 }))).toBe(UpdateResult.Changed);
    expect(c.lastEntry).toBe(entry);
    expect(entry.payload.readUInt32LE(76 + 80)).toBe(20);
  });

  it('keeps cookies apart that share their low 32 bits, and big cookies exact', () => {
    const c = new ConnectionCache();
    const a = 0x1_0000_0005n;
    const b = 0xffff_ffff_0000_0005n;
    c.update(msg(5n));
    c.update(msg(a));
    c.update(msg(b));
    expect(c.size).toBe(3);
    expect(c.get(b)!.cookie).toBe(b);
    expect(c.has(5, 0xffff_ffff)).toBe(true);
    expect(c.has(5, 2)).toBe(false);
    expect(c.get(a)!.cookie).toBe(a);
    expect(c.update(msg(a, { cwnd: 99 }))).toBe(UpdateResult.Changed);
    expect(c.get(5n)!.payload.readUInt32LE(76 + 80)).toBe(10);
  });

  it('finds the sockets missing from a whole cycle', () => {
    const c = new ConnectionCache();
    c.update(msg(1n));
    c.update(msg(2n));
    c.update(msg(0x2_0000_0001n));
    expect(c.endCycle()).toEqual([]);
    c.update(msg(2n));
    const gone = c.endCycle();
    expect(gone.map((e) => e.cookie).sort()).toEqual([1n, 0x2_0000_0001n]);
    expect(c.size).toBe(1);
    expect(c.get(1n)).toBeUndefined();
    expect(c.update(msg(1n))).toBe(UpdateResult.New); // a reused cookie starts over
  });

  it('asks the exclusion rule once per socket and never reports excluded sockets as closed', () => {
    const c = new ConnectionCache();
    let asked = 0;
    const rule = () => {
      asked++;
      return true;
    };
    expect(c.update(msg(9n), rule)).toBe(UpdateResult.Excluded);
    expect(c.update(msg(9n, { cwnd: 3 }), rule)).toBe(UpdateResult.Excluded);
    expect(asked).toBe(1);
    c.endCycle();
    expect(c.endCycle()).toEqual([]);
    expect(c.size).toBe(0);
  });

  it('deletes single entries from a chain', () => {
    const c = new ConnectionCache();
    c.update(msg(5n));
    c.update(msg(0x1_0000_0005n));
    expect(c.delete(5n)!.cookie).toBe(5n);
    expect(c.get(0x1_0000_0005n)).toBeDefined();
    expect(c.delete(5n)).toBeUndefined();
    expect([...c.entries()]).toHaveLength(1);
  });

  it('ends cycles as a full walk would: every socket not seen (twice seen, deleted, excluded, new) and nothing else', () => {
    // endCycle skips its walk when every entry was seen: pinned here to the plain rule.
    const cookie = fc.constantFrom(1n, 2n, 3n, 0x1_0000_0001n, 0x2_0000_0001n, 0xffff_ffff_0000_0002n);
    const step = fc.oneof(
      fc.record({ op: fc.constant('update' as const), cookie }),
      fc.record({ op: fc.constant('delete' as const), cookie }),
      fc.record({ op: fc.constant('end' as const), cookie }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const c = new ConnectionCache();
        const excluded = (p: Buffer) => p.readBigUInt64LE(44) === 3n;
        const cached = new Set<bigint>();
        const seen = new Set<bigint>();
        for (const { op, cookie: k } of [...steps, { op: 'end' as const, cookie: 1n }]) {
          if (op === 'update') {
            c.update(msg(k), excluded);
            cached.add(k);
            seen.add(k);
          } else if (op === 'delete') {
            const removed = c.delete(k);
            expect(removed?.cookie).toBe(cached.has(k) ? k : undefined);
            cached.delete(k);
            seen.delete(k);
          } else {
            const expected = [...cached].filter((x) => !seen.has(x) && x !== 3n).sort();
            expect(c.endCycle().map((e) => e.cookie).sort()).toEqual(expected);
            for (const x of cached) if (!seen.has(x)) cached.delete(x);
            seen.clear();
            expect(c.size).toBe(cached.size);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
