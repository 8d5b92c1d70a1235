import { IDIAG_SPORT_OFFSET, IDIAG_STATE_OFFSET, INET_DIAG_INFO, SIZEOF_INET_DIAG_MSG } from '@tcpinfo/inetdiag';
import { TCPI_BUSY_TIME_OFFSET, TCPI_LAST_DATA_SENT_OFFSET, TCPI_PMTU_OFFSET } from '@tcpinfo/tcp';
import { NetlinkParseError } from './errors.js';
import { AttributeRanges } from './attribute-ranges.js';

/**
 * Why a snapshot is worth writing, compared with the previous snapshot of the
 * same socket: the original's `ChangeType`, same names, same numbers, and the
 * same precedence (the first rule that matches wins, in the order of
 * {@link compareRaw}'s documentation).
 */
export const ChangeType = {
  NoMajorChange: 0,
  /** `idiag_state` (the TCP state) changed. */
  IDiagStateChange: 1,
  /** One of the two snapshots has no INET_DIAG_INFO (tcp_info). */
  NoTCPInfo: 2,
  /** The attribute array grew, or an attribute other than INET_DIAG_INFO appeared. */
  NewAttribute: 3,
  /** The attribute array shrank, or an attribute other than INET_DIAG_INFO vanished. */
  LostAttribute: 4,
  /** An attribute other than INET_DIAG_INFO changed length. */
  AttributeLength: 5,
  /** tcp_info bytes [0,44) or [60,168) (state, counters, pmtu … delivery_rate) changed. */
  StateOrCounterChange: 6,
  /** Defined by the original but never returned by its Compare. */
  PacketCountChange: 7,
  /** There is no previous snapshot. */
  PreviousWasNil: 8,
  /** Some attribute other than INET_DIAG_INFO changed its bytes. */
  Other: 9,
} as const;

/** One of the {@link ChangeType} values. */
export type ChangeType = (typeof ChangeType)[keyof typeof ChangeType];

const CHANGE_TYPE_NAMES: readonly string[] = Object.keys(ChangeType);

/** The original's name of a change kind (`'IDiagStateChange'`), for logs and metric labels. */
export function changeTypeName(change: ChangeType): string {
  return CHANGE_TYPE_NAMES[change] ?? `ChangeType(${change})`;
}

// tcp_info ranges the original compares (offsets from @tcpinfo/tcp). The counters: tcpi_pmtu up to (not
// including) tcpi_busy_time, i.e. pmtu … delivery_rate. The early fields:
// everything before tcpi_last_data_sent (state, ca_state, options, rto, ato,
// mss, unacked, sacked, lost, retrans, fackets). The last_* timers in between,
// and everything from busy_time on, are ignored.

/** Ranges shorter than this are compared in JavaScript: a native compare call costs ~70 ns, a JS byte loop ~0.6 ns a byte. */
const NATIVE_COMPARE_MIN_LENGTH = 96;
const nativeCompare = Buffer.prototype.compare;

// Scratch walks for the raw comparisons: reused so that comparing an
// unchanged socket allocates nothing.
const prevScratch = new AttributeRanges();
const curScratch = new AttributeRanges();

/**
 * Compares two snapshots of one socket given as raw inet_diag payloads (the
 * 72-byte inet_diag_msg followed by its attributes, as the kernel sends them):
 * the daemon's hot path, which must not build records for unchanged sockets.
 * Reads both buffers in place and allocates nothing. Same result as
 * `ArchivalRecord.fromMessage(cur).compare(ArchivalRecord.fromMessage(prev))`.
 * `curRanges`, when given, is the caller's walk of `cur` (the daemon walks each
 * message once); otherwise `cur` is walked here. Throws {@link NetlinkParseError}
 * for a payload that is not a valid message.
 */
export function comparePayloads(prev: Uint8Array, cur: Uint8Array, curRanges?: AttributeRanges): ChangeType {
  prevScratch.walkPayload(prev);
  prevScratch.throwIfMalformed();
  // The common case, an idle socket: same length, and every byte the rules look
  // at is equal. Then both messages have the same attribute layout and the
  // answer is NoMajorChange without walking the second one.
  if (prev.length === cur.length && equalBesideIgnoredBytes(prev, cur, prevScratch)) return ChangeType.NoMajorChange;
  let walked = curRanges;
  if (walked === undefined) {
    walked = curScratch;
    walked.walkPayload(cur);
  }
  walked.throwIfMalformed();
  return compareIndexed(prev[IDIAG_STATE_OFFSET]!, prev, prevScratch, cur[IDIAG_STATE_OFFSET]!, cur, walked);
}

/**
 * The byte-level comparison behind every change detection, on views: each
 * snapshot as its inet_diag_msg (`idm`, at least 72 bytes) and the raw
 * attribute bytes that followed it (`attrs`). The first matching rule wins:
 *
 * 1. `idiag_state` differs → IDiagStateChange;
 * 2. either attribute array is too short to hold INET_DIAG_INFO, or either lacks it → NoTCPInfo;
 * 3. tcp_info bytes [60,168) differ, then bytes [0,44) differ → StateOrCounterChange
 *    (each range cut at the end of a shorter, older-kernel value; a range whose length
 *    differs counts as differing);
 * 4. the array grew → NewAttribute, shrank → LostAttribute;
 * 5. in type order, for each attribute but INET_DIAG_INFO: appeared → NewAttribute,
 *    vanished → LostAttribute, length differs → AttributeLength, bytes differ → Other;
 * 6. otherwise NoMajorChange.
 */
export function compareRaw(prevIdm: Uint8Array, prevAttrs: Uint8Array, curIdm: Uint8Array, curAttrs: Uint8Array): ChangeType {
  const prevState = idiagState(prevIdm);
  const curState = idiagState(curIdm);
  prevScratch.walk(prevAttrs, 0, prevAttrs.length);
  prevScratch.throwIfMalformed();
  curScratch.walk(curAttrs, 0, curAttrs.length);
  curScratch.throwIfMalformed();
  return compareIndexed(prevState, prevAttrs, prevScratch, curState, curAttrs, curScratch);
}

/**
 * {@link compareRaw}'s rules over archived attribute arrays (`null` = absent),
 * as an `ArchivalRecord` holds them (e.g. parsed from JSONL). Throws
 * {@link NetlinkParseError} `BAD_RECORD` when an inet_diag_msg is shorter than 72
 * bytes (the original fails the comparison then, too).
 */
export function compareAttributeLists(
  prevIdm: Uint8Array,
  prevAttrs: readonly (Uint8Array | null)[],
  curIdm: Uint8Array,
  curAttrs: readonly (Uint8Array | null)[],
): ChangeType {
  if (idiagState(prevIdm) !== idiagState(curIdm)) return ChangeType.IDiagStateChange;
  if (prevAttrs.length <= INET_DIAG_INFO || curAttrs.length <= INET_DIAG_INFO) return ChangeType.NoTCPInfo;
  const a = prevAttrs[INET_DIAG_INFO];
  const b = curAttrs[INET_DIAG_INFO];
  if (a == null || b == null) return ChangeType.NoTCPInfo;
  if (
    !clippedRangesEqual(a, 0, a.length, b, 0, b.length, TCPI_PMTU_OFFSET, TCPI_BUSY_TIME_OFFSET) ||
    !clippedRangesEqual(a, 0, a.length, b, 0, b.length, 0, TCPI_LAST_DATA_SENT_OFFSET)
  ) {
    return ChangeType.StateOrCounterChange;
  }
  if (prevAttrs.length < curAttrs.length) return ChangeType.NewAttribute;
  if (prevAttrs.length > curAttrs.length) return ChangeType.LostAttribute;
  for (let type = 0; type < prevAttrs.length; type++) {
    if (type === INET_DIAG_INFO) continue;
    const x = prevAttrs[type];
    const y = curAttrs[type];
    if (x == null) {
      if (y != null) return ChangeType.NewAttribute;
      continue;
    }
    if (y == null) return ChangeType.LostAttribute;
    if (x.length !== y.length) return ChangeType.AttributeLength;
    if (!bytesEqual(x, 0, y, 0, x.length)) return ChangeType.Other;
  }
  return ChangeType.NoMajorChange;
}

function compareIndexed(
  prevState: number, prevBuf: Uint8Array, prev: AttributeRanges,
  curState: number, curBuf: Uint8Array, cur: AttributeRanges,
): ChangeType {
  if (prevState !== curState) return ChangeType.IDiagStateChange;
  if (prev.length <= INET_DIAG_INFO || cur.length <= INET_DIAG_INFO) return ChangeType.NoTCPInfo;
  const ps = prev.valueStart[INET_DIAG_INFO]!;
  const cs = cur.valueStart[INET_DIAG_INFO]!;
  if (ps < 0 || cs < 0) return ChangeType.NoTCPInfo;
  const pe = prev.valueEnd[INET_DIAG_INFO]!;
  const ce = cur.valueEnd[INET_DIAG_INFO]!;
  if (
    !clippedRangesEqual(prevBuf, ps, pe, curBuf, cs, ce, TCPI_PMTU_OFFSET, TCPI_BUSY_TIME_OFFSET) ||
    !clippedRangesEqual(prevBuf, ps, pe, curBuf, cs, ce, 0, TCPI_LAST_DATA_SENT_OFFSET)
  ) {
    return ChangeType.StateOrCounterChange;
  }
  if (prev.length < cur.length) return ChangeType.NewAttribute;
  if (prev.length > cur.length) return ChangeType.LostAttribute;
  for (let type = 0; type < prev.length; type++) {
    if (type === INET_DIAG_INFO) continue;
    const x = prev.valueStart[type]!;
    const y = cur.valueStart[type]!;
    if (x < 0) {
      if (y >= 0) return ChangeType.NewAttribute;
      continue;
    }
    if (y < 0) return ChangeType.LostAttribute;
    const length = prev.valueEnd[type]! - x;
    if (length !== cur.valueEnd[type]! - y) return ChangeType.AttributeLength;
    if (!bytesEqual(prevBuf, x, curBuf, y, length)) return ChangeType.Other;
  }
  return ChangeType.NoMajorChange;
}

/**
 * THE rule of which bytes of a payload change detection ignores, given where
 * its INET_DIAG_INFO value lies ([infoStart, infoEnd), infoStart >= 0): of the
 * inet_diag_msg, everything after its first word (the rules read only
 * idiag_state there, as the original's Compare; the first word, family, state,
 * timer and retrans, is compared whole so the cache can compare words: a
 * timer or retrans change only sends it to {@link compareRaw}, which ignores
 * it), the last_* timers of tcp_info [44,60) and tcp_info from busy_time on.
 * Skipping the socket id, cookie, expires, queues, uid and inode (17 of the
 * ~110 words an idle socket's snapshot is compared on) is that much less of
 * the cache's work per socket and cycle. Writes the bounds of the compared ranges into `out`:
 * `[0, out[0])`, `[out[1], out[2])`, `[out[3], out[4])`, `[out[5], length)`.
 * Ranges are cut at the end of a shorter (older-kernel) tcp_info. Two payloads
 * of one length that are equal there have equal attribute headers, so the same
 * layout, and every rule of {@link compareRaw} finds no change: the shortcut of
 * {@link comparePayloads} and of the cache's word compare (@tcpinfo/cache).
 */
export function changeComparedBounds(infoStart: number, infoEnd: number, out: Int32Array): void {
  out[0] = IDIAG_SPORT_OFFSET;
  out[1] = SIZEOF_INET_DIAG_MSG;
  out[2] = Math.min(infoStart + TCPI_LAST_DATA_SENT_OFFSET, infoEnd);
  out[3] = Math.min(infoStart + TCPI_PMTU_OFFSET, infoEnd);
  out[4] = Math.min(infoStart + TCPI_BUSY_TIME_OFFSET, infoEnd);
  out[5] = infoEnd;
}

const bounds = new Int32Array(6);

/**
 * Whether `prev` and `cur` (same length) are equal in every byte but those
 * {@link changeComparedBounds} ignores. False (meaning "look closer") when prev
 * has no INET_DIAG_INFO: that case is NoTCPInfo, never NoMajorChange.
 */
function equalBesideIgnoredBytes(prev: Uint8Array, cur: Uint8Array, prevRanges: AttributeRanges): boolean {
  const infoStart = prevRanges.valueStart[INET_DIAG_INFO]!;
  if (infoStart < 0) return false;
  changeComparedBounds(infoStart, prevRanges.valueEnd[INET_DIAG_INFO]!, bounds);
  return (
    bytesEqual(prev, 0, cur, 0, bounds[0]!) &&
    bytesEqual(prev, bounds[1]!, cur, bounds[1]!, bounds[2]! - bounds[1]!) &&
    bytesEqual(prev, bounds[3]!, cur, bounds[3]!, bounds[4]! - bounds[3]!) &&
    bytesEqual(prev, bounds[5]!, cur, bounds[5]!, prev.length - bounds[5]!)
  );
}

function idiagState(idm: Uint8Array): number {
  if (idm.length < SIZEOF_INET_DIAG_MSG) {
    throw new NetlinkParseError('BAD_RECORD', `inet_diag_msg of ${idm.length} bytes, needs ${SIZEOF_INET_DIAG_MSG}`);
  }
  return idm[IDIAG_STATE_OFFSET]!;
}

/**
 * Whether bytes [from, to) of value a (a[aStart, aEnd)) and of value b are
 * equal, each range cut at the end of its value: tcp_info is shorter on old
 * kernels, and the original would have read past the end there.
 */
function clippedRangesEqual(
  a: Uint8Array, aStart: number, aEnd: number,
  b: Uint8Array, bStart: number, bEnd: number,
  from: number, to: number,
): boolean {
  const aFrom = Math.min(aStart + from, aEnd);
  const aLength = Math.min(aStart + to, aEnd) - aFrom;
  const bFrom = Math.min(bStart + from, bEnd);
  const bLength = Math.min(bStart + to, bEnd) - bFrom;
  return aLength === bLength && bytesEqual(a, aFrom, b, bFrom, aLength);
}

function bytesEqual(a: Uint8Array, aFrom: number, b: Uint8Array, bFrom: number, length: number): boolean {
  if (length < NATIVE_COMPARE_MIN_LENGTH) {
    for (let i = 0; i < length; i++) if (a[aFrom + i] !== b[bFrom + i]) return false;
    return true;
  }
  return nativeCompare.call(a, b, bFrom, bFrom + length, aFrom, aFrom + length) === 0;
}
