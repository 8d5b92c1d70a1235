import { formatGoIP } from '@tcpinfo/inetdiag';
import { putAscii, putBytes } from './put-text.js';

/**
 * Address texts by their 16 bytes, in a small direct-mapped cache shared by
 * the CSV rows and the JSON lines: rows of a connection repeat its two
 * addresses, and files of many connections (the daemon's test archives)
 * cycle through a few hundred. Keyed and compared by the address's four
 * little-endian 32-bit words (callers on little-endian hosts read them as
 * they are from aligned bytes; see {@link u32le} for the others).
 */
const ADDRESS_CACHE_SLOTS = 1024;
/** Longest text formatGoIP gives: a full IPv6 address. */
const MAX_ADDRESS_TEXT = 39;
const addressKeys = new Uint32Array(4 * ADDRESS_CACHE_SLOTS);
/** Per slot: the text's length (0: empty slot), then its ASCII bytes. */
const addressBytes = new Uint8Array((1 + MAX_ADDRESS_TEXT) * ADDRESS_CACHE_SLOTS);

/** The little-endian u32 at `bytes[at]`, any alignment. */
export function u32le(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}

/**
 * Writes the text (formatGoIP's) of the 16-byte address at `bytes[at]`,
 * whose little-endian words are `w0`..`w3`.
 */
export function putAddressText(buf: Uint8Array, pos: number, bytes: Uint8Array, at: number, w0: number, w1: number, w2: number, w3: number): number {
  const slotIndex = (Math.imul(w0 ^ w1, 0x9e3779b1) ^ Math.imul(w2 ^ w3, 0x85ebca6b)) >>> 22; // top 10 bits
  const k = 4 * slotIndex;
  const t = (1 + MAX_ADDRESS_TEXT) * slotIndex;
  if (addressBytes[t] === 0 || addressKeys[k] !== w0 || addressKeys[k + 1] !== w1 || addressKeys[k + 2] !== w2 || addressKeys[k + 3] !== w3) {
    const text = formatGoIP(bytes.subarray(at, at + 16));
    addressKeys[k] = w0;
    addressKeys[k + 1] = w1;
    addressKeys[k + 2] = w2;
    addressKeys[k + 3] = w3;
    addressBytes[t] = text.length;
    putAscii(addressBytes, t + 1, text);
  }
  return putBytes(buf, pos, addressBytes, t + 1, t + 1 + addressBytes[t]!);
}
