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
 * `comparePayloads` also tests first: when the words differ (or the layout is
 * unusual) the cache asks `comparePayloads` for the real answer. A test flips
 * every byte of recorded kernel messages and checks both agree.
 */

import { IDIAG_EXPIRES_OFFSET, INET_DIAG_INFO, SIZEOF_INET_DIAG_MSG } from '@tcpinfo/inetdiag';
import { TCPI_BUSY_TIME_OFFSET, TCPI_LAST_DATA_SENT_OFFSET, TCPI_PMTU_OFFSET } from '@tcpinfo/tcp';

/** `idiag_expires` (one word of inet_diag_msg) changes all the time and is ignored. */
const IDIAG_EXPIRES_WORD = IDIAG_EXPIRES_OFFSET >> 2;
// The ignored ranges of tcp_info: the last_* timers [TCPI_LAST_DATA_SENT_OFFSET,
// TCPI_PMTU_OFFSET) and everything from TCPI_BUSY_TIME_OFFSET on.

/**
 * A private copy of one snapshot and, when its layout allows (4-byte aligned
 * length and tcp_info), the word ranges compared: [0, 13), [14, timersStart),
 * [timersEnd, countersEnd), [infoEnd, length) — everything but idiag_expires,
 * the tcp_info timers and tcp_info from busy_time on.
 */
export class SnapshotWords {
  /** The copy (inet_diag_msg + attributes). */
  readonly payload: Buffer;
  /** The copy as words; undefined when the quick test does not apply (ask comparePayloads). */
  readonly words: Int32Array | undefined;
  readonly #timersStart: number;
  readonly #timersEnd: number;
  readonly #countersEnd: number;
  readonly #infoEnd: number;

  constructor(view: Uint8Array) {
    // Buffer.allocUnsafe hands out 8-byte aligned slices of its pool (or a fresh
    // ArrayBuffer), so the copy can be read as words without another allocation.
    const copy = Buffer.allocUnsafe(view.length);
    copy.set(view);
    this.payload = copy;
    const info = lastInfoAttribute(copy);
    const aligned = (copy.byteOffset & 3) === 0 && (copy.length & 3) === 0;
    if (info === undefined || !aligned || (info.end & 3) !== 0) {
      this.words = undefined;
      this.#timersStart = this.#timersEnd = this.#countersEnd = this.#infoEnd = 0;
      return;
    }
    this.words = new Int32Array(copy.buffer, copy.byteOffset, copy.length >> 2);
    this.#timersStart = Math.min(info.start + TCPI_LAST_DATA_SENT_OFFSET, info.end) >> 2;
    this.#timersEnd = Math.min(info.start + TCPI_PMTU_OFFSET, info.end) >> 2;
    this.#countersEnd = Math.min(info.start + TCPI_BUSY_TIME_OFFSET, info.end) >> 2;
    this.#infoEnd = info.end >> 2;
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
      wordsEqual(prev, cur, base, 0, IDIAG_EXPIRES_WORD) &&
      wordsEqual(prev, cur, base, IDIAG_EXPIRES_WORD + 1, this.#timersStart) &&
      wordsEqual(prev, cur, base, this.#timersEnd, this.#countersEnd) &&
      wordsEqual(prev, cur, base, this.#infoEnd, prev.length)
    );
  }
}

function wordsEqual(prev: Int32Array, cur: Int32Array, base: number, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (prev[i] !== cur[base + i]) return false;
  return true;
}

/**
 * Where the value of the last INET_DIAG_INFO attribute lies (the one the
 * archived record keeps), walking attributes as @tcpinfo/netlink does;
 * undefined when absent or when the attributes are malformed.
 */
function lastInfoAttribute(payload: Buffer): { start: number; end: number } | undefined {
  let found: { start: number; end: number } | undefined;
  const end = payload.length;
  let p = SIZEOF_INET_DIAG_MSG;
  while (end - p >= 4) {
    const len = payload[p]! | (payload[p + 1]! << 8);
    const type = payload[p + 2]! | (payload[p + 3]! << 8);
    if (len < 4 || len > end - p) return undefined;
    if (type === INET_DIAG_INFO) found = { start: p + 4, end: p + len };
    p += (len + 3) & ~3;
  }
  return found;
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
