import { INET_DIAG_ATTRIBUTES } from '@tcpinfo/inetdiag';
import { TCP_INFO_FIELDS, type TcpInfo } from '@tcpinfo/tcp';
import type { Snapshot } from './snapshot.js';
import { isSnapshotOnAccess, timestampTextOf } from './snapshot-on-access.js';

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
    out[k] = toPlainJson(v);
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
  // The timestamp of a snapshot decoding on access is canonical: its text is what toString would give.
  let out = '{"timestamp":' + JSON.stringify(timestampTextOf(s)) + ',"observed":' + s.observed + ',"notFullyParsed":' + s.notFullyParsed;
  if (s.idm !== undefined) out += ',"idm":' + plainJsonText(s.idm);
  const fields = s as unknown as Record<string, unknown>;
  for (const { field, key } of ATTRIBUTE_FIELDS) {
    const v = fields[field];
    if (v === undefined) continue;
    out += key + (field === 'tcpInfo' ? tcpInfoJsonText(v as TcpInfo) : plainJsonText(v));
  }
  if (s.otherAttributes !== undefined) out += ',"otherAttributes":' + plainJsonText(s.otherAttributes);
  if (metadata !== undefined) out += ',"metadata":' + plainJsonText(metadata);
  return out + '}';
}

/** The decoded attributes' fields in type order (decodeRecord sets them in this order), with their JSON key text. */
const ATTRIBUTE_FIELDS = INET_DIAG_ATTRIBUTES.flatMap((row) => (row.field !== undefined && row.decode !== undefined ? [{ field: row.field, key: ',' + JSON.stringify(row.field) + ':' }] : []));
const TCP_INFO_KEYS = TCP_INFO_FIELDS.map((f) => ({ name: f.name, key: ',' + JSON.stringify(f.name) + ':' }));

/** A tcp_info's JSON through its getters, in decodeTcpInfo's key order (length, partial, longer, then the table's). */
function tcpInfoJsonText(info: TcpInfo): string {
  let out = '{"length":' + info.length + ',"partial":' + info.partial + ',"longer":' + info.longer;
  const values = info as unknown as Record<string, number | bigint | undefined>;
  for (const { name, key } of TCP_INFO_KEYS) {
    const v = values[name];
    // The fields are unsigned integers: a number prints as itself, a u64 by plainJsonText's bigint rule.
    if (typeof v === 'number') out += key + v;
    else if (v !== undefined) out += key + plainJsonText(v);
  }
  return out + '}';
}

/** JSON key texts (`"name":`) by key, so that the keys of decoded structs are quoted once; bounded for arbitrary input. */
const keyTexts = new Map<string, string>();
function keyText(k: string): string {
  let t = keyTexts.get(k);
  if (t === undefined) {
    t = JSON.stringify(k) + ':';
    if (keyTexts.size < 1024) keyTexts.set(k, t);
  }
  return t;
}

/**
 * `JSON.stringify(toPlainJson(value))` in one pass, without the copies: the
 * same rules, for the plain decoded values (objects with own fields, arrays,
 * Maps, bytes, times) that snapshots hold.
 */
export function plainJsonText(value: unknown): string {
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'bigint':
      return value >= -MAX_EXACT && value <= MAX_EXACT ? String(Number(value)) : '"' + value.toString() + '"';
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      return 'null'; // undefined, a function or a symbol: only reached inside an array, where JSON writes null
  }
  if (value === null) return 'null';
  if (value instanceof Uint8Array) return '"' + Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') + '"';
  if ('unixNanos' in value && typeof (value as { toString(): string }).toString === 'function') return JSON.stringify(String(value));
  if (Array.isArray(value)) {
    let out = '';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + plainJsonText(value[i]); // a hole is null, as in JSON
    return '[' + out + ']';
  }
  // A Map's keys as object keys, in the order an object puts them (integer keys first), none left out.
  if (value instanceof Map) return objectJsonText(Object.fromEntries([...value].map(([k, v]) => [String(k), v])), false);
  return objectJsonText(value as Record<string, unknown>, true);
}

/** An object's own enumerable fields (Object.keys' order, as JSON.stringify takes them). */
function objectJsonText(value: Record<string, unknown>, dropAddressBytes: boolean): string {
  let out = '';
  for (const k of Object.keys(value)) {
    const v = value[k];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    if (dropAddressBytes && (k === 'srcBytes' || k === 'dstBytes')) continue;
    out += (out === '' ? '' : ',') + keyText(k) + plainJsonText(v);
  }
  return '{' + out + '}';
}
