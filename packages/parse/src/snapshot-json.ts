import { INET_DIAG_ATTRIBUTES } from '@tcpinfo/inetdiag';
import { TCP_INFO_FIELDS, tcpInfoField, type TcpInfo } from '@tcpinfo/tcp';
import type { Snapshot } from './snapshot.js';
import { decodedAttribute, isSnapshotOnAccess, timestampTextOf } from './snapshot-on-access.js';
import { asciiBytes, JsonText } from './json-text.js';

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

const MAX_EXACT = 2n ** 53n;

/** A snapshot as one JSON line's text (see {@link toPlainJson} for the rules), the raw record left out. */
export function snapshotToJson(metadata: unknown, s: Snapshot): string {
  if (isSnapshotOnAccess(s)) return snapshotOnAccessJson(metadata, s);
  const { record: _record, ...rest } = s;
  const plain = toPlainJson(rest) as Record<string, unknown>;
  if (metadata !== undefined) plain.metadata = toPlainJson(metadata);
  return JSON.stringify(plain);
}

/**
 * The fast path of {@link snapshotToJson}, for snapshots that decode on
 * access (readSnapshots, tcpinfo-csv --format=jsonl): the text written in one
 * pass, in decodeRecord's key order (timestamp, the bitmasks, idm, the
 * attributes by type, otherAttributes), reading tcp_info through its getters
 * (the table's order) instead of building decodeRecord's objects and
 * toPlainJson's copies of them (~70 µs a line, 3/4 of the JSON lines' time).
 * snapshot-on-access.property.test.ts pins it to the reference path on every
 * sample line; snapshot-json.property.test.ts pins {@link plainJsonText} to
 * toPlainJson.
 */
function snapshotOnAccessJson(metadata: unknown, s: Snapshot): string {
  // The shared writer unless a getter called back into the JSON writers while it is in use.
  const outer = writerBusy;
  const w = outer ? new JsonText() : writer;
  w.reset();
  writerBusy = true;
  try {
    return writeSnapshotOnAccess(w, metadata, s);
  } finally {
    writerBusy = outer;
  }
}

function writeSnapshotOnAccess(w: JsonText, metadata: unknown, s: Snapshot): string {
  // The timestamp of a snapshot decoding on access is canonical: its text is what toString would give.
  w.bytes(KEY_TIMESTAMP);
  w.string(timestampTextOf(s));
  w.bytes(KEY_OBSERVED);
  w.number(s.observed);
  w.bytes(KEY_NOT_FULLY_PARSED);
  w.number(s.notFullyParsed);
  if (s.idm !== undefined) {
    w.bytes(KEY_IDM);
    writePlain(w, s.idm);
  }
  for (const { type, field, key } of ATTRIBUTE_FIELDS) {
    const v = decodedAttribute(s, type);
    if (v === undefined) continue;
    w.bytes(key);
    if (field === 'tcpInfo') writeTcpInfo(w, v as TcpInfo);
    else writePlain(w, v);
  }
  if (s.otherAttributes !== undefined) {
    w.bytes(KEY_OTHER_ATTRIBUTES);
    writePlain(w, s.otherAttributes);
  }
  if (metadata !== undefined) {
    w.bytes(KEY_METADATA);
    writePlain(w, metadata);
  }
  w.byte(CLOSE_BRACE);
  return w.toString();
}

const writer = new JsonText();
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const QUOTE = 0x22;
const NULL = asciiBytes('null');
const TRUE = asciiBytes('true');
const FALSE = asciiBytes('false');
const KEY_TIMESTAMP = asciiBytes('{"timestamp":');
const KEY_OBSERVED = asciiBytes(',"observed":');
const KEY_NOT_FULLY_PARSED = asciiBytes(',"notFullyParsed":');
const KEY_IDM = asciiBytes(',"idm":');
const KEY_OTHER_ATTRIBUTES = asciiBytes(',"otherAttributes":');
const KEY_METADATA = asciiBytes(',"metadata":');

/** The decoded attributes' fields in type order (decodeRecord sets them in this order), with their JSON key bytes. */
const ATTRIBUTE_FIELDS = INET_DIAG_ATTRIBUTES.flatMap((row) =>
  row.field !== undefined && row.decode !== undefined ? [{ type: row.type, field: row.field, key: asciiBytes(',' + JSON.stringify(row.field) + ':') }] : [],
);
const TCP_INFO_KEYS = TCP_INFO_FIELDS.map((f) => ({ field: f, key: asciiBytes(',' + JSON.stringify(f.name) + ':') }));
const KEY_TCP_LENGTH = asciiBytes('{"length":');
const KEY_TCP_PARTIAL = asciiBytes(',"partial":');
const KEY_TCP_LONGER = asciiBytes(',"longer":');

/** A tcp_info's JSON through its getters, in decodeTcpInfo's key order (length, partial, longer, then the table's). */
function writeTcpInfo(w: JsonText, info: TcpInfo): void {
  w.bytes(KEY_TCP_LENGTH);
  w.number(info.length);
  w.bytes(KEY_TCP_PARTIAL);
  w.bytes(info.partial ? TRUE : FALSE);
  w.bytes(KEY_TCP_LONGER);
  w.bytes(info.longer ? TRUE : FALSE);
  for (const { field, key } of TCP_INFO_KEYS) {
    const v = tcpInfoField(info, field);
    if (v === undefined) continue;
    w.bytes(key);
    writePlain(w, v);
  }
  w.byte(CLOSE_BRACE);
}

/** JSON key bytes (`"name":`) by key, so that the keys of decoded structs are quoted once; bounded for arbitrary input. */
const keyBytes = new Map<string, Uint8Array>();
function keyOf(k: string): Uint8Array {
  let t = keyBytes.get(k);
  if (t === undefined) {
    t = Buffer.from(JSON.stringify(k) + ':', 'utf8');
    if (keyBytes.size < 1024) keyBytes.set(k, t);
  }
  return t;
}

/**
 * `JSON.stringify(toPlainJson(value))` in one pass, without the copies: the
 * same rules, for the plain decoded values (objects with own fields, arrays,
 * Maps, bytes, times) that snapshots hold.
 */
export function plainJsonText(value: unknown): string {
  // The shared writer unless a getter of `value` called back in here while it is in use.
  const outer = writerBusy;
  const w = outer ? new JsonText() : writer;
  w.reset();
  writerBusy = true;
  try {
    writePlain(w, value);
    return w.toString();
  } finally {
    writerBusy = outer;
  }
}
let writerBusy = false;

function writePlain(w: JsonText, value: unknown): void {
  switch (typeof value) {
    case 'number':
      w.number(value);
      return;
    case 'bigint':
      if (value >= -MAX_EXACT && value <= MAX_EXACT) {
        w.number(Number(value));
      } else {
        w.byte(QUOTE);
        w.ascii(value.toString());
        w.byte(QUOTE);
      }
      return;
    case 'string':
      w.string(value);
      return;
    case 'boolean':
      w.bytes(value ? TRUE : FALSE);
      return;
    case 'object':
      break;
    default:
      w.bytes(NULL); // undefined, a function or a symbol: only reached inside an array, where JSON writes null
      return;
  }
  if (value === null) {
    w.bytes(NULL);
  } else if (value instanceof Uint8Array) {
    w.byte(QUOTE);
    w.ascii(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64'));
    w.byte(QUOTE);
  } else if ('unixNanos' in value && typeof (value as { toString(): string }).toString === 'function') {
    w.string(String(value));
  } else if (Array.isArray(value)) {
    w.byte(OPEN_BRACKET);
    for (let i = 0; i < value.length; i++) {
      if (i > 0) w.byte(COMMA);
      writePlain(w, value[i]); // a hole is null, as in JSON
    }
    w.byte(CLOSE_BRACKET);
  } else if (value instanceof Map) {
    // A Map's keys as object keys, in the order an object puts them (integer keys first), none left out.
    writeObject(w, Object.fromEntries([...value].map(([k, v]) => [String(k), v])), false);
  } else {
    writeObject(w, value as Record<string, unknown>, true);
  }
}

/** An object's own enumerable fields (Object.keys' order, as JSON.stringify takes them). */
function writeObject(w: JsonText, value: Record<string, unknown>, dropAddressBytes: boolean): void {
  w.byte(OPEN_BRACE);
  let first = true;
  for (const k of Object.keys(value)) {
    const v = value[k];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    if (dropAddressBytes && (k === 'srcBytes' || k === 'dstBytes')) continue;
    if (!first) w.byte(COMMA);
    first = false;
    w.bytes(keyOf(k));
    writePlain(w, v);
  }
  w.byte(CLOSE_BRACE);
}
