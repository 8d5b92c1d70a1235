import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { snapshotPayload, tcpInfoWith } from '@tcpinfo/testing';
import { TCPI_LAST_DATA_SENT_OFFSET, TCP_INFO_FIELDS } from '@tcpinfo/tcp';
import { ConnectionCache, SnapshotArena, UpdateResult } from '../src/index.js';

const TCPI_SND_CWND_OFFSET = TCP_INFO_FIELDS.find((f) => f.name === 'sndCwnd')!.offset;

/** A payload: inet_diag_msg with a state and cookie, then an INFO attribute of 280 bytes (after a MEMINFO one with `meminfo`: 20 bytes longer). */
function msg(cookie: bigint, { state = 1, cwnd = 10, lastSend = 0, meminfo = false } = {}): Buffer {
  // tcpi_last_data_sent is ignored by change detection, tcpi_snd_cwnd is not.
  return snapshotPayload({ cookie, state }, tcpInfoWith({ [TCPI_SND_CWND_OFFSET]: cwnd, [TCPI_LAST_DATA_SENT_OFFSET]: lastSend }), { meminfo });
}

/** The cookies of the arena property tests (two share their low 32 bits). */
const ARENA_COOKIES = [1n, 2n, 3n, 4n, 5n, 0x1_0000_0001n];
/** One cycle of those tests: which sockets the dump has, in which order, and what each one's snapshot holds. */
const arenaCycle = {
  order: fc.shuffledSubarray(ARENA_COOKIES, { minLength: 0 }),
  cwnd: fc.array(fc.integer({ min: 10, max: 12 }), { minLength: ARENA_COOKIES.length, maxLength: ARENA_COOKIES.length }),
  meminfo: fc.array(fc.boolean(), { minLength: ARENA_COOKIES.length, maxLength: ARENA_COOKIES.length }),
};

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

  it('answers the same when told each payload\'s datagram, at any alignment, with the datagram object reused', () => {
    // The daemon names the datagram so the cache finds its word view by identity;
    // the answers must be those of a cache that looks at each payload alone.
    const cookies = [5n, 0x1_0000_0005n, 0xffff_ffff_0000_0005n, 0x8000_0001n, 42n];
    for (const skew of [0, 2]) {
      // `skew` 2: every payload sits at an offset that is not a multiple of 4 (no word view).
      const datagram = Buffer.from(new ArrayBuffer(4096 + skew), skew, 4096);
      const told = new ConnectionCache();
      const alone = new ConnectionCache();
      for (let cycle = 0; cycle < 6; cycle++) {
        let at = 0;
        const views = cookies.map((k, i) => {
          const m = msg(k, { cwnd: 10 + ((cycle * (i + 1)) % 3), lastSend: cycle, meminfo: i === 3 });
          m.copy(datagram, at + 16); // behind a 16-byte netlink header, as the kernel sends it
          const view = datagram.subarray(at + 16, at + 16 + m.length);
          at += 16 + m.length;
          return view;
        });
        for (const view of views) {
          const a = alone.update(Buffer.from(view)); // a copy: its own ArrayBuffer
          const t = told.update(view, undefined, undefined, datagram);
          expect(t).toBe(a);
          expect(told.lastEntry!.cookie).toBe(alone.lastEntry!.cookie);
          expect(told.lastEntry!.payload.equals(alone.lastEntry!.payload)).toBe(true);
          if (t !== UpdateResult.Unchanged) expect(told.lastEntry!.payload.equals(view)).toBe(true);
        }
        expect(told.endCycle().length).toBe(alone.endCycle().length);
      }
      expect(told.size).toBe(cookies.length);
      for (const k of cookies) expect(told.get(k)!.cookie).toBe(k);
    }
  });

  it("answers as a plain map would, whatever the order guess (cycles in repeated, changed and reordered orders; deletes; closes)", () => {
    // The cache guesses each message's entry from the previous cycle's order before
    // asking its map: every guess is checked by cookie, so results must equal a
    // model keyed by cookie alone, whichever guesses hit.
    const cookies = [1n, 2n, 3n, 4n, 0x1_0000_0001n, 0x2_0000_0001n];
    const cycle = fc.record({
      order: fc.shuffledSubarray(cookies, { minLength: 0 }),
      repeat: fc.integer({ min: 1, max: 3 }), // the same order again: the guess hits
      cwnd: fc.array(fc.integer({ min: 10, max: 11 }), { minLength: cookies.length, maxLength: cookies.length }),
      deleteFirst: fc.option(fc.constantFrom(...cookies), { nil: undefined }),
      deleteMid: fc.option(fc.constantFrom(...cookies), { nil: undefined }),
      complete: fc.boolean(), // false: an interrupted dump, the cycle is not ended
    });
    fc.assert(
      fc.property(fc.array(cycle, { maxLength: 12 }), (cycles) => {
        const c = new ConnectionCache();
        const model = new Map<bigint, { cwnd: number; entry: unknown }>();
        const seen = new Set<bigint>();
        const remove = (k: bigint) => {
          expect(c.delete(k)?.cookie).toBe(model.has(k) ? k : undefined);
          model.delete(k);
          seen.delete(k);
        };
        for (const { order, repeat, cwnd, deleteFirst, deleteMid, complete } of cycles) {
          for (let r = 0; r < repeat; r++) {
            if (deleteFirst !== undefined) remove(deleteFirst);
            order.forEach((k, i) => {
              if (i === 1 && deleteMid !== undefined) remove(deleteMid);
              const w = cwnd[cookies.indexOf(k)]!;
              const before = model.get(k);
              const result = c.update(msg(k, { cwnd: w }));
              expect(c.lastEntry!.cookie).toBe(k);
              if (before === undefined) {
                expect(result).toBe(UpdateResult.New);
                model.set(k, { cwnd: w, entry: c.lastEntry });
              } else {
                expect(c.lastEntry).toBe(before.entry);
                expect(result).toBe(before.cwnd === w ? UpdateResult.Unchanged : UpdateResult.Changed);
                before.cwnd = w;
              }
              seen.add(k);
            });
            if (!complete) continue;
            const expected = [...model.keys()].filter((k) => !seen.has(k)).sort();
            expect(c.endCycle().map((e) => e.cookie).sort()).toEqual(expected);
            for (const k of expected) model.delete(k);
            seen.clear();
            expect(c.size).toBe(model.size);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('keeps every socket\'s last snapshot exact while its storage grows, is outgrown, released and compacted (in dump order)', () => {
    // A tiny arena that compacts at any garbage: every path of snapshot-words.ts's
    // storage runs, and each entry must still hold the last snapshot that changed it.
    const cookies = ARENA_COOKIES;
    const cycle = fc.record({
      ...arenaCycle,
      deleted: fc.option(fc.constantFrom(...cookies), { nil: undefined }),
      complete: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(cycle, { maxLength: 15 }), (cycles) => {
        const arena = new SnapshotArena(8, 1);
        const c = new ConnectionCache(arena);
        const kept = new Map<bigint, Buffer>();
        const seen = new Set<bigint>();
        for (const { order, cwnd, meminfo, deleted, complete } of cycles) {
          for (const k of order) {
            const i = cookies.indexOf(k);
            const sent = msg(k, { cwnd: cwnd[i], meminfo: meminfo[i], lastSend: i });
            const result = c.update(sent);
            if (result !== UpdateResult.Unchanged) kept.set(k, Buffer.from(sent));
            seen.add(k);
          }
          if (deleted !== undefined && kept.has(deleted)) {
            const entry = c.delete(deleted)!;
            expect(entry.payload.equals(kept.get(deleted)!)).toBe(true); // released: still readable
            kept.delete(deleted);
            seen.delete(deleted);
          }
          if (complete) {
            const gone = c.endCycle();
            for (const e of gone) {
              expect(e.payload.equals(kept.get(e.cookie)!)).toBe(true); // a closed connection's last snapshot
              kept.delete(e.cookie);
            }
            seen.clear();
            expect(arena.liveSlots).toBe(kept.size);
          }
          for (const [k, p] of kept) expect(c.get(k)!.payload.equals(p), `cookie ${k}`).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('answers as a plain arena does when it compares in its SIMD arena: datagrams of any size, a memory outgrown mid-datagram, compactions', () => {
    // The daemon's cache copies each datagram into its WebAssembly memory and compares
    // there; a cache over a plain arena, given each payload alone, compares in JavaScript.
    // A tiny SIMD arena moves to a larger memory while a datagram is being read (a new
    // socket's slot), and compacts at any garbage.
    const cookies = ARENA_COOKIES;
    const cycle = fc.record({
      ...arenaCycle,
      perDatagram: fc.integer({ min: 1, max: 4 }),
      complete: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(cycle, { maxLength: 12 }), fc.boolean(), (cycles, tiny) => {
        const simd = new SnapshotArena(tiny ? 8 : undefined, tiny ? 1 : undefined, true);
        const told = new ConnectionCache(simd);
        const alone = new ConnectionCache(new SnapshotArena(8, 1));
        for (const { order, cwnd, meminfo, perDatagram, complete } of cycles) {
          for (let first = 0; first < order.length; first += perDatagram) {
            // One datagram: its messages behind 16-byte netlink headers, a new object each time.
            const messages = order.slice(first, first + perDatagram).map((k) => {
              const i = cookies.indexOf(k);
              return msg(k, { cwnd: cwnd[i], meminfo: meminfo[i], lastSend: first });
            });
            const datagram = Buffer.alloc(messages.reduce((n, m) => n + 16 + m.length, 0));
            let at = 0;
            const views = messages.map((m) => {
              m.copy(datagram, at + 16);
              at += 16 + m.length;
              return datagram.subarray(at - m.length, at);
            });
            for (const view of views) {
              const expected = alone.update(Buffer.from(view));
              expect(told.update(view, undefined, undefined, datagram)).toBe(expected);
              expect(told.lastEntry!.payload.equals(alone.lastEntry!.payload)).toBe(true);
            }
          }
          if (complete) expect(told.endCycle().map((e) => e.cookie)).toEqual(alone.endCycle().map((e) => e.cookie));
        }
        for (const k of cookies) expect(told.get(k)?.payload.equals(alone.get(k)!.payload) ?? alone.get(k) === undefined).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('lays the snapshots out in the order of the last cycle when it compacts, and only then', () => {
    const arena = new SnapshotArena(8, 1);
    const c = new ConnectionCache(arena);
    const all = [1n, 2n, 3n, 4n, 5n, 6n];
    for (const k of all) c.update(msg(k));
    c.endCycle();
    const words = arena.usedWords;
    // Nothing freed: no compaction, whatever the order.
    for (const k of [...all].reverse()) c.update(msg(k));
    c.endCycle();
    expect(arena.usedWords).toBe(words);
    expect(c.get(6n)!.snapshot.offset).toBeGreaterThan(c.get(1n)!.snapshot.offset);
    // One closes: a sixth of the storage is garbage, not worth a copy.
    for (const k of [6n, 5n, 4n, 3n, 1n]) c.update(msg(k));
    expect(c.endCycle().map((e) => e.cookie)).toEqual([2n]);
    expect(arena.garbageWords).toBe(words / 6);
    // Three more close: most of it is garbage, and the survivors move into the order just seen.
    for (const k of [6n, 1n]) c.update(msg(k));
    expect(c.endCycle().map((e) => e.cookie).sort()).toEqual([3n, 4n, 5n]);
    expect(arena.garbageWords).toBe(0);
    expect(arena.usedWords).toBe(words / 3);
    expect([c.get(6n)!.snapshot.offset, c.get(1n)!.snapshot.offset]).toEqual([0, words / 6]);
    expect(c.get(6n)!.payload.equals(msg(6n))).toBe(true);
  });

  it('answers right when cycles never end (every dump interrupted): the order it remembers is bounded and its guesses only fall back', () => {
    const c = new ConnectionCache();
    const cookies = [5n, 6n, 7n, 0x1_0000_0005n];
    const entries = cookies.map((k) => (c.update(msg(k)), c.lastEntry));
    for (let pass = 0; pass < 200; pass++) {
      const order = pass % 3 === 0 ? [...cookies].reverse() : cookies;
      for (const k of order) {
        expect(c.update(msg(k))).toBe(UpdateResult.Unchanged);
        expect(c.lastEntry).toBe(entries[cookies.indexOf(k)]);
      }
    }
    expect(c.endCycle()).toEqual([]);
    expect(c.size).toBe(4);
  });
});
