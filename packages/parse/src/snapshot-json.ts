import type { Snapshot } from './snapshot.js';
import { isSnapshotOnAccess } from './snapshot-on-access.js';

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
  // A snapshot that decodes on access has its fields on its prototype: its plain object is toJSON's.
  const { record: _record, ...rest } = isSnapshotOnAccess(s) ? (s as unknown as { toJSON(): Snapshot }).toJSON() : s;
  const plain = toPlainJson(rest) as Record<string, unknown>;
  if (metadata !== undefined) plain.metadata = toPlainJson(metadata);
  return JSON.stringify(plain);
}
