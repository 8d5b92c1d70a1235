import { INET_DIAG_ATTRIBUTES, InetDiagParseError, SIZEOF_INET_DIAG_MSG } from '@tcpinfo/inetdiag';
import { ArchivalRecord, DEFAULT_MAX_ATTRIBUTES, NetlinkParseError } from '@tcpinfo/netlink';

/**
 * How many bytes the row formatter reads from each attribute type: the Go
 * original's struct sizes (a shorter value is zero-extended, as the original's
 * maybeCopy does) and 1 for the scalars it reads as their first byte. Every
 * value is stored followed by zeros up to this size, so the formatter reads at
 * fixed offsets without checking lengths.
 */
const READ_SIZE: readonly number[] = (() => {
  const sizes = new Array<number>(DEFAULT_MAX_ATTRIBUTES).fill(0);
  for (const a of INET_DIAG_ATTRIBUTES) if (a.original === 'struct' || a.original === 'firstByte') sizes[a.type] = a.originalSize;
  return sizes;
})();

/**
 * Room needed beyond a line's length: decoded base64 is shorter than its
 * text, so only the zero padding and the alignment of each value add up.
 */
const PADDING_ROOM = READ_SIZE.reduce((a, b) => a + b, 0) + 8 * DEFAULT_MAX_ATTRIBUTES + SIZEOF_INET_DIAG_MSG;

/** Size of the buffers records are decoded into when they are kept ({@link RecordSlots.keep}): some 40 snapshots each. */
const KEPT_BUFFER_BYTES = 32 * 1024;

/**
 * The first buffer's size: room for a typical record (a 1.5-4 KB line and
 * its padding), grown by reset() for longer ones. With 64 KiB, zero-filled
 * per converter, the allocation was ~9 % of tcpinfo-csv's CPU on 1,000 files
 * of 20 rows.
 */
const FIRST_BUFFER_BYTES = 8 * 1024;

/** Whether 32-bit typed arrays read the values' little-endian words as they are. */
export const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Where a record's values are in its bytes: `start[type]` (-1 when absent) and `length[type]` for `type < count`. */
export interface AttributeLayout {
  readonly count: number;
  readonly start: Int32Array;
  readonly length: Int32Array;
}

/**
 * One record's bytes, laid out for the row formatter: the inet_diag_msg and
 * each attribute value decoded into one reused buffer, with offsets and
 * lengths by type. Filled either straight from a JSON line (line-scanner.ts)
 * or from a parsed {@link ArchivalRecord}; valid until the next fill.
 */
export class RecordSlots implements AttributeLayout {
  /**
   * Decoded bytes of the current record (reused; grows for longer lines). Its own ArrayBuffer, from offset 0.
   * It starts at {@link FIRST_BUFFER_BYTES}: one is made per converter, i.e. per input file of tcpinfo-csv.
   */
  bytes: Buffer = Buffer.alloc(FIRST_BUFFER_BYTES);
  /**
   * {@link bytes} as host-order 32-bit words. Every value starts at a multiple
   * of 8, so the formatter reads a u32 field at byte offset `o` (a multiple
   * of 4 in every struct it prints) as `u32[o >> 2]`: one load instead of four
   * byte loads. The values are little-endian, so this holds on little-endian
   * hosts only; {@link HOST_IS_LITTLE_ENDIAN} tells.
   */
  u32 = new Uint32Array(this.bytes.buffer, 0, this.bytes.length >> 2);
  /** {@link bytes} as host-order signed 32-bit words (see {@link u32}). */
  i32 = new Int32Array(this.bytes.buffer, 0, this.bytes.length >> 2);
  /** The record's timestamp as it prints, ASCII bytes (Go writes at most 35), the first {@link timestampLength}. */
  readonly timestamp = Buffer.alloc(64);
  timestampLength = 0;
  /** Offset of the 72-byte inet_diag_msg in {@link bytes}, or -1 when the record has none. */
  idmAt = -1;
  /** Length of the Attributes array (largest type + 1). */
  count = 0;
  /** Offset of each attribute value by type, -1 when absent (null). */
  readonly start = new Int32Array(DEFAULT_MAX_ATTRIBUTES);
  /** Length of each attribute value by type (before padding). */
  readonly length = new Int32Array(DEFAULT_MAX_ATTRIBUTES);
  /** Next free offset in {@link bytes}. */
  end = 0;
  /** Where the current record begins in {@link bytes} (a multiple of 8): 0 unless records are {@link keep}t. */
  base = 0;
  /** Where the next record may begin after the records kept in {@link bytes}; -1 when none is (the buffer is then reused from 0). */
  #keptEnd = -1;

  /** Sets the timestamp from ASCII bytes `src[start, end)` (at most 64). */
  setTimestamp(src: Uint8Array, start: number, end: number): void {
    const ts = this.timestamp;
    for (let i = start; i < end; i++) ts[i - start] = src[i]!;
    this.timestampLength = end - start;
  }

  /** Starts a record whose JSON text is `textLength` characters long. */
  reset(textLength: number): void {
    const need = textLength + PADDING_ROOM;
    let base = 0;
    if (this.#keptEnd >= 0) {
      // After the kept records; in a fresh buffer when they leave no room (theirs is never written again).
      base = this.#keptEnd;
      if (base + need > this.bytes.length) {
        this.#newBuffer(Math.max(need, KEPT_BUFFER_BYTES));
        base = 0;
        this.#keptEnd = -1;
      }
    } else if (this.bytes.length < need) {
      this.#newBuffer(Math.max(need, this.bytes.length * 2));
    }
    this.base = base;
    this.idmAt = -1;
    this.count = 0;
    this.end = base;
  }

  #newBuffer(size: number): void {
    // Buffer.alloc never takes from the shared pool: its own ArrayBuffer, offset 0.
    this.bytes = Buffer.alloc(size);
    this.u32 = new Uint32Array(this.bytes.buffer, 0, this.bytes.length >> 2);
    this.i32 = new Int32Array(this.bytes.buffer, 0, this.bytes.length >> 2);
  }

  /**
   * Leaves the current record's bytes where they are, for a snapshot to keep
   * (readSnapshots' snapshots, which outlive the line): later records are
   * decoded after them, or into a fresh buffer, and never over them. Returns
   * the buffer holding them (offsets as in these slots). Saves a copy and an
   * allocation per snapshot; the price is that a snapshot kept alone keeps
   * its buffer (at most {@link KEPT_BUFFER_BYTES}, shared with its neighbours).
   */
  keep(): Buffer {
    this.#keptEnd = (this.end + 7) & ~7;
    return this.bytes;
  }

  /** Marks the attribute of type `count` (the next one) absent. */
  addNull(): void {
    this.start[this.count] = -1;
    this.length[this.count] = 0;
    this.count++;
  }

  /**
   * Declares the `length` bytes just written at {@link end} as the next
   * attribute's value and pads them with zeros up to what the formatter reads.
   */
  addValue(length: number): void {
    const type = this.count;
    const at = this.end;
    this.start[type] = at;
    this.length[type] = length;
    const size = READ_SIZE[type] ?? 0;
    // (A loop: Buffer.fill's argument checks cost more than these few bytes.)
    for (let i = at + length, bytes = this.bytes; i < at + size; i++) bytes[i] = 0;
    this.end = (at + Math.max(length, size) + 7) & ~7; // the next value starts 8-aligned (see u32)
    this.count++;
  }

  /**
   * Fills the slots from a parsed record (the slow path: lines the scanner
   * does not take). Copies the values. Throws when the inet_diag_msg is
   * present but shorter than 72 bytes: the original refuses such a record.
   */
  fillFromRecord(record: ArchivalRecord): void {
    const idm = record.rawIdm;
    const attrs = record.attributes ?? [];
    if (attrs.length > this.start.length) throw new NetlinkParseError('TOO_MANY_ATTRIBUTES', `${attrs.length} attributes exceed the limit of ${this.start.length}`);
    let total = (idm?.length ?? 0) + attrs.length;
    for (const v of attrs) total += v?.length ?? 0;
    this.reset(total);
    const ts = Buffer.from(record.timestamp.toString(), 'latin1');
    if (ts.length > this.timestamp.length) throw new NetlinkParseError('BAD_TIMESTAMP', `timestamp of ${ts.length} characters`); // never from GoTime
    this.setTimestamp(ts, 0, ts.length);
    if (idm !== undefined && idm.length > 0) {
      if (idm.length < SIZEOF_INET_DIAG_MSG) {
        throw new InetDiagParseError('TRUNCATED', `RawIDM of ${idm.length} bytes is shorter than the ${SIZEOF_INET_DIAG_MSG}-byte inet_diag_msg`);
      }
      this.bytes.set(idm.subarray(0, SIZEOF_INET_DIAG_MSG), this.base);
      this.idmAt = this.base;
      this.end = this.base + SIZEOF_INET_DIAG_MSG;
    }
    for (const v of attrs) {
      if (v == null) {
        this.addNull();
      } else {
        this.bytes.set(v, this.end);
        this.addValue(v.length);
      }
    }
  }
}
