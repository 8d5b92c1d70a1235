// Anything that might need escaping; other strings (UUIDs, IPs) are written as they are.
const NEEDS_ESCAPING = /["\\<>&\u0000-\u001f\u007f-\uffff]/;

/** A JSON string as Go's encoding/json writes it: `<`, `>`, `&`, U+2028 and U+2029 escaped too. */
export function goJsonString(s: string): string {
  if (!NEEDS_ESCAPING.test(s)) return `"${s}"`;
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}
