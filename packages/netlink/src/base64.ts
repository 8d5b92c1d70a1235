import { NetlinkParseError } from './errors.js';

// Go's base64.StdEncoding: the standard alphabet, '=' padding required, and (not
// being the Strict variant) any trailing bits accepted.
const STD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const LINE_BREAKS = /[\r\n]/g;

/**
 * Standard base64 with padding of `bytes[start, end)`, as Go's `encoding/json`
 * writes a `[]byte`. Reads the range in place (no copy).
 */
export function encodeBase64(bytes: Uint8Array, start = 0, end = bytes.length): string {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return buf.toString('base64', start, end);
}

/**
 * Decodes standard, padded base64 exactly as strictly as Go's
 * `base64.StdEncoding` (which also skips CR and LF). Node's own decoder
 * silently ignores junk, so the text is validated first. Returns a new Buffer.
 * Throws {@link NetlinkParseError} `BAD_BASE64`.
 */
export function decodeBase64(text: string): Buffer {
  const clean = text.includes('\n') || text.includes('\r') ? text.replace(LINE_BREAKS, '') : text;
  if (clean.length % 4 !== 0 || !STD_BASE64.test(clean)) {
    throw new NetlinkParseError('BAD_BASE64', `not standard padded base64 (${clean.length} characters)`);
  }
  return Buffer.from(clean, 'base64');
}
