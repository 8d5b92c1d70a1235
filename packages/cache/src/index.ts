import { AttributeRanges, AttributeWalk, ChangeType, comparePayloads } from '@tcpinfo/netlink';
import { IDIAG_COOKIE_HI_OFFSET, IDIAG_COOKIE_LO_OFFSET, SIZEOF_INET_DIAG_MSG } from '@tcpinfo/inetdiag';
import { DatagramWords, SnapshotArena, SnapshotWords } from './snapshot-words.js';

export { SnapshotArena, SnapshotWords } from './snapshot-words.js';

// Word indexes of the cookie's halves in an inet_diag payload (both offsets are multiples of 4).
const COOKIE_LO_WORD = IDIAG_COOKIE_LO_OFFSET >> 2;
const COOKIE_HI_WORD = IDIAG_COOKIE_HI_OFFSET >> 2;

/** The cookie of an inet_diag payload (`idiag_cookie`, two host-order 32-bit halves). */
export function cookieOf(payload: Buffer): bigint {
  return (BigInt(payload.readUInt32LE(IDIAG_COOKIE_HI_OFFSET)) << 32n) | BigInt(payload.readUInt32LE(IDIAG_COOKIE_LO_OFFSET));
}

/**
 * What the cache knows of one socket (keyed by its cookie): its kept snapshot
 * (the entry is its own {@link SnapshotWords}: one object per socket, so the
 * loop over every socket of a cycle chases one pointer less) and the cycle
 * bookkeeping. `S` is the state the layer above keeps per connection (the
 * saver's), typed rather than cast.
 */
export class CacheEntry<S = unknown> extends SnapshotWords {
  /** The cycle in which the socket was last seen. */
  seenCycle: number;
  /** The exclusion rules dropped this socket: it is tracked only so it is not checked again. */
  readonly excluded: boolean;
  /** Free for the layer above (the saver's per-connection state). */
  state: S | undefined = undefined;
  /** Next entry whose cookie has the same low 32 bits. */
  next: CacheEntry<S> | undefined = undefined;
  /** Where it came in the order of the cycle it was last seen in (the cache's guess of the next cycle's order). */
  orderIndex = -1;
  /** Left the cache (closed or deleted): an old order list may still hold it. */
  removed = false;

  /**
   * Keeps `view` (see {@link SnapshotWords}: `walked` is the caller's walk of
   * it, `arena` where it is stored).
   */
  constructor(
    /** Low 32 bits of the cookie. */
    readonly lo: number,
    /** High 32 bits of the cookie. */
    readonly hi: number,
    view: Uint8Array,
    walked: AttributeRanges | undefined,
    arena: SnapshotArena | undefined,
    seenCycle: number,
    excluded: boolean,
  ) {
    super(view, walked, arena);
    this.seenCycle = seenCycle;
    this.excluded = excluded;
  }

  /** The last snapshot written (or, for excluded sockets, the first seen, header only): the entry itself. */
  get snapshot(): SnapshotWords {
    return this;
  }

  /** The socket cookie. */
  get cookie(): bigint {
    return (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }
}

/** Outcome of {@link ConnectionCache.update}; the entry is in `cache.lastEntry`. */
export const UpdateResult = {
  /** Seen before, no change worth writing (the common case: nothing is allocated). */
  Unchanged: 0,
  /** Seen before and changed: `lastEntry.payload` gives a copy of the new snapshot. */
  Changed: 1,
  /** First snapshot of a socket that is kept: `lastEntry.payload` gives a copy of it. */
  New: 2,
  /** A socket the exclusion rules drop (first sight or later). */
  Excluded: 3,
} as const;
export type UpdateResult = (typeof UpdateResult)[keyof typeof UpdateResult];

/**
 * The previous snapshot of every socket, keyed by cookie, and the cycle logic
 * that finds closed sockets: a socket not seen during a whole cycle (both
 * families) has closed. Cookies are looked up by their two 32-bit halves,
 * never through a float, and without allocating for unchanged sockets.
 */
export class ConnectionCache<S = unknown> {
  readonly #byLow = new Map<number, CacheEntry<S>>();
  /**
   * The entries in the order the current cycle saw them, and the previous
   * cycle's. The kernel dumps its socket table in the same order every cycle
   * while the table does not change, so the next message is most likely about
   * the entry after the last one found: checked by cookie first, before the
   * map. Only a guess: a wrong one costs the map lookup it saves.
   */
  #order: CacheEntry<S>[] = [];
  #previousOrder: CacheEntry<S>[] = [];
  #cursor = 0;
  readonly #datagramWords = new DatagramWords();
  /** The datagram last copied into the arena's scratch region, and whether it fitted. */
  #scratchDatagram: Uint8Array | undefined = undefined;
  #scratchLoaded = false;
  /** The kept snapshots, side by side in dump order (snapshot-words.ts). */
  readonly #arena: SnapshotArena;
  #size = 0;
  #cycle = 1;
  /** Entries seen in the current cycle (each counted once): when all are, endCycle has nothing to look for. */
  #seen = 0;
  /** The entry the last {@link update} call was about. */
  lastEntry: CacheEntry<S> | undefined = undefined;
  /** The change kind of the last `Changed` result (for logs and tests). */
  lastChange: ChangeType = ChangeType.NoMajorChange;
  /** Walks the payloads the caller did not walk. */
  readonly #ownWalk = new AttributeRanges();

  /** `arena`: where kept snapshots are stored (tests pass a small one to see it compact). */
  constructor(arena: SnapshotArena = new SnapshotArena(undefined, undefined, true)) {
    this.#arena = arena;
  }

  /** Sockets in the cache (excluded ones included). */
  get size(): number {
    return this.#size;
  }

  /** The current cycle number (starts at 1). */
  get cycle(): number {
    return this.#cycle;
  }

  /** Finds a cookie's entry. */
  get(cookie: bigint): CacheEntry<S> | undefined {
    return this.#find(Number(cookie & 0xffffffffn), Number(cookie >> 32n));
  }

  /** Whether the cookie with these halves is in the cache (no bigint: for the hot path). */
  has(lo: number, hi: number): boolean {
    return this.#find(lo, hi) !== undefined;
  }

  #find(lo: number, hi: number): CacheEntry<S> | undefined {
    let e = this.#byLow.get(lo);
    while (e !== undefined && e.hi !== hi) e = e.next;
    return e;
  }

  /**
   * Records one snapshot (`payload`: inet_diag_msg + attributes, a view that may
   * be reused after the call) for the current cycle. `isExcluded` is asked once,
   * on a socket's first sight. `walk`, when given, is the daemon's one walker
   * instance for this message (`AttributeRanges.walkPayloadOnce`): the cache
   * walks into it only when it needs the ranges (not for an unchanged socket:
   * equal words imply equal attribute headers, so a well-formed list) and the
   * byte totals reuse that walk. Returns what happened; see {@link UpdateResult}.
   * Throws the NetlinkParseError of a malformed payload (the walker's verdict)
   * (a known socket still counts as seen and keeps its previous snapshot; a new
   * one is not added); only an excluded socket's later messages are not looked at.
   * `datagram`, when given, is the datagram `payload` is a view of: the same
   * object for all its messages, and within a cycle a new object for each
   * datagram (InetDiagSocket's are: the binding allocates each one, and a
   * netlink test pins it). The cache's SIMD arena copies it once into its
   * scratch region, when its first message comes, and compares its snapshots
   * there (snapshot-words.ts); else the words of the datagram are compared in
   * JavaScript. A datagram object refilled within one cycle would be compared
   * as its first content: the cache forgets it only at {@link endCycle}.
   */
  update(payload: Buffer, isExcluded?: (payload: Buffer) => boolean, walk?: AttributeRanges, datagram?: Uint8Array): UpdateResult {
    if (payload.length < SIZEOF_INET_DIAG_MSG) this.#walk(payload, walk); // no cookie to read: throws the walker's BAD_LENGTH
    // Byte offset of the payload in the arena's scratch copy of its datagram, or -1 (then the
    // words of the datagram itself are compared, in JavaScript).
    let scratchAt = -1;
    if (datagram !== undefined) {
      if (datagram !== this.#scratchDatagram) {
        this.#scratchDatagram = datagram;
        this.#scratchLoaded = this.#arena.loadScratch(datagram);
      }
      const offset = payload.byteOffset - datagram.byteOffset;
      if (this.#scratchLoaded && (offset & 3) === 0) scratchAt = offset;
    }
    const words = scratchAt >= 0 ? this.#arena.words : this.#datagramWords.of(payload, datagram);
    const at = scratchAt >= 0 ? scratchAt >> 2 : payload.byteOffset >> 2;
    // The cookie's halves from the words when aligned (as readUInt32LE reads them, unsigned).
    const lo = words !== undefined ? words[at + COOKIE_LO_WORD]! >>> 0 : payload.readUInt32LE(IDIAG_COOKIE_LO_OFFSET);
    const hi = words !== undefined ? words[at + COOKIE_HI_WORD]! >>> 0 : payload.readUInt32LE(IDIAG_COOKIE_HI_OFFSET);
    let entry = this.#previousOrder[this.#cursor];
    if (entry !== undefined && entry.lo === lo && entry.hi === hi && !entry.removed) this.#cursor++;
    else {
      entry = this.#find(lo, hi);
      if (entry !== undefined) this.#cursor = entry.orderIndex + 1;
    }
    if (entry !== undefined) {
      this.#remember(entry);
      if (entry.seenCycle !== this.#cycle) {
        entry.seenCycle = this.#cycle;
        this.#seen++;
      }
      this.lastEntry = entry;
      if (entry.excluded) return UpdateResult.Excluded;
      if (payload.length === entry.length && (scratchAt >= 0 ? entry.sameInScratch(scratchAt) : words !== undefined && entry.sameBesideIgnored(words, at))) return UpdateResult.Unchanged;
      const ranges = this.#walk(payload, walk);
      const change = comparePayloads(entry.view(), payload, ranges);
      if (change === ChangeType.NoMajorChange) return UpdateResult.Unchanged;
      this.lastChange = change;
      entry.replace(payload, ranges);
      return UpdateResult.Changed;
    }
    const ranges = this.#walk(payload, walk);
    const excluded = isExcluded?.(payload) ?? false;
    // Excluded sockets keep only their header: enough to be recognised.
    const created = excluded
      ? new CacheEntry<S>(lo, hi, payload.subarray(0, SIZEOF_INET_DIAG_MSG), undefined, undefined, this.#cycle, true)
      : new CacheEntry<S>(lo, hi, payload, ranges, this.#arena, this.#cycle, false);
    created.next = this.#byLow.get(lo);
    this.#byLow.set(lo, created);
    this.#remember(created);
    this.#size++;
    this.#seen++;
    this.lastEntry = created;
    this.lastChange = ChangeType.PreviousWasNil;
    return excluded ? UpdateResult.Excluded : UpdateResult.New;
  }

  /** Notes where `entry` came in this cycle's order, for the next cycle's guesses. */
  #remember(entry: CacheEntry<S>): void {
    // A cycle that does not complete (an interrupted dump) does not end: the next
    // one's messages add to the same list. Bounded here; the guesses then miss
    // until a cycle ends, and the map answers.
    if (this.#order.length > 2 * this.#size + 64) this.#order.length = 0;
    entry.orderIndex = this.#order.length;
    this.#order.push(entry);
  }

  /** The walk of `payload`, the caller's if given; throws for a malformed one. */
  #walk(payload: Buffer, walk: AttributeRanges | undefined): AttributeRanges {
    const ranges = walk ?? this.#ownWalk;
    if ((walk === undefined ? ranges.walkPayload(payload) : ranges.walkPayloadOnce(payload)) !== AttributeWalk.Ok) throw ranges.error();
    return ranges;
  }

  /**
   * Ends the current cycle: removes every socket not seen in it and returns the
   * kept (not excluded) ones, whose connections have closed.
   */
  endCycle(): CacheEntry<S>[] {
    // The next cycle's first datagram is copied again even if it is the same object refilled.
    this.#scratchDatagram = undefined;
    const gone: CacheEntry<S>[] = [];
    const cycle = this.#cycle;
    const everySeen = this.#seen === this.#size;
    this.#seen = 0;
    const seenOrder = this.#order;
    this.#order = this.#previousOrder;
    this.#order.length = 0;
    this.#previousOrder = seenOrder;
    this.#cursor = 0;
    // The common cycle (no socket closed) needs no walk over every entry.
    if (everySeen) {
      this.#cycle++;
      this.#compact(seenOrder);
      return gone;
    }
    for (const [lo, head] of this.#byLow) {
      let first: CacheEntry<S> | undefined;
      let last: CacheEntry<S> | undefined;
      for (let e: CacheEntry<S> | undefined = head; e !== undefined; e = e.next) {
        if (e.seenCycle === cycle) {
          if (last === undefined) first = e;
          else last.next = e;
          last = e;
        } else {
          this.#size--;
          e.removed = true;
          e.release();
          if (!e.excluded) gone.push(e);
        }
      }
      if (last !== undefined) last.next = undefined;
      if (first === undefined) this.#byLow.delete(lo);
      else if (first !== head) this.#byLow.set(lo, first);
    }
    this.#cycle++;
    this.#compact(seenOrder);
    return gone;
  }

  /**
   * Compacts the arena when it is mostly garbage, laying the snapshots out in
   * the order of the cycle that just ended: every entry still in the cache was
   * seen in it, so `seenOrder` names each (the arena checks, and declines when
   * an entry is missing, e.g. after an interrupted dump's bounded list).
   */
  #compact(seenOrder: readonly CacheEntry<S>[]): void {
    if (this.#arena.wantsCompaction) this.#arena.compact(seenOrder, (e) => (e.removed ? undefined : e));
  }

  /** Removes one entry now (e.g. after a destroy notification); returns it. */
  delete(cookie: bigint): CacheEntry<S> | undefined {
    const lo = Number(cookie & 0xffffffffn);
    const hi = Number(cookie >> 32n);
    let prev: CacheEntry<S> | undefined;
    for (let e = this.#byLow.get(lo); e !== undefined; prev = e, e = e.next) {
      if (e.hi !== hi) continue;
      if (prev === undefined) {
        if (e.next === undefined) this.#byLow.delete(lo);
        else this.#byLow.set(lo, e.next);
      } else {
        prev.next = e.next;
      }
      this.#size--;
      if (e.seenCycle === this.#cycle) this.#seen--;
      e.removed = true;
      e.release();
      return e;
    }
    return undefined;
  }

  /** Every entry (for shutdown). */
  *entries(): Generator<CacheEntry<S>> {
    for (const head of this.#byLow.values()) for (let e: CacheEntry<S> | undefined = head; e !== undefined; e = e.next) yield e;
  }
}
