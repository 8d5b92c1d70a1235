import { NetlinkParseError } from './errors.js';

import { SIZEOF_INET_DIAG_MSG } from '@tcpinfo/inetdiag';

export { SIZEOF_INET_DIAG_MSG };
/** Size of `struct rtattr` (`len u16, type u16`), the header of each attribute. */
const SIZEOF_RTATTR = 4;
/**
 * Largest attribute type an archived record keeps (the original's
 * `2 * INET_DIAG_MAX` with its INET_DIAG_MAX of 19). Larger types are dropped.
 */
export const MAX_ARCHIVED_ATTRIBUTE_TYPE = 38;
/** Slots in an {@link AttributeIndex}: types 0..38. */
const SLOTS = MAX_ARCHIVED_ATTRIBUTE_TYPE + 1;

/**
 * Where each attribute of one inet_diag message lies, as offsets into the
 * message buffer, without creating a view per attribute: the daemon indexes
 * every socket's message every cycle, and an unchanged socket must cost almost
 * nothing. Reused between messages (call {@link index} again); not reentrant.
 *
 * Slot `t` describes what the archived record keeps for type `t`: the value of
 * the *last* attribute of that type (the original overwrites duplicates), or
 * absent. {@link length} is the length of the record's `Attributes` array:
 * (largest type seen, *including* dropped ones, capped at 38) + 1; so a
 * message without attributes gives length 1 (`[null]`), as the original does.
 */
export class AttributeIndex {
  /** Start offset of the value of type t, or -1 when absent. */
  readonly valueStart = new Int32Array(SLOTS);
  /** End offset (exclusive, unpadded) of the value of type t. */
  readonly valueEnd = new Int32Array(SLOTS);
  /** Length of the archived `Attributes` array (1..39). */
  length = 0;
  /** Attributes dropped because their type exceeds 38, in the last indexed message. */
  droppedCount = 0;
  /** The last dropped type, for a log line. */
  lastDroppedType = 0;
  /** Attributes that overwrote an earlier one of the same type, in the last indexed message. */
  duplicateCount = 0;
  /** The last duplicated type, for a log line. */
  lastDuplicateType = 0;

  /**
   * Indexes the attributes in `buf[start, end)` (the bytes after the 72-byte
   * inet_diag_msg). Follows the original's walk: each attribute needs
   * `4 <= len <= remaining`, the next one starts at `len` rounded up to 4, and
   * fewer than 4 trailing bytes are ignored. Throws {@link NetlinkParseError}
   * `ATTRIBUTE_OVERRUN` for a length that does not fit.
   */
  index(buf: Uint8Array, start: number, end: number): void {
    const valueStart = this.valueStart;
    valueStart.fill(-1);
    let maxType = 0;
    let dropped = 0;
    let duplicates = 0;
    let p = start;
    while (end - p >= SIZEOF_RTATTR) {
      // rtattr fields are in host order (little-endian on every platform we run on).
      const len = buf[p]! | (buf[p + 1]! << 8);
      const type = buf[p + 2]! | (buf[p + 3]! << 8);
      if (len < SIZEOF_RTATTR || len > end - p) {
        throw new NetlinkParseError(
          'ATTRIBUTE_OVERRUN',
          `attribute type ${type} at offset ${p} claims ${len} bytes, ${end - p} remain`,
        );
      }
      if (type > maxType) maxType = type;
      if (type > MAX_ARCHIVED_ATTRIBUTE_TYPE) {
        dropped++;
        this.lastDroppedType = type;
      } else {
        if (valueStart[type] !== -1) {
          duplicates++;
          this.lastDuplicateType = type;
        }
        valueStart[type] = p + SIZEOF_RTATTR;
        this.valueEnd[type] = p + len;
      }
      p += (len + 3) & ~3;
    }
    this.length = (maxType > MAX_ARCHIVED_ATTRIBUTE_TYPE ? MAX_ARCHIVED_ATTRIBUTE_TYPE : maxType) + 1;
    this.droppedCount = dropped;
    this.duplicateCount = duplicates;
  }

  /** Indexes a whole inet_diag payload (72-byte header, then attributes). */
  indexPayload(payload: Uint8Array): void {
    if (payload.length < SIZEOF_INET_DIAG_MSG) {
      throw new NetlinkParseError(
        'BAD_LENGTH',
        `inet_diag message of ${payload.length} bytes, needs at least ${SIZEOF_INET_DIAG_MSG}`,
      );
    }
    this.index(payload, SIZEOF_INET_DIAG_MSG, payload.length);
  }
}
