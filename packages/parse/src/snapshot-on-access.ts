import { decodeInetDiagMsg, INET_DIAG_ATTRIBUTES, INET_DIAG_INFO, SIZEOF_INET_DIAG_MSG, type InetDiagMsg } from '@tcpinfo/inetdiag';
import { ArchivalRecord, GoTime } from '@tcpinfo/netlink';
import { tcpInfoOnAccess } from '@tcpinfo/tcp';
import { slotsNotFullyParsed, slotsObserved } from './csv/raw-row.js';
import type { AttributeLayout, RecordSlots } from './csv/record-slots.js';
import type { JsonText } from './json-text.js';
import { writeRecordJson } from './record-json.js';
import { decodeRecord, type Snapshot } from './snapshot.js';

/**
 * Snapshots that decode on access: the fast path of readSnapshots (issue 12,
 * finding 5). A line in the original's exact form is scanned straight into
 * bytes (csv/line-scanner.ts, as the CSV path does); the snapshot keeps
 * those bytes and the attribute offsets and decodes a field only when it is
 * read (then keeps it). The getters are made from inetdiag's attribute table,
 * with the decoders of that table — the same ones {@link decodeRecord} calls —
 * except that tcp_info decodes field by field too ({@link tcpInfoOnAccess}).
 * Measured on the bench's sample (20 MB, 37k lines): decodeRecord of every
 * line cost ~35 µs a snapshot, most of it JSON.parse, base64 and decoding
 * the ~90 tcp_info fields of which a job reads a few.
 *
 * Same values as {@link decodeRecord} (bigints stay bigints); `toJSON()`
 * returns decodeRecord's object, so `JSON.stringify` gives the same text. What
 * differs: the fields live on the prototype, so `Object.keys` and spreading do
 * not list them and `in` is true even for an absent one ({@link toPlainSnapshot}
 * gives the plain object).
 * snapshot-on-access.property.test.ts pins it to decodeRecord over every
 * testdata file in random field orders.
 */

/** Decoders by attribute type: the attribute table's, with tcp_info's field-by-field one. */
const DECODERS: readonly (((value: Uint8Array) => unknown) | undefined)[] = INET_DIAG_ATTRIBUTES.map((row) =>
  row.type === INET_DIAG_INFO ? tcpInfoOnAccess : row.field !== undefined ? row.decode : undefined,
);
/** The value a cache slot holds before its field was read. */
const UNREAD = Symbol('unread');

class SnapshotOnAccess {
  // Private fields: a snapshot's own keys stay empty (its fields are the prototype's getters).
  readonly #bytes: Buffer;
  readonly #idmAt: number;
  readonly #layout: AttributeLayout;
  readonly #timestampText: string;
  #timestamp: GoTime | undefined;
  #idm: InetDiagMsg | undefined;
  #record: ArchivalRecord | undefined;
  #decoded: unknown[] | undefined;
  #others: Map<number, Uint8Array> | null | undefined;

  /**
   * `bytes`: the inet_diag_msg at `idmAt` (-1: none) and each value at `layout.start[type]`;
   * `timestampText` as the line writes it (canonical: it parses and prints back the same).
   */
  constructor(bytes: Buffer, idmAt: number, layout: AttributeLayout, timestampText: string) {
    this.#bytes = bytes;
    this.#idmAt = idmAt;
    this.#layout = layout;
    this.#timestampText = timestampText;
  }

  /** Writes the snapshot's JSON from its bytes (record-json.ts), without the closing brace. */
  static writeJson(s: SnapshotOnAccess, w: JsonText): void {
    writeRecordJson(w, s.#bytes, s.#idmAt, s.#layout, s.#timestampText);
  }

  get timestamp(): GoTime {
    return (this.#timestamp ??= GoTime.parse(this.#timestampText));
  }
  get observed(): number {
    return slotsObserved(this.#layout);
  }
  get notFullyParsed(): number {
    return slotsNotFullyParsed(this.#layout);
  }
  get idm(): InetDiagMsg | undefined {
    if (this.#idm === undefined && this.#idmAt >= 0) this.#idm = decodeInetDiagMsg(this.#bytes.subarray(this.#idmAt, this.#idmAt + SIZEOF_INET_DIAG_MSG));
    return this.#idm;
  }
  get otherAttributes(): ReadonlyMap<number, Uint8Array> | undefined {
    if (this.#others === undefined) {
      let others: Map<number, Uint8Array> | null = null;
      const { count, start } = this.#layout;
      for (let type = 0; type < count; type++) {
        if (start[type]! >= 0 && DECODERS[type] === undefined) (others ??= new Map()).set(type, this.value(type)!);
      }
      this.#others = others;
    }
    return this.#others ?? undefined;
  }
  /** The record, made when first read (a view of these bytes; the attribute values are views too). */
  get record(): ArchivalRecord {
    if (this.#record === undefined) {
      const attributes: (Uint8Array | null)[] = [];
      for (let type = 0; type < this.#layout.count; type++) attributes.push(this.value(type) ?? null);
      const rawIdm = this.#idmAt < 0 ? undefined : this.#bytes.subarray(this.#idmAt, this.#idmAt + SIZEOF_INET_DIAG_MSG);
      this.#record = new ArchivalRecord({ timestamp: this.timestamp, ...(rawIdm ? { rawIdm } : {}), attributes });
    }
    return this.#record;
  }

  /** The raw value of attribute `type`, undefined when absent. */
  value(type: number): Uint8Array | undefined {
    const { count, start, length } = this.#layout;
    if (type >= count) return undefined;
    const at = start[type]!;
    return at < 0 ? undefined : this.#bytes.subarray(at, at + length[type]!);
  }

  /** The decoded value of attribute `type` (the getters below call this), decoded once. */
  decoded(type: number): unknown {
    const count = this.#layout.count;
    if (type >= count) return undefined;
    const cache = (this.#decoded ??= new Array<unknown>(count).fill(UNREAD));
    let v = cache[type];
    if (v === UNREAD) cache[type] = v = this.#layout.start[type]! >= 0 ? DECODERS[type]!(this.value(type)!) : undefined;
    return v;
  }

  /** Exactly {@link decodeRecord}'s snapshot of the same record (the reference path). */
  toJSON(): Snapshot {
    return decodeRecord(this.record).snapshot;
  }
}

// One getter per decoded attribute of the table (memInfo, tcpInfo, congestionAlgorithm …).
for (const row of INET_DIAG_ATTRIBUTES) {
  if (row.field === undefined || DECODERS[row.type] === undefined) continue;
  const type = row.type;
  Object.defineProperty(SnapshotOnAccess.prototype, row.field, {
    get(this: SnapshotOnAccess) {
      return this.decoded(type);
    },
    enumerable: true,
    configurable: false,
  });
}

/**
 * A snapshot over a record's bytes, decoding on access. `bytes`, `start` and
 * `length` are kept, not copied: they must not change while it is in use
 * (see {@link snapshotOfSlots} for one that owns its bytes).
 */
export function snapshotOnAccess(bytes: Buffer, idmAt: number, layout: AttributeLayout, timestampText: string): Snapshot {
  return new SnapshotOnAccess(bytes, idmAt, layout, timestampText) as unknown as Snapshot;
}

/** The snapshot of the record in `slots`, as a view: valid until the slots are filled again (for one output row). */
export function snapshotViewOfSlots(slots: RecordSlots): Snapshot {
  return snapshotOnAccess(slots.bytes, slots.idmAt, slots, slotsTimestampText(slots));
}

/**
 * The snapshot of the record in `slots`, which keeps its bytes where they were
 * decoded (RecordSlots.keep: for readSnapshots, whose snapshots outlive the line).
 */
export function snapshotOfSlots(slots: RecordSlots): Snapshot {
  const bytes = slots.keep();
  const count = slots.count;
  const layout = { count, start: slots.start.slice(0, count), length: slots.length.slice(0, count) };
  return snapshotOnAccess(bytes, slots.idmAt, layout, slotsTimestampText(slots));
}

/** The timestamp of the record in `slots`, as its line writes it. */
export function slotsTimestampText(slots: RecordSlots): string {
  return slots.timestamp.toString('latin1', 0, slots.timestampLength);
}

/** Whether `s` decodes on access (it then has `toJSON`, giving decodeRecord's plain snapshot). */
export function isSnapshotOnAccess(s: Snapshot): boolean {
  return s instanceof SnapshotOnAccess;
}

/** Writes the JSON of a snapshot decoding on access (snapshotToJson's text) from its bytes, without the closing brace. */
export function writeSnapshotOnAccessJson(w: JsonText, s: Snapshot): void {
  SnapshotOnAccess.writeJson(s as unknown as SnapshotOnAccess, w);
}

/**
 * A snapshot as a plain object with its fields as own properties (for `Object.keys`,
 * spreading, structuredClone): decodeRecord's snapshot for one that decodes on access,
 * the snapshot itself otherwise.
 */
export function toPlainSnapshot(s: Snapshot): Snapshot {
  return s instanceof SnapshotOnAccess ? s.toJSON() : s;
}
