/**
 * The unchanged-socket test of the cache, on 32-bit words: a socket's previous
 * snapshot is kept with the word ranges the change rules look at, so deciding
 * that a new snapshot is "unchanged" is one JavaScript loop over ~100 words,
 * with no native call and no allocation. `comparePayloads` (@tcpinfo/netlink)
 * answered the same question with 2–4 `Buffer.compare` calls whose argument
 * checks alone cost a few hundred ns each: half the CPU of a cycle of 10,000
 * idle sockets.
 *
 * This is only a shortcut for "equal beside the bytes the rules ignore", which
 * `comparePayloads` also tests first, with the same bounds
 * (`changeComparedBounds`, the one rule): when the words differ (or the layout
 * is unusual) the cache asks `comparePayloads` for the real answer.
 * `snapshot-words.test.ts` flips every byte of recorded kernel messages and
 * checks both agree.
 *
 * The daemon's cache compares in WebAssembly instead ({@link SnapshotWords.sameInScratch},
 * same-words.ts): its arena is a WebAssembly memory, each datagram is copied
 * once into the arena's scratch region, and 16-byte SIMD loads compare a
 * 500-byte snapshot in ~50 ns where this loop took ~160 (a microbenchmark with
 * the daemon's shapes; ~65 against ~225 in the busy daemon's profile). The
 * loop stays the reference (the tests hold the two to the same answers) and
 * the fallback.
 *
 * The kept snapshots live side by side in one {@link SnapshotArena}, in the
 * order the kernel dumps the sockets, so that a cycle reads them as one
 * stream. Kept as one small buffer each (where the allocator happened to put
 * them, while the kernel dumps its table in hash order), the loop waited on
 * memory: in a microbenchmark that sweeps 8 MB between passes, as the dump's
 * own kernel work does, ~480 ns a socket against ~160 ns in dump order; in
 * the daemon's profile the loop was ~12% of a 2,000-busy-socket cycle.
 */

import { INET_DIAG_INFO } from '@tcpinfo/inetdiag';
import { AttributeRanges, changeComparedBounds } from '@tcpinfo/netlink';
import { type SameWords, simdAvailable, simdStorage } from './same-words.js';

// The bytes ignored are netlink's one rule (changeComparedBounds); here they are
// only converted to word indexes, once per kept snapshot.
const bounds = new Int32Array(6);
// For snapshots made without the caller's walk (excluded headers, tests).
const ownWalk = new AttributeRanges();

/** Words the first shared arena holds (256 KiB); it doubles as needed. */
const INITIAL_ARENA_WORDS = 65_536;
/** Garbage below this many words (256 KiB) is never worth a compaction. */
const MIN_GARBAGE_WORDS = 65_536;
/**
 * Bytes of the scratch region at the start of a SIMD arena's memory: room for
 * one datagram (the daemon's socket reads at most 32 KiB at a time; a larger
 * datagram is compared by the JavaScript loop instead).
 */
export const SCRATCH_BYTES = 64 * 1024;
// Placeholders until the constructor sets the storage.
const NO_WORDS = new Int32Array(0);
const NO_BYTES = new Uint8Array(0);

/**
 * The storage of kept snapshots: one Int32Array, slots handed out at its end.
 * A slot a snapshot outgrows, or that its socket leaves, becomes garbage; when
 * garbage is more than half of the storage, {@link compact} copies the live
 * slots, in the order given (the cache gives the order of the last dump),
 * into fresh storage. Nothing outside this module holds a view of the storage
 * ({@link SnapshotWords.payload} is a copy), so growing and compacting may
 * replace it.
 */
export class SnapshotArena {
  /** The storage (replaced when it grows or is compacted). */
  words: Int32Array = NO_WORDS;
  /** The same storage as bytes. */
  bytes: Uint8Array = NO_BYTES;
  /**
   * A SIMD arena's compare (same-words.ts), over its storage: a WebAssembly
   * memory whose first {@link SCRATCH_BYTES} are the scratch region, the
   * slots following. Undefined for a plain arena.
   */
  sameWords: SameWords | undefined = undefined;
  /** First word of the slots (after the scratch region of a SIMD arena). */
  readonly #base: number;
  /** Words handed out (live and garbage), plus #base. */
  #top = 0;
  /** Words the storage may hold (a SIMD arena's memory, rounded up to whole pages, may be larger). */
  #limit = 0;
  #garbage = 0;
  /** Slots in use. */
  #live = 0;
  /** Marks the snapshots one compaction has counted, so a list naming one twice moves it once. */
  #epoch = 0;
  readonly #minGarbage: number;

  /**
   * `words`: the first storage's size; `minGarbageWords`: garbage below this
   * is never compacted (tests lower it). `simd`: the storage is a WebAssembly
   * memory with a scratch region, and snapshots are compared there
   * ({@link loadScratch}, {@link SnapshotWords.sameInScratch}); the cache's
   * own arena is one, private copies are not (each WebAssembly memory reserves
   * gigabytes of address space). Without WebAssembly (`node --jitless`) the
   * arena is plain whatever `simd` says.
   */
  constructor(words = INITIAL_ARENA_WORDS, minGarbageWords = MIN_GARBAGE_WORDS, simd = false) {
    this.#minGarbage = minGarbageWords;
    if (!simd || !simdAvailable) {
      this.#base = 0;
      this.words = new Int32Array(Math.max(1, words));
      this.bytes = new Uint8Array(this.words.buffer);
      this.#limit = this.words.length;
      return;
    }
    this.#base = SCRATCH_BYTES >> 2;
    this.#top = this.#base;
    this.#limit = this.#base + Math.max(1, words);
    this.#useSimdStorage(4 * this.#limit);
  }

  /** A SIMD arena's storage becomes a new WebAssembly memory of at least `bytes`. */
  #useSimdStorage(bytes: number): void {
    const storage = simdStorage(bytes);
    this.sameWords = storage.same;
    this.words = new Int32Array(storage.buffer);
    this.bytes = new Uint8Array(storage.buffer);
  }

  /** Words handed out, live and garbage. */
  get usedWords(): number {
    return this.#top - this.#base;
  }

  /** First word of the slots: 0, or after a SIMD arena's scratch region. */
  get baseWord(): number {
    return this.#base;
  }

  /**
   * A SIMD arena copies `datagram` into its scratch region (the snapshots in
   * it are then compared with {@link SnapshotWords.sameInScratch}, at their
   * byte offset in the datagram). False (nothing copied) for a plain arena or
   * a datagram larger than the region.
   */
  loadScratch(datagram: Uint8Array): boolean {
    if (this.sameWords === undefined || datagram.length > SCRATCH_BYTES) return false;
    this.bytes.set(datagram);
    return true;
  }

  /** Words of outgrown or released slots. */
  get garbageWords(): number {
    return this.#garbage;
  }

  /** Slots in use. */
  get liveSlots(): number {
    return this.#live;
  }

  /** Whether {@link compact} would free enough to be worth the copy. */
  get wantsCompaction(): boolean {
    return this.#garbage > 0 && this.#garbage >= this.#minGarbage && 2 * this.#garbage > this.#top - this.#base;
  }

  /** A new slot of `n` words; returns its offset (offsets stay valid when the storage grows). */
  reserve(n: number): number {
    if (this.#top + n > this.#limit) this.#grow(this.#top + n);
    const at = this.#top;
    this.#top += n;
    this.#live++;
    return at;
  }

  /** A slot of `n` words is no longer used. */
  release(n: number): void {
    this.#garbage += n;
    this.#live--;
  }

  #grow(need: number): void {
    const limit = Math.max(need, 2 * this.#limit);
    if (this.sameWords !== undefined) {
      // A new, larger memory (not Memory.grow: see same-words.ts). The scratch region is
      // copied too: the datagram in it may still be being read.
      const old = this.bytes;
      this.#useSimdStorage(4 * limit);
      this.bytes.set(old.subarray(0, this.#top << 2));
    } else {
      const words = new Int32Array(limit);
      words.set(this.words.subarray(0, this.#top));
      this.words = words;
      this.bytes = new Uint8Array(words.buffer);
    }
    this.#limit = limit;
  }

  /**
   * Moves every live slot, in the order `items` names them (`snapshotOf` gives
   * each item's snapshot, or undefined to skip it), into fresh storage with no
   * garbage. Does nothing and returns false when `items` does not name every
   * live slot (a snapshot left out would lose its storage).
   */
  compact<T>(items: readonly T[], snapshotOf: (item: T) => SnapshotWords | undefined): boolean {
    const epoch = ++this.#epoch;
    let found = 0;
    let words = 0;
    for (const item of items) {
      const s = snapshotOf(item);
      if (s === undefined || s.arena !== this || s.epoch === epoch) continue;
      s.epoch = epoch;
      found++;
      words += s.capacity;
    }
    if (found !== this.#live) return false;
    const to = new Int32Array(Math.max(1, words + (words >> 2)));
    const moved = ++this.#epoch;
    let top = 0;
    for (const item of items) {
      const s = snapshotOf(item);
      if (s === undefined || s.arena !== this || s.epoch === moved) continue;
      s.epoch = moved;
      to.set(this.words.subarray(s.offset, s.offset + s.capacity), top);
      s.offset = this.#base + top;
      top += s.capacity;
    }
    if (this.sameWords !== undefined) {
      // The WebAssembly memory is kept (it cannot shrink): the slots are copied back, packed, after the scratch region.
      this.words.set(to.subarray(0, top), this.#base);
    } else {
      this.words = to;
      this.bytes = new Uint8Array(to.buffer);
      this.#limit = to.length;
    }
    this.#top = this.#base + top;
    this.#garbage = 0;
    return true;
  }
}

/**
 * A private copy of one snapshot (inet_diag_msg + attributes) in an arena
 * slot, and, when its layout allows (a well-formed list with tcp_info, every
 * bound a multiple of 4), the word ranges that `changeComparedBounds`
 * (@tcpinfo/netlink) compares: everything but the inet_diag_msg after its
 * first word (family, state, timer, retrans), the tcp_info timers and
 * tcp_info from busy_time on.
 */
export class SnapshotWords {
  /** Where the copy is kept (module-internal: moved by compaction and release). */
  arena: SnapshotArena;
  /** Word offset of the slot in the arena. */
  offset = 0;
  /** Words of the slot. */
  capacity = 0;
  /** The last compaction that counted or moved this snapshot. */
  epoch = 0;
  #length = 0;
  /** Whether the word test applies (else: ask comparePayloads). */
  #quick = false;
  // Word bounds of the compared ranges, relative to the slot: [0, #b0), [#b1, #b2), [#b3, #b4), [#b5, length / 4).
  #b0 = 0;
  #b1 = 0;
  #b2 = 0;
  #b3 = 0;
  #b4 = 0;
  #b5 = 0;

  /**
   * Copies `view` (an inet_diag payload) into a slot of `arena` (without one:
   * a private arena of its own size). `walked`, when given, is the caller's
   * walk of `view` (the daemon walks each message once); otherwise it is
   * walked here. A malformed list gets no quick test (ask comparePayloads,
   * which throws for it).
   */
  constructor(view: Uint8Array, walked?: AttributeRanges, arena?: SnapshotArena) {
    this.arena = arena ?? new SnapshotArena((view.length + 3) >> 2);
    this.#store(view, walked);
  }

  /** The snapshot's length in bytes. */
  get length(): number {
    return this.#length;
  }

  /** Whether the word test applies; when false, every "same?" is asked of comparePayloads. */
  get quick(): boolean {
    return this.#quick;
  }

  /** A private copy of the snapshot (callers may keep it: the arena's storage moves). */
  get payload(): Buffer {
    const start = this.offset << 2;
    return Buffer.from(this.arena.bytes.subarray(start, start + this.#length));
  }

  /** A view of the snapshot, valid only until the cache next changes (for one comparison). */
  view(): Buffer {
    return Buffer.from(this.arena.bytes.buffer, this.offset << 2, this.#length);
  }

  /** Keeps `view` instead: in the same slot when it fits, so the dump's order is kept. */
  replace(view: Uint8Array, walked?: AttributeRanges): void {
    if (((view.length + 3) >> 2) > this.capacity) {
      this.arena.release(this.capacity);
      this.capacity = 0;
    }
    this.#store(view, walked);
  }

  /**
   * The socket left the cache: its slot is freed and the snapshot moves to a
   * private copy (a closed connection's last snapshot is still read).
   */
  release(): void {
    const start = this.offset << 2;
    const own = new SnapshotArena(this.capacity);
    own.reserve(this.capacity);
    own.bytes.set(this.arena.bytes.subarray(start, start + this.#length));
    this.arena.release(this.capacity);
    this.arena = own;
    this.offset = 0;
  }

  #store(view: Uint8Array, walked: AttributeRanges | undefined): void {
    const words = (view.length + 3) >> 2;
    if (this.capacity === 0) {
      this.offset = this.arena.reserve(words);
      this.capacity = words;
    }
    const start = this.offset << 2;
    this.arena.bytes.set(view, start);
    this.#length = view.length;
    let ranges = walked;
    if (ranges === undefined) {
      ranges = ownWalk;
      ranges.walkPayload(view);
    }
    const infoStart = ranges.ok ? ranges.valueStart[INET_DIAG_INFO]! : -1;
    if (infoStart >= 0) changeComparedBounds(infoStart, ranges.valueEnd[INET_DIAG_INFO]!, bounds);
    if (infoStart < 0 || (view.length & 3) !== 0 || ((bounds[2]! | bounds[3]! | bounds[4]! | bounds[5]!) & 3) !== 0) {
      this.#quick = false;
      return;
    }
    this.#quick = true;
    this.#b0 = bounds[0]! >> 2;
    this.#b1 = bounds[1]! >> 2;
    this.#b2 = bounds[2]! >> 2;
    this.#b3 = bounds[3]! >> 2;
    this.#b4 = bounds[4]! >> 2;
    this.#b5 = bounds[5]! >> 2;
  }

  /**
   * Whether the snapshot at word `base` of `cur` (same byte length as this one)
   * equals this one beside the ignored bytes: then it is certainly unchanged.
   * False means "ask comparePayloads".
   */
  sameBesideIgnored(cur: Int32Array, base: number): boolean {
    if (!this.#quick) return false;
    const prev = this.arena.words;
    const at = this.offset;
    return (
      wordsEqual(prev, at, cur, base, 0, this.#b0) &&
      wordsEqual(prev, at, cur, base, this.#b1, this.#b2) &&
      wordsEqual(prev, at, cur, base, this.#b3, this.#b4) &&
      wordsEqual(prev, at, cur, base, this.#b5, this.#length >> 2)
    );
  }

  /**
   * The same test as {@link sameBesideIgnored}, in WebAssembly, for a
   * snapshot (same byte length as this one) at byte `at` of the datagram in
   * the scratch region of this snapshot's arena (a SIMD arena, after
   * {@link SnapshotArena.loadScratch}).
   */
  sameInScratch(at: number): boolean {
    if (!this.#quick) return false;
    return this.arena.sameWords!(this.offset << 2, at, this.#b0 << 2, this.#b1 << 2, this.#b2 << 2, this.#b3 << 2, this.#b4 << 2, this.#b5 << 2, this.#length) === 1;
  }
}

/**
 * Words [from, to) of the two snapshots are equal. The differences are OR-ed
 * eight words at a time, with no branch per word: nearly every socket of a
 * cycle is unchanged, so the loop almost always runs to the end, and an early
 * exit would only help the few that changed.
 */
function wordsEqual(prev: Int32Array, at: number, cur: Int32Array, base: number, from: number, to: number): boolean {
  const shift = base - at;
  const end = at + to;
  let i = at + from;
  let diff = 0;
  for (const end8 = end - 7; i < end8; i += 8) {
    const j = i + shift;
    diff |=
      (prev[i]! ^ cur[j]!) |
      (prev[i + 1]! ^ cur[j + 1]!) |
      (prev[i + 2]! ^ cur[j + 2]!) |
      (prev[i + 3]! ^ cur[j + 3]!) |
      (prev[i + 4]! ^ cur[j + 4]!) |
      (prev[i + 5]! ^ cur[j + 5]!) |
      (prev[i + 6]! ^ cur[j + 6]!) |
      (prev[i + 7]! ^ cur[j + 7]!);
  }
  for (; i < end; i++) diff |= prev[i]! ^ cur[i + shift]!;
  return diff === 0;
}

/**
 * Word views of the datagrams snapshots arrive in: one Int32Array per
 * datagram (the last one is remembered), not one view per message.
 */
export class DatagramWords {
  #buffer: ArrayBufferLike | undefined;
  #words: Int32Array = new Int32Array(0);
  /** The datagram the words were last found for, when the caller named it. */
  #datagram: Uint8Array | undefined;

  /**
   * The words of `view`'s whole ArrayBuffer, or undefined when `view` is not
   * 4-byte aligned. `datagram`, when given, is what `view` is a view of: the
   * same datagram as the last call's answers at once (`view.buffer` is a call
   * into V8's C++ on Node 20, ~1% of a busy cycle when asked per message).
   */
  of(view: Uint8Array, datagram?: Uint8Array): Int32Array | undefined {
    if ((view.byteOffset & 3) !== 0) return undefined;
    if (datagram !== undefined && datagram === this.#datagram) return this.#words;
    this.#datagram = datagram;
    const buffer = view.buffer;
    if (buffer !== this.#buffer) {
      this.#buffer = buffer;
      this.#words = new Int32Array(buffer, 0, buffer.byteLength >> 2);
    }
    return this.#words;
  }
}
