import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { goJsonString as fromEventsocket } from '@tcpinfo/eventsocket';
import { goJsonString as fromNetlink } from '@tcpinfo/netlink';
import { goJsonString } from '../src/index.js';

describe("goJsonString: Go's encoding/json string escaping", () => {
  it.each([
    ['plain ASCII is copied', 'abc-123', '"abc-123"'],
    ['HTML specials', 'a<b>&c', '"a\\u003cb\\u003e\\u0026c"'],
    ['line and paragraph separators', 'x\u2028y\u2029z', '"x\\u2028y\\u2029z"'],
    ['short escapes and other controls', 'q"\\\n\r\t\u0001\u001f', '"q\\"\\\\\\n\\r\\t\\u0001\\u001f"'],
    ['no \\b or \\f (Go before 1.22)', '\b\f', '"\\u0008\\u000c"'],
    ['DEL and non-ASCII are copied', '\u007fé€', '"\u007fé€"'],
    ['a valid surrogate pair is one code point, copied', 'a\ud83d\ude00b', '"a\ud83d\ude00b"'],
    ['a lone high surrogate becomes U+FFFD, as Go writes invalid UTF-8', 'a\ud800b', '"a\\ufffdb"'],
    ['a lone low surrogate too', 'a\udc00', '"a\\ufffd"'],
    ['a high surrogate at the end', '\ud800', '"\\ufffd"'],
    ['two high surrogates', '\ud800\ud800\udc00', '"\\ufffd\ud800\udc00"'],
  ])('%s', (_name, text, json) => {
    expect(goJsonString(text)).toBe(json);
  });

  it('is the one function both netlink and eventsocket export (they used to disagree on "a\\ud800b")', () => {
    expect(fromNetlink).toBe(goJsonString);
    expect(fromEventsocket).toBe(goJsonString);
    expect(fromEventsocket('a\ud800b')).toBe('"a\\ufffdb"');
  });

  it('reads back with JSON.parse to the same text, lone surrogates as U+FFFD (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const wellFormed = text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
        const json = goJsonString(text);
        expect(JSON.parse(json)).toBe(wellFormed);
        expect(json).not.toMatch(/[<>&\u2028\u2029\u0000-\u001f]/);
      }),
      { numRuns: 2000 },
    );
  });
});
