import type { Snapshot } from './snapshot.js';

/** A snapshot as plain JSON: bigints as decimal strings, bytes as base64, the raw record left out. */
export function snapshotToJson(metadata: unknown, s: Snapshot): string {
  const { record: _record, otherAttributes, ...rest } = s;
  const plain: Record<string, unknown> = { ...rest };
  if (otherAttributes !== undefined) plain.otherAttributes = Object.fromEntries([...otherAttributes].map(([t, v]) => [t, Buffer.from(v).toString('base64')]));
  if (metadata !== undefined) plain.metadata = metadata;
  return JSON.stringify(plain, function (this: Record<string, unknown>, k: string, v: unknown) {
    if (typeof v === 'bigint') return v.toString();
    // A Buffer's own toJSON ({type, data}) runs before the replacer: look at the value itself.
    const own = this[k];
    if (own instanceof Uint8Array) return Buffer.from(own).toString('base64');
    if (v !== null && typeof v === 'object' && 'unixNanos' in v && typeof (v as { toString(): string }).toString === 'function') return String(v);
    return v;
  });
}
