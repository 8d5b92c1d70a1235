/** Values of a Float64Array written per chunk: ~150 KB of text, not the whole series at once. */
const NUMBERS_PER_CHUNK = 8192;

/** JSON text that is safe inside a <script> element: no `<` can close it or open a comment. */
const safe = (jsonText: string) => jsonText.replace(/</g, '\\u003c');

/** A Float64Array as a JSON array, in chunks; NaN (a gap) is `null`, as JSON.stringify writes it. */
function* numberArrayJson(values: Float64Array): Generator<string> {
  yield '[';
  for (let start = 0; start < values.length; start += NUMBERS_PER_CHUNK) {
    const end = Math.min(values.length, start + NUMBERS_PER_CHUNK);
    let text = start === 0 ? '' : ',';
    for (let i = start; i < end; i++) {
      const v = values[i]!;
      // JSON.stringify writes a finite number exactly as String does, anything else as null.
      text += (i === start ? '' : ',') + (Number.isFinite(v) ? String(v) : 'null');
    }
    yield text;
  }
  yield ']';
}

/**
 * `value` as script-safe JSON text in chunks, equal to
 * `JSON.stringify(value).replace(/</g, '\\u003c')` with every Float64Array
 * written as an array of numbers (NaN as `null`). The page's data holds
 * series of up to a value per snapshot: written piece by piece, it never
 * exists as one string, let alone twice (stringified, then escaped).
 * Handles what views hold: plain objects, arrays, strings, numbers, booleans, null.
 */
export function* pageDataJson(value: unknown): Generator<string> {
  if (value instanceof Float64Array) {
    yield* numberArrayJson(value);
  } else if (Array.isArray(value)) {
    yield '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) yield ',';
      // JSON.stringify writes undefined (and functions) inside arrays as null.
      yield* value[i] === undefined ? ['null'] : pageDataJson(value[i]);
    }
    yield ']';
  } else if (value !== null && typeof value === 'object') {
    yield '{';
    let first = true;
    for (const [key, v] of Object.entries(value)) {
      if (v === undefined) continue; // JSON.stringify leaves such properties out
      yield `${first ? '' : ','}${safe(JSON.stringify(key))}:`;
      first = false;
      yield* pageDataJson(v);
    }
    yield '}';
  } else {
    yield safe(JSON.stringify(value) ?? 'null');
  }
}
