import { IDIAG_COOKIE_OFFSET, INET_DIAG_INFO, SIZEOF_INET_DIAG_MSG } from '@tcpinfo/inetdiag';
import { TCPI_BYTES_RECEIVED_OFFSET, TCPI_BYTES_SENT_OFFSET } from '@tcpinfo/tcp';
import { AttributeRanges, AttributeWalk } from './attribute-ranges.js';
import { byteCountersStart } from './byte-counters.js';
import { LineBytes } from './line-bytes.js';
import { ChangeType, compareAttributeLists, comparePayloads } from './change.js';
import { NetlinkParseError } from './errors.js';
import type { ExclusionRules } from './exclude.js';
import { ASCII, goJsonString } from '@tcpinfo/go-format';
import { GoTime } from './go-time.js';
import { parseRecordFields, type Metadata, type RecordParseOptions } from './record-parse.js';
import { rateLimitedConsoleWarning, type WarningSink } from './record-warnings.js';

/** The fields of a record; every one but `timestamp` may be absent. */
export interface ArchivalRecordInit {
  /** When the snapshot was taken; the zero time (default) for a header record. */
  readonly timestamp?: GoTime;
  /** The 72-byte struct inet_diag_msg. */
  readonly rawIdm?: Uint8Array;
  /** Attribute values indexed by type, `null` for absent types. */
  readonly attributes?: readonly (Uint8Array | null)[];
  /** Connection metadata (header records only). */
  readonly metadata?: Metadata;
}

/** Rewrites the addresses of an inet_diag_msg; `@tcpinfo/inetdiag`'s `Anonymizer` fits. */
export interface RawIdmAnonymizer {
  /** Returns `rawIdm` itself or an anonymized copy; must not modify `rawIdm`. */
  anonymize(rawIdm: Uint8Array): Uint8Array;
}

/** Options of {@link ArchivalRecord.fromMessage}. */
export interface FromMessageOptions {
  /** Connections these rules exclude give `undefined` (checked on the raw, un-anonymized addresses). */
  readonly exclude?: ExclusionRules;
  /** Applied to the record's inet_diag_msg (the record keeps what it returns). */
  readonly anonymizer?: RawIdmAnonymizer;
  /** Where dropped (type > 38) and duplicated attributes are reported; default: console.warn, at most once a second. */
  readonly onWarning?: WarningSink;
  /**
   * The payload is a private copy that never changes (the daemon's cache keeps
   * one per changed snapshot): the record keeps it instead of copying it again.
   */
  readonly immutable?: boolean;
}

/** Bytes sent and received as counted in a snapshot's tcp_info. */
export interface RecordStats {
  /** `tcpi_bytes_sent` (offset 200), 0 when tcp_info is absent or too short to hold it. */
  readonly sent: bigint;
  /** `tcpi_bytes_received` (offset 128), 0 under the same condition. */
  readonly received: bigint;
}


const defaultWarningSink = rateLimitedConsoleWarning();
// Reused by every line written: a line is copied out of it (toJSONLineBytes) or decoded (toJSONLine).
const sharedLine = new LineBytes();
const { QUOTE, COMMA, CLOSE_BRACKET, CLOSE_BRACE } = ASCII;
// Reused by every fromMessage call; records copy what they keep out of it.
const scratchIndex = new AttributeRanges();

/**
 * One archived snapshot of a socket: a line of a tcp-info JSONL file.
 *
 * A record built from a kernel message holds one private copy of the message
 * (the caller's buffer is typically a view into a datagram that is reused) and
 * the attribute offsets in it; attribute views are only created if
 * `attributes` is read. `toJSONLine()` encodes straight from the copy.
 */
export class ArchivalRecord {
  /** When the snapshot was taken (zero for a header record). */
  readonly timestamp: GoTime;
  /** Connection metadata, present on a file's header record. */
  readonly metadata: Metadata | undefined;
  #rawIdm: Uint8Array | undefined;
  #attributes: (Uint8Array | null)[] | undefined;
  // Set only for records made from a message: a private copy of the payload.
  // Attribute offsets are not stored but found again when needed (a walk of a
  // dozen headers costs less than allocating an offset table per record).
  #payload: Buffer | undefined;

  constructor(init: ArchivalRecordInit = {}) {
    this.timestamp = init.timestamp ?? GoTime.ZERO;
    this.#rawIdm = init.rawIdm;
    this.#attributes = init.attributes === undefined ? undefined : [...init.attributes];
    this.metadata = init.metadata;
    if (init.metadata !== undefined && !Number.isSafeInteger(init.metadata.Sequence)) {
      throw new NetlinkParseError('BAD_RECORD', `Metadata.Sequence must be an integer: ${init.metadata.Sequence}`);
    }
  }

  /**
   * The record of one inet_diag reply (`payload`: the 72-byte inet_diag_msg and
   * its attributes, e.g. a view into a received datagram; it is copied, not kept).
   * Returns undefined when `options.exclude` excludes the connection.
   * Attribute types above 38 are dropped and a repeated type keeps its last value
   * (both reported to `onWarning`); a message without attributes gives `[null]`.
   * Throws {@link NetlinkParseError} (`BAD_LENGTH`, `ATTRIBUTE_OVERRUN`,
   * `TOO_MANY_ATTRIBUTES`: the verdict of the one walker, `AttributeRanges`) for a
   * malformed payload, excluded or not.
   */
  static fromMessage(payload: Uint8Array, timestamp: GoTime, options: FromMessageOptions = {}): ArchivalRecord | undefined {
    const index = scratchIndex;
    // Malformed is malformed whether or not the rules would exclude the connection (the daemon agrees).
    if (index.walkPayload(payload) !== AttributeWalk.Ok) throw index.error();
    if (options.exclude?.excludes(payload)) return undefined;
    if (index.droppedCount > 0 || index.duplicateCount > 0) reportAnomalies(index, options.onWarning ?? defaultWarningSink);

    // One copy, from Node's buffer pool: the caller's view is only valid during its callback.
    let copy: Buffer;
    if (options.immutable) {
      copy = Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.length);
    } else {
      copy = Buffer.allocUnsafe(payload.length);
      copy.set(payload);
    }
    const record = new ArchivalRecord({ timestamp });
    record.#payload = copy;
    if (options.anonymizer !== undefined) record.#rawIdm = options.anonymizer.anonymize(copy.subarray(0, SIZEOF_INET_DIAG_MSG));
    return record;
  }

  /**
   * Reads one line of a JSONL file (without its newline). Accepts everything
   * Go's `json.Unmarshal` accepts for the original struct, within the limits of
   * `options`; `parseLine(l).toJSONLine() === l` for every line Go wrote.
   * Throws {@link NetlinkParseError} for anything else.
   */
  static parseLine(line: string | Uint8Array, options?: RecordParseOptions): ArchivalRecord {
    return new ArchivalRecord(parseRecordFields(line, options));
  }

  /** The raw 72-byte struct inet_diag_msg (anonymized if an anonymizer was given). Do not modify. */
  get rawIdm(): Uint8Array | undefined {
    return (this.#rawIdm ??= this.#payload?.subarray(0, SIZEOF_INET_DIAG_MSG));
  }

  /**
   * Attribute values indexed by type (`null` for absent types), views into the
   * record's own copy of the message. Do not modify.
   */
  get attributes(): readonly (Uint8Array | null)[] | undefined {
    const payload = this.#payload;
    if (this.#attributes === undefined && payload !== undefined) {
      const index = indexOf(payload);
      const values: (Uint8Array | null)[] = [];
      for (let type = 0; type < index.length; type++) {
        const start = index.valueStart[type]!;
        values.push(start < 0 ? null : payload.subarray(start, index.valueEnd[type]));
      }
      this.#attributes = values;
    }
    return this.#attributes;
  }

  /** The value of attribute `type`, or undefined when absent. */
  attribute(type: number): Uint8Array | undefined {
    return this.attributes?.[type] ?? undefined;
  }

  /**
   * The record as the exact JSON line Go's `encoding/json` writes for the
   * original struct (SPEC §3), without the trailing newline.
   */
  toJSONLine(): string {
    const out = sharedLine;
    out.reset();
    this.writeJSONLine(out);
    return out.toString();
  }

  /**
   * {@link toJSONLine} as UTF-8 bytes with the newline: a fresh Buffer (from
   * Node's pool when small), what the daemon compresses. No string is built.
   */
  toJSONLineBytes(): Buffer {
    const out = sharedLine;
    out.reset();
    this.writeJSONLine(out);
    return out.copyWithNewline();
  }

  /** Writes the line (the one rule of its layout; no newline) at the end of `out`. */
  writeJSONLine(out: LineBytes): void {
    out.ascii('{"Timestamp":"');
    out.ascii(this.timestamp.toString());
    out.byte(QUOTE);
    const idm = this.#rawIdm;
    const payload = this.#payload;
    if (idm !== undefined) {
      if (idm.length > 0) {
        out.ascii(',"RawIDM":"');
        out.base64(idm, 0, idm.length);
        out.byte(QUOTE);
      }
    } else if (payload !== undefined) {
      out.ascii(',"RawIDM":"');
      out.base64(payload, 0, SIZEOF_INET_DIAG_MSG);
      out.byte(QUOTE);
    }
    if (payload !== undefined && this.#attributes === undefined) {
      // Encoded straight from the copy; the length is at least 1, so never omitted.
      const index = indexOf(payload);
      out.ascii(',"Attributes":[');
      for (let type = 0; type < index.length; type++) {
        if (type > 0) out.byte(COMMA);
        const start = index.valueStart[type]!;
        if (start < 0) {
          out.ascii('null');
        } else {
          out.byte(QUOTE);
          out.base64(payload, start, index.valueEnd[type]!);
          out.byte(QUOTE);
        }
      }
      out.byte(CLOSE_BRACKET);
    } else if (this.#attributes !== undefined && this.#attributes.length > 0) {
      out.ascii(',"Attributes":[');
      const attributes = this.#attributes;
      for (let type = 0; type < attributes.length; type++) {
        if (type > 0) out.byte(COMMA);
        const value = attributes[type];
        if (value === null || value === undefined) {
          out.ascii('null');
        } else {
          out.byte(QUOTE);
          out.base64(value, 0, value.length);
          out.byte(QUOTE);
        }
      }
      out.byte(CLOSE_BRACKET);
    }
    const meta = this.metadata;
    if (meta !== undefined) {
      out.ascii(',"Metadata":{"UUID":');
      out.utf8(goJsonString(meta.UUID));
      out.ascii(',"Sequence":' + String(meta.Sequence) + ',"StartTime":"');
      out.ascii(meta.StartTime.toString());
      out.ascii('"}');
    }
    out.byte(CLOSE_BRACE);
  }

  /**
   * Why this snapshot is worth writing after `previous` (the socket's previous
   * snapshot), with the original's rules and precedence (see `compareRaw`):
   * `PreviousWasNil` without a previous one. Throws {@link NetlinkParseError}
   * `BAD_RECORD` when either record has no 72-byte inet_diag_msg.
   */
  compare(previous?: ArchivalRecord): ChangeType {
    if (previous === undefined) return ChangeType.PreviousWasNil;
    // Both from messages: compare the copies in place (anonymization never touches idiag_state).
    if (previous.#payload !== undefined && this.#payload !== undefined) return comparePayloads(previous.#payload, this.#payload);
    return compareAttributeLists(
      previous.rawIdm ?? EMPTY,
      previous.attributes ?? [],
      this.rawIdm ?? EMPTY,
      this.attributes ?? [],
    );
  }

  /**
   * Bytes sent and received from the snapshot's tcp_info, as the original's
   * `GetStats` (which returns `tcpi_bytes_sent` and `tcpi_bytes_received`): both 0
   * unless tcp_info is present and long enough to hold both (208 bytes).
   */
  getStats(): RecordStats {
    let buf: Uint8Array | undefined;
    let start = -1;
    const payload = this.#payload;
    if (payload !== undefined && this.#attributes === undefined) {
      const index = indexOf(payload);
      buf = payload;
      start = byteCountersStart(index.valueStart[INET_DIAG_INFO]!, index.valueEnd[INET_DIAG_INFO]!);
    } else {
      buf = this.attribute(INET_DIAG_INFO);
      start = buf === undefined ? -1 : byteCountersStart(0, buf.length);
    }
    if (buf === undefined || start < 0) return { sent: 0n, received: 0n };
    return {
      sent: readU64LE(buf, start + TCPI_BYTES_SENT_OFFSET),
      received: readU64LE(buf, start + TCPI_BYTES_RECEIVED_OFFSET),
    };
  }

  /**
   * The socket cookie (`idiag_cookie`, host order), the connection's key.
   * Throws {@link NetlinkParseError} `BAD_RECORD` without a 72-byte inet_diag_msg.
   */
  cookie(): bigint {
    const idm = this.rawIdm;
    if (idm === undefined || idm.length < SIZEOF_INET_DIAG_MSG) {
      throw new NetlinkParseError('BAD_RECORD', 'record has no inet_diag_msg');
    }
    return readU64LE(idm, IDIAG_COOKIE_OFFSET);
  }
}

const EMPTY = new Uint8Array(0);

/** Walks a payload this module copied and validated before (so it is well formed). */
function indexOf(payload: Buffer): AttributeRanges {
  scratchIndex.walkPayload(payload);
  return scratchIndex;
}

function readU64LE(bytes: Uint8Array, offset: number): bigint {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return view.getBigUint64(offset, true);
}

function reportAnomalies(index: AttributeRanges, warn: WarningSink): void {
  if (index.droppedCount > 0) {
    warn(`dropped ${index.droppedCount} attribute(s) with type above 38 (last: ${index.lastDroppedType})`);
  }
  if (index.duplicateCount > 0) {
    warn(`attribute type ${index.lastDuplicateType} appeared more than once; kept the last value`);
  }
}
