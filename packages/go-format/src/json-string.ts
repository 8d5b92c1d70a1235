import { ASCII } from './ascii.js';

// Characters Go's encoding/json (Go 1.20, the original's toolchain) does not copy
// verbatim into a JSON string: control characters, quote, backslash, the HTML
// specials < > &, U+2028/U+2029, and UTF-16 surrogates (checked for pairing).
const NEEDS_ESCAPE = /[\u0000-\u001f"\\<>&\u2028\u2029\ud800-\udfff]/;
const { QUOTE, BACKSLASH } = ASCII;
const HEX = '0123456789abcdef';

/**
 * `text` as a JSON string literal, byte for byte as Go's `encoding/json` writes
 * it with HTML escaping on: `<`, `>`, `&` become `\u003c`, `\u003e`, `\u0026`;
 * U+2028/2029 become `\u2028`/`\u2029`; `\n`, `\r`, `\t` use the short escapes
 * and other control characters `\u00XX` (lower-case hex; Go before 1.22 had no
 * `\b`/`\f`); a lone surrogate (invalid UTF-8 on Go's side) becomes `\ufffd`.
 */
export function goJsonString(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return '"' + text + '"';
  let out = '"';
  let runStart = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let escaped: string | undefined;
    if (c < 0x20) {
      escaped = c === 0x0a ? '\\n' : c === 0x0d ? '\\r' : c === 0x09 ? '\\t' : '\\u00' + HEX[c >> 4] + HEX[c & 0xf];
    } else if (c === QUOTE) {
      escaped = '\\"';
    } else if (c === BACKSLASH) {
      escaped = '\\\\';
    } else if (c === 0x3c || c === 0x3e || c === 0x26) {
      escaped = '\\u00' + HEX[c >> 4] + HEX[c & 0xf];
    } else if (c === 0x2028 || c === 0x2029) {
      escaped = '\\u' + c.toString(16);
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        i++; // a valid pair is one code point, copied as is
        continue;
      }
      escaped = '\\ufffd';
    }
    if (escaped !== undefined) {
      out += text.slice(runStart, i) + escaped;
      runStart = i + 1;
    }
  }
  return out + text.slice(runStart) + '"';
}
