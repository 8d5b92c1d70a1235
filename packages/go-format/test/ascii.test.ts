import { describe, expect, it } from 'vitest';
import { ASCII } from '../src/index.js';

describe('ASCII', () => {
  it('holds the code of the character each name says, and cannot be changed', () => {
    expect(ASCII).toMatchObject({ NEWLINE: 10, CARRIAGE_RETURN: 13, QUOTE: 0x22, COMMA: 0x2c, DIGIT_0: 0x30, DIGIT_9: 0x39, EQUALS: 0x3d, BACKSLASH: 0x5c, CLOSE_BRACKET: 0x5d, LETTER_N: 0x6e, OPEN_BRACE: 0x7b, CLOSE_BRACE: 0x7d });
    expect(JSON.parse(`"${String.fromCharCode(ASCII.BACKSLASH, ASCII.QUOTE)}"`)).toBe('"');
    expect(Object.isFrozen(ASCII)).toBe(true);
    expect(Object.values(ASCII).every((c) => Number.isInteger(c) && c >= 0 && c < 0x80)).toBe(true);
  });
});
