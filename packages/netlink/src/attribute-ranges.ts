import { SIZEOF_INET_DIAG_MSG } from '@tcpinfo/inetdiag';
import { NetlinkParseError } from './errors.js';

/** Size of `struct rtattr` (`len u16, type u16`), the header of each attribute. */
export const RTA_HDRLEN = 4;
/**
 * Largest attribute type an archived record keeps (the original's
 * `2 * INET_DIAG_MAX` with its INET_DIAG_MAX of 19). Larger types are dropped.
 */
export const MAX_ARCHIVED_ATTRIBUTE_TYPE = 38;
/** Slots of {@link AttributeRanges.valueStart}: types 0..38. */
const SLOTS = MAX_ARCHIVED_ATTRIBUTE_TYPE + 1;
/** Default bound on the attributes of one message: work for hostile input stays bounded (the kernel sends ~12). */
export const DEFAULT_MAX_WALKED_ATTRIBUTES = 1024;

/** The outcome of {@link AttributeRanges.walk}: one verdict on a list, whoever walks it. */
export const AttributeWalk = {
  /** Every attribute fits; fewer than 4 trailing bytes are ignored, as the original does. */
  Ok: 0,
  /** An attribute's length is shorter than its header or runs past the end (`ATTRIBUTE_OVERRUN`). */
  Overrun: 1,
  /** More attributes than the walker's limit (`TOO_MANY_ATTRIBUTES`). */
  TooMany: 2,
  /** The payload cannot hold the 72-byte inet_diag_msg before the list (`BAD_LENGTH`). */
  ShortMessage: 3,
} as const;
/** One of the {@link AttributeWalk} values. */
export type AttributeWalk = (typeof AttributeWalk)[keyof typeof AttributeWalk];

/**
 * THE walker of route-attribute lists: every reader of inet_diag attributes
 * (framing's `attributes()`, archived records, change detection, the cache's
 * quick test, the daemon's byte totals) goes through {@link walk}, so they all
 * agree on what is malformed. A malformed list is a result, not an exception:
 * {@link status} says why and {@link end} where; {@link error} makes the
 * `NetlinkParseError` for callers that throw.
 *
 * It records where each attribute lies as offsets into the walked buffer,
 * without creating a view per attribute: the daemon walks every socket's
 * message every cycle, and an unchanged socket must cost almost nothing. Reuse
 * one instance (walk again); not reentrant.
 *
 * Slot `t` of {@link valueStart}/{@link valueEnd} is what the archived record
 * keeps for type `t`: the value of the *last* attribute of that type (the
 * original overwrites duplicates), or -1. {@link length} is the length of the
 * record's `Attributes` array: (largest type seen, *including* dropped ones,
 * capped at 38) + 1; so a message without attributes gives 1 (`[null]`), as the
 * original does. {@link headers} lists every attribute in order, duplicates and
 * dropped types included.
 */
export class AttributeRanges {
  /** Start offset of the value of type t, or -1 when absent. */
  readonly valueStart = new Int32Array(SLOTS);
  /** End offset (exclusive, unpadded) of the value of type t. */
  readonly valueEnd = new Int32Array(SLOTS);
  /** Offset of each attribute's header, in list order; the first {@link count} are set. */
  readonly headers: Int32Array;
  /** Attributes walked (in {@link headers}). */
  count = 0;
  /** Length of the archived `Attributes` array (1..39). */
  length = 0;
  /** Attributes dropped because their type exceeds 38. */
  droppedCount = 0;
  /** The last dropped type, for a log line. */
  lastDroppedType = 0;
  /** Attributes that overwrote an earlier one of the same type. */
  duplicateCount = 0;
  /** The last duplicated type, for a log line. */
  lastDuplicateType = 0;
  /** The verdict of the last walk. */
  status: AttributeWalk = AttributeWalk.Ok;
  /** Where the walk stopped: the end of the list, or the offending attribute's header. */
  end = 0;

  constructor(
    /** Most attributes accepted in one list (see {@link DEFAULT_MAX_WALKED_ATTRIBUTES}). */
    readonly maxAttributes = DEFAULT_MAX_WALKED_ATTRIBUTES,
  ) {
    this.headers = new Int32Array(maxAttributes);
  }

  /** Whether the last walk found a well-formed list. */
  get ok(): boolean {
    return this.status === AttributeWalk.Ok;
  }

  /**
   * Walks the attributes in `buf[start, end)`. The original's rule: each
   * attribute needs `4 <= rta_len <= remaining`, the next one starts at
   * `rta_len` rounded up to 4, and fewer than 4 trailing bytes are ignored.
   * Returns (and keeps in {@link status}) the verdict; on a malformed list the
   * slots describe only what came before {@link end}.
   */
  walk(buf: Uint8Array, start: number, end: number): AttributeWalk {
    const valueStart = this.valueStart;
    const valueEnd = this.valueEnd;
    const headers = this.headers;
    const max = this.maxAttributes;
    valueStart.fill(-1);
    let maxType = 0;
    let dropped = 0;
    let duplicates = 0;
    let count = 0;
    let status: AttributeWalk = AttributeWalk.Ok;
    let p = start;
    while (end - p >= RTA_HDRLEN) {
      // rtattr fields are in host order (little-endian on every platform we run on).
      const len = buf[p]! | (buf[p + 1]! << 8);
      if (len < RTA_HDRLEN || len > end - p) {
        status = AttributeWalk.Overrun;
        this.#bad = [buf[p + 2]! | (buf[p + 3]! << 8), len, end - p];
        break;
      }
      if (count === max) {
        status = AttributeWalk.TooMany;
        break;
      }
      headers[count++] = p;
      const type = buf[p + 2]! | (buf[p + 3]! << 8);
      if (type > maxType) maxType = type;
      if (type > MAX_ARCHIVED_ATTRIBUTE_TYPE) {
        dropped++;
        this.lastDroppedType = type;
      } else {
        if (valueStart[type] !== -1) {
          duplicates++;
          this.lastDuplicateType = type;
        }
        valueStart[type] = p + RTA_HDRLEN;
        valueEnd[type] = p + len;
      }
      p += (len + 3) & ~3;
    }
    this.#walked = undefined;
    this.count = count;
    this.end = status === AttributeWalk.Ok ? end : p;
    this.length = (maxType > MAX_ARCHIVED_ATTRIBUTE_TYPE ? MAX_ARCHIVED_ATTRIBUTE_TYPE : maxType) + 1;
    this.droppedCount = dropped;
    this.duplicateCount = duplicates;
    return (this.status = status);
  }

  /** Walks a whole inet_diag payload: the 72-byte inet_diag_msg, then its attributes. */
  walkPayload(payload: Uint8Array): AttributeWalk {
    if (payload.length < SIZEOF_INET_DIAG_MSG) {
      this.valueStart.fill(-1);
      this.count = this.droppedCount = this.duplicateCount = 0;
      this.length = 1;
      this.end = 0;
      this.#bad = [0, payload.length, 0];
      this.status = AttributeWalk.ShortMessage;
    } else {
      this.walk(payload, SIZEOF_INET_DIAG_MSG, payload.length);
    }
    this.#walked = payload;
    return this.status;
  }

  /**
   * {@link walkPayload} unless the last walk was of this very view (the same
   * object): the daemon hands one instance per message to the cache and the
   * byte totals, and whichever needs the ranges first walks; an unchanged
   * socket, which needs none, is not walked at all. Safe because every
   * received message is a new view; do not mutate a view between calls.
   */
  walkPayloadOnce(payload: Uint8Array): AttributeWalk {
    return this.#walked === payload ? this.status : this.walkPayload(payload);
  }

  // The view of the last walkPayload, for walkPayloadOnce.
  #walked: Uint8Array | undefined = undefined;

  // What error() describes: [type, claimed length, bytes remaining] of an overrun; [, payload length] of a short message.
  #bad: readonly [number, number, number] = [0, 0, 0];

  /** The error describing the last walk's malformed list (call only when not {@link ok}). */
  error(): NetlinkParseError {
    const [type, len, remaining] = this.#bad;
    switch (this.status) {
      case AttributeWalk.ShortMessage:
        return new NetlinkParseError('BAD_LENGTH', `inet_diag message of ${len} bytes, needs at least ${SIZEOF_INET_DIAG_MSG}`);
      case AttributeWalk.TooMany:
        return new NetlinkParseError('TOO_MANY_ATTRIBUTES', `more than ${this.maxAttributes} attributes`);
      default:
        return new NetlinkParseError('ATTRIBUTE_OVERRUN', `attribute type ${type} at offset ${this.end} claims ${len} bytes, ${remaining} remain`);
    }
  }

  /** Throws {@link error} unless the last walk was {@link ok}: for callers whose contract is to throw. */
  throwIfMalformed(): void {
    if (this.status !== AttributeWalk.Ok) throw this.error();
  }
}
