/**
 * ASCII character codes by name: the bytes that the JSON and timestamp
 * scanners and writers of this package, netlink and parse test and write.
 * One table, so a code is never spelled as a bare number or declared twice;
 * hot loops copy the codes they use into module constants
 * (`const { QUOTE, COMMA } = ASCII;`), which V8 then folds like literals.
 */
const CHARACTERS = {
  NEWLINE: '\n',
  CARRIAGE_RETURN: '\r',
  QUOTE: '"',
  PLUS: '+',
  COMMA: ',',
  DASH: '-',
  DOT: '.',
  DIGIT_0: '0',
  DIGIT_9: '9',
  COLON: ':',
  EQUALS: '=',
  OPEN_BRACKET: '[',
  BACKSLASH: '\\',
  CLOSE_BRACKET: ']',
  LETTER_T: 'T',
  LETTER_Z: 'Z',
  LETTER_N: 'n',
  OPEN_BRACE: '{',
  CLOSE_BRACE: '}',
} as const;

/** The code of each named character (`ASCII.QUOTE === 0x22`). */
export const ASCII: { readonly [Name in keyof typeof CHARACTERS]: number } = Object.freeze(
  Object.fromEntries(Object.entries(CHARACTERS).map(([name, c]) => [name, c.charCodeAt(0)])) as { [Name in keyof typeof CHARACTERS]: number },
);
