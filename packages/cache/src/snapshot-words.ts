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
 */

import { INET_DIAG_INFO } from '@tcpinfo/inetdiag';
import { AttributeRanges, changeComparedBounds } from '@tcpinfo/netlink';

// The bytes ignored are netlink's one rule (changeComparedBounds); here they are
// only converted to word indexes, once per kept snapshot.
const bounds = new Int32Array(6);
// For snapshots made without the caller's walk (excluded headers, tests).
const ownWalk = new AttributeRanges();

/**
 * A private copy of one snapshot and, when its layout allows (a well-formed
 * list with tcp_info, every bound a multiple of 4), the word ranges that
 * `changeComparedBounds` (@tcpinfo/netlink) compares: everything but
 * the inet_diag_msg after its first word (family, state, timer, retrans), the
 * tcp_info timers and tcp_info from busy_time on.
 */
export class SnapshotWords {
  /** The copy (inet_diag_msg + attributes). */
  readonly payload: Buffer;
  /** The copy as words; undefined when the quick test does not apply (ask comparePayloads). */
  readonly words: Int32Array | undefined;
  // Word bounds of the compared ranges: [0, #b0), [#b1, #b2), [#b3, #b4), [#b5, words.length).
  readonly #b0: number = 0;
  readonly #b1: number = 0;
  readonly #b2: number = 0;
  readonly #b3: number = 0;
  readonly #b4: number = 0;
  readonly #b5: number = 0;

  /**
   * Copies `view` (an inet_diag payload). `walked`, when given, is the
   * caller's walk of `view` (the daemon walks each message once); otherwise it
   * is walked here. A malformed list gets no words (ask comparePayloads, which
   * throws for it).
   */
  constructor(view: Uint8Array, walked?: AttributeRanges) {
    // Buffer.allocUnsafe hands out 8-byte aligned slices of its pool (or a fresh
    // ArrayBuffer), so the copy can be read as words without another allocation.
    const copy = Buffer.allocUnsafe(view.length);
    copy.set(view);
    this.payload = copy;
    let ranges = walked;
    if (ranges === undefined) {
      ranges = ownWalk;
      ranges.walkPayload(copy);
    }
    const infoStart = ranges.ok ? ranges.valueStart[INET_DIAG_INFO]! : -1;
    if (infoStart >= 0) changeComparedBounds(infoStart, ranges.valueEnd[INET_DIAG_INFO]!, bounds);
    if (infoStart < 0 || (copy.byteOffset & 3) !== 0 || (copy.length & 3) !== 0 || ((bounds[2]! | bounds[3]! | bounds[4]! | bounds[5]!) & 3) !== 0) {
      this.words = undefined;
      return;
    }
    this.words = new Int32Array(copy.buffer, copy.byteOffset, copy.length >> 2);
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
    const prev = this.words;
    if (prev === undefined) return false;
    return (
      wordsEqual(prev, cur, base, 0, this.#b0) &&
      wordsEqual(prev, cur, base, this.#b1, this.#b2) &&
      wordsEqual(prev, cur, base, this.#b3, this.#b4) &&
      wordsEqual(prev, cur, base, this.#b5, prev.length)
    );
  }
}

function wordsEqual(prev: Int32Array, cur: Int32Array, base: number, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (prev[i] !== cur[base + i]) return false;
  return true;
}

/**
 * Word views of the datagrams snapshots arrive in: one Int32Array per
 * datagram (the last one is remembered), not one view per message.
 */
export class DatagramWords {
  #buffer: ArrayBufferLike | undefined;
  #words: Int32Array = new Int32Array(0);

  /** The words of `view`'s whole ArrayBuffer, or undefined when `view` is not 4-byte aligned. */
  of(view: Uint8Array): Int32Array | undefined {
    if ((view.byteOffset & 3) !== 0) return undefined;
    const buffer = view.buffer;
    if (buffer !== this.#buffer) {
      this.#buffer = buffer;
      this.#words = new Int32Array(buffer, 0, buffer.byteLength >> 2);
    }
    return this.#words;
  }
}
