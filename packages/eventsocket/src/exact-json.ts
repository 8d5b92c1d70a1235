import { EventParseError } from './errors.js';

/** A JSON number kept as its literal text, so 64-bit integers stay exact. */
export class JsonNumber {
  constructor(
    /** The number exactly as written. */
    readonly text: string,
  ) {}
}

/** A JSON value in which numbers are {@link JsonNumber}s. Objects have no prototype. */
export type ExactJsonValue = null | boolean | string | JsonNumber | ExactJsonValue[] | { [key: string]: ExactJsonValue };

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
// A whole string token; JSON.parse then unescapes it (it has no precision to lose).
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const WHITESPACE = /[ \t\n\r]*/y;
const MAX_DEPTH = 64;
const LITERALS = [
  ['true', true],
  ['false', false],
  ['null', null],
] as const;

/**
 * Parses JSON text like `JSON.parse`, except that numbers are returned as
 * {@link JsonNumber} (JSON.parse rounds integers above 2^53). A duplicated key
 * keeps its last value, as Go's decoder does. Throws {@link EventParseError} `BAD_JSON`.
 */
export function parseExactJson(text: string): ExactJsonValue {
  let pos = 0;
  const fail = (what: string): never => {
    throw new EventParseError('BAD_JSON', `${what} at offset ${pos}`);
  };
  const skipSpace = () => {
    WHITESPACE.lastIndex = pos;
    WHITESPACE.exec(text);
    pos = WHITESPACE.lastIndex;
  };
  const token = (re: RegExp): string | undefined => {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (m === null) return undefined;
    pos = re.lastIndex;
    return m[0];
  };
  const literal = (word: string) => {
    if (!text.startsWith(word, pos)) fail('unexpected character');
    pos += word.length;
  };
  const value = (depth: number): ExactJsonValue => {
    if (depth > MAX_DEPTH) fail('nested too deeply');
    skipSpace();
    const c = text[pos];
    if (c === '{') {
      pos++;
      const object: { [key: string]: ExactJsonValue } = Object.create(null) as { [key: string]: ExactJsonValue };
      skipSpace();
      if (text[pos] === '}') {
        pos++;
        return object;
      }
      for (;;) {
        skipSpace();
        const key = token(STRING) ?? fail('expected a key');
        skipSpace();
        if (text[pos++] !== ':') fail("expected ':'");
        object[JSON.parse(key) as string] = value(depth + 1);
        skipSpace();
        const next = text[pos++];
        if (next === '}') return object;
        if (next !== ',') fail("expected ',' or '}'");
      }
    }
    if (c === '[') {
      pos++;
      const array: ExactJsonValue[] = [];
      skipSpace();
      if (text[pos] === ']') {
        pos++;
        return array;
      }
      for (;;) {
        array.push(value(depth + 1));
        skipSpace();
        const next = text[pos++];
        if (next === ']') return array;
        if (next !== ',') fail("expected ',' or ']'");
      }
    }
    if (c === '"') return JSON.parse(token(STRING) ?? fail('bad string')) as string;
    for (const [word, constant] of LITERALS) {
      if (c === word[0]) {
        literal(word);
        return constant;
      }
    }
    return new JsonNumber(token(NUMBER) ?? fail('unexpected character'));
  };
  const result = value(0);
  skipSpace();
  if (pos !== text.length) fail('trailing data');
  return result;
}
