import { ASCII } from '@tcpinfo/go-format';
import type { Snapshot } from './snapshot.js';
import { isSnapshotOnAccess, writeSnapshotOnAccessJson } from './snapshot-on-access.js';
import { asciiBytes, JsonText } from './json-text.js';
import { MAX_EXACT, writePlain } from './plain-json.js';

/**
 * Plain JSON of decoded values, one rule for every JSON the library writes
 * (snapshotToJson, a summary's toJSON):
 * - a bigint is a JSON number when it is exact as one (|v| ≤ 2^53), else a
 *   decimal string: DuckDB and jq then type counters as numbers;
 * - addresses are their text (`src`, `dst`); the raw address bytes
 *   (`srcBytes`, `dstBytes`) are left out, other bytes are base64;
 * - times (GoTime) are their RFC 3339 text; Maps become objects.
 */
export function toPlainJson(value: unknown): unknown {
  if (typeof value === 'bigint') return value >= -MAX_EXACT && value <= MAX_EXACT ? Number(value) : value.toString();
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if ('unixNanos' in value && typeof (value as { toString(): string }).toString === 'function') return String(value);
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), toPlainJson(v)]));
  if (Array.isArray(value)) return value.map(toPlainJson);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined || typeof v === 'function' || k === 'srcBytes' || k === 'dstBytes') continue;
    // An own key named __proto__ stays a key (as Object.fromEntries keeps it for Maps):
    // assigned, it would set the copy's prototype and vanish from the JSON.
    if (k === '__proto__') Object.defineProperty(out, k, { value: toPlainJson(v), enumerable: true, writable: true, configurable: true });
    else out[k] = toPlainJson(v);
  }
  return out;
}

/** A snapshot as one JSON line's text (see {@link toPlainJson} for the rules), the raw record left out. */
export function snapshotToJson(metadata: unknown, s: Snapshot): string {
  if (isSnapshotOnAccess(s)) return withWriter((w) => writeSnapshotJson(w, metadata, s));
  const { record: _record, ...rest } = s;
  const plain = toPlainJson(rest) as Record<string, unknown>;
  if (metadata !== undefined) plain.metadata = toPlainJson(metadata);
  return JSON.stringify(plain);
}

/**
 * The fast path of {@link snapshotToJson}, for snapshots that decode on
 * access (readSnapshots, tcpinfo-csv --format=jsonl): the text written in one
 * pass straight from the record's bytes (record-json.ts), in decodeRecord's
 * key order, instead of building decodeRecord's objects and toPlainJson's
 * copies of them. record-json.property.test.ts pins it to the reference
 * path byte for byte; snapshot-json.property.test.ts pins
 * {@link plainJsonText} (metadata's writer) to toPlainJson.
 */
function writeSnapshotJson(w: JsonText, metadata: unknown, s: Snapshot): string {
  writeSnapshotOnAccessJson(w, s);
  if (metadata !== undefined) {
    w.bytes(KEY_METADATA);
    writePlain(w, metadata);
  }
  w.byte(CLOSE_BRACE);
  return w.toString();
}

const writer = new JsonText();
let writerBusy = false;
const { CLOSE_BRACE } = ASCII;
const KEY_METADATA = asciiBytes(',"metadata":');

/** Runs `write` with the shared writer, reset; a new one if a getter called back into the JSON writers while it is in use. */
function withWriter(write: (w: JsonText) => string): string {
  const outer = writerBusy;
  const w = outer ? new JsonText() : writer;
  w.reset();
  writerBusy = true;
  try {
    return write(w);
  } finally {
    writerBusy = outer;
  }
}

/**
 * `JSON.stringify(toPlainJson(value))` in one pass, without the copies: the
 * same rules, for the plain decoded values (objects with own fields, arrays,
 * Maps, bytes, times) that snapshots hold.
 */
export function plainJsonText(value: unknown): string {
  return withWriter((w) => {
    writePlain(w, value);
    return w.toString();
  });
}

