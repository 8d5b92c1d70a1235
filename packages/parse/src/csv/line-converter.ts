import { ASCII } from '@tcpinfo/go-format';
import { ArchivalRecord } from '@tcpinfo/netlink';
import { TcpInfoReadError } from '../errors.js';
import type { InputLine, LineBytesBatch } from '../input.js';
import { decodeRecord, type Snapshot } from '../snapshot.js';
import { snapshotToJson } from '../snapshot-json.js';
import { JsonText } from '../json-text.js';
import { writeRecordJson } from '../record-json.js';
import { slotsTimestampText, snapshotViewOfSlots } from '../snapshot-on-access.js';
import type { ByteOutput } from './byte-output.js';
import { EXTRA_COLUMNS, type CsvRowSource } from './columns.js';
import { CanonicalLineScanner } from './line-scanner.js';
import { writeExtrasFromBytes } from './raw-extras.js';
import { csvField, writeOriginalRow } from './raw-row.js';
import { RecordSlots } from './record-slots.js';

const { NEWLINE, CLOSE_BRACE } = ASCII;
/** Room made in the output chunk before a JSON line is written into it: a snapshot's line is ~1.5 KB. */
const JSON_LINE_ROOM = 8 * 1024;

/** What a {@link LineConverter} writes. */
export interface LineConverterOptions {
  /** Append the columns the original cannot show (`--columns=all`). */
  readonly all: boolean;
  /** Write decoded snapshots as JSON lines instead of CSV rows (`--format=jsonl`). */
  readonly jsonl: boolean;
  /** Append the UUID (of the last header record) and File columns. */
  readonly keys?: boolean;
  /** Called for each line that is not an ArchivalRecord; without it such a line throws. */
  readonly onInvalid?: (error: TcpInfoReadError) => void;
  /**
   * Hands each row to this function (for the column table's typed values:
   * Parquet) instead of writing it. The row object is reused: valid during
   * the call only. Its snapshot is decoded only when `all` asks for it; the
   * original's columns read the slots.
   */
  readonly rows?: (row: CsvRowSource) => void;
}

/**
 * Turns batches of input lines into output rows, synchronously: `convert`
 * does the streaming (files, batches, back-pressure), this the per-line work
 * (the scanner's fast path, the parsed slow path, the error of a bad line).
 * On the fast path, `all`'s columns and JSON lines read a snapshot that
 * decodes on access from the scanned bytes (snapshot-on-access.ts); the
 * slow path decodes with decodeRecord. line-converter.property.test.ts
 * (and the reference CSVs) hold both to the same output.
 */
export class LineConverter {
  readonly #slots = new RecordSlots();
  readonly #scanner = new CanonicalLineScanner();
  /** JSON lines are written through this straight into the output's chunk (no string per line). */
  readonly #json = new JsonText();
  /** The UUID of the last header record met (the `UUID` column). */
  #uuid = '';
  /** The row handed to `options.rows` (reused). */
  readonly #row: { -readonly [K in keyof CsvRowSource]: CsvRowSource[K] } = { snapshot: undefined as unknown as Snapshot, slots: this.#slots, uuid: undefined, file: '' };

  constructor(
    /** Where rows are written; unused (may be null) when `options.rows` takes them. */
    private readonly out: ByteOutput | null,
    private readonly options: LineConverterOptions,
  ) {}

  /**
   * Converts one batch of lines (as bytes, as convert reads them); returns the
   * number of rows written. A line that takes the fast path never becomes a
   * string; the others are decoded for the slow path. Throws a
   * {@link TcpInfoReadError} (BAD_RECORD, with source and line) for a line that
   * is not an ArchivalRecord unless `onInvalid` takes it; rows before it are in `out`.
   */
  convertBytesBatch(batch: LineBytesBatch): number {
    const { all, jsonl } = this.options;
    const out = this.out!;
    const slots = this.#slots;
    const { bytes, starts, ends, numbers, source } = batch;
    let rows = 0;
    for (let i = 0; i < starts.length; i++) {
      if (this.#scanner.scanBytes(bytes, starts[i]!, ends[i]!, slots)) {
        // The line's snapshot, when the output needs one, decodes on access from the slots (valid for this row).
        if (this.options.rows !== undefined) {
          this.#emit(all || jsonl ? snapshotViewOfSlots(slots) : undefined, source);
        } else if (jsonl) {
          this.#writeJsonLine(slots);
        } else {
          writeOriginalRow(out, slots);
          // Most records' extras print from their bytes (raw-extras.ts); the others decode a snapshot.
          if (all && !writeExtrasFromBytes(out, slots)) this.#writeExtras(snapshotViewOfSlots(slots));
          if (this.options.keys === true) this.#writeKeys(source);
          out.byte(NEWLINE);
        }
        rows++;
      } else if (this.#convertParsed({ text: bytes.toString('utf8', starts[i], ends[i]), number: numbers[i]!, source })) {
        rows++;
      }
    }
    return rows;
  }

  /** The slow path: any line through ArchivalRecord.parseLine (and decodeRecord when columns or format need a snapshot). */
  #convertParsed(line: InputLine): boolean {
    const { all, jsonl, onInvalid } = this.options;
    let snapshot: Snapshot | undefined;
    let metadata: unknown;
    try {
      const record = ArchivalRecord.parseLine(line.text);
      if (record.metadata !== undefined) this.#uuid = record.metadata.UUID;
      if (jsonl || all) ({ snapshot, metadata } = decodeRecord(record));
      if (!jsonl) this.#slots.fillFromRecord(record);
    } catch (err) {
      const e = new TcpInfoReadError('BAD_RECORD', line.source, line.number, `not an ArchivalRecord: ${(err as Error).message}`);
      if (onInvalid === undefined) throw e;
      onInvalid(e);
      return false;
    }
    if (this.options.rows !== undefined) {
      this.#emit(snapshot, line.source);
      return true;
    }
    const out = this.out!;
    if (jsonl) {
      out.utf8(snapshotToJson(metadata, snapshot!) + '\n');
      return true;
    }
    writeOriginalRow(out, this.#slots);
    if (all) this.#writeExtras(snapshot!);
    if (this.options.keys === true) this.#writeKeys(line.source);
    out.byte(NEWLINE);
    return true;
  }

  /**
   * The record in the slots as a JSON line (snapshotToJson's text and a
   * newline), straight from its bytes into the output's chunk (in place: a
   * copy of each ~1.5 KB line out of a scratch buffer was ~4% of
   * --format=jsonl). A line longer than the room reserved grows the chunk.
   */
  #writeJsonLine(slots: RecordSlots): void {
    const w = this.#json;
    const out = this.out!;
    out.reserve(JSON_LINE_ROOM);
    w.writeInto(out.buffer, out.position);
    writeRecordJson(w, slots.bytes, slots.idmAt, slots, slotsTimestampText(slots));
    w.byte(CLOSE_BRACE);
    w.byte(NEWLINE);
    out.position = w.length;
    out.buffer = w.release();
  }

  /** Hands the row in the slots (and its snapshot, when decoded) to `options.rows`. */
  #emit(snapshot: Snapshot | undefined, source: string): void {
    const row = this.#row;
    row.snapshot = snapshot as Snapshot;
    row.uuid = this.#uuid === '' ? undefined : this.#uuid;
    row.file = source;
    this.options.rows!(row);
  }

  /** The columns `all` adds, from the typed snapshot. */
  #writeExtras(snapshot: Snapshot): void {
    let extra = '';
    for (const c of EXTRA_COLUMNS) extra += ',' + csvField(c.value(snapshot));
    this.out!.utf8(extra);
  }

  #writeKeys(source: string): void {
    this.out!.utf8(`,${csvField(this.#uuid)},${csvField(source)}`);
  }
}
