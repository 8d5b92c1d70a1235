import { ASCII } from '@tcpinfo/go-format';
import type { JsonText } from './json-text.js';
import { asciiBytes } from './json-text.js';

/**
 * `JSON.stringify(toPlainJson(value))` written into a {@link JsonText}, for
 * the plain decoded values snapshots hold (objects with own fields, arrays,
 * Maps, bytes, times): toPlainJson's rules (snapshot-json.ts) in one pass,
 * without its copies. snapshot-json.property.test.ts pins it to them.
 */

/** 2^53: bigints up to it in magnitude are exact as JSON numbers. */
export const MAX_EXACT = 2n ** 53n;
const { OPEN_BRACE, CLOSE_BRACE, OPEN_BRACKET, CLOSE_BRACKET, COMMA, QUOTE } = ASCII;
const NULL = asciiBytes('null');
export const TRUE = asciiBytes('true');
export const FALSE = asciiBytes('false');

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

export function writePlain(w: JsonText, value: unknown): void {
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
