/**
 * fast-check generators of hostile text for property tests: emoji (with skin tones and ZWJ
 * sequences), combining marks, right-to-left scripts and marks, CJK (including astral
 * characters), odd whitespace, NUL and other controls, lone surrogates, empty lines and very long
 * lines.
 */
import fc from 'fast-check';

const PIECES = [
  '👍', '👍🏽', '👨‍👩‍👧‍👦', '🏳️‍🌈', '🇨🇳', '❤️', // emoji, modifiers, ZWJ sequences, flags, variation selector
  'e\u0301', 'a\u0308\u0301', '\u0301', 'ñ', 'ก\u0e34', // combining marks, a mark with nothing before it
  'مرحبا', 'שלום', '\u200f', '\u202e', '\u200e', // RTL text, RLM, RLO override, LRM
  '我', '们', '你好', '𠀀', '𪚥', '。', '，', '？', // CJK, astral CJK, CJK punctuation
  'the', 'don\'t', 'U.S.', '3.50', '1,000', '-', '&quot;', '&amp;', '<skipped>', '</w>', // 13a and BPE specials
  ' ', '  ', '\t', '\u00a0', '\u3000', '\u2028', '\r', '\n', '\r\n', // whitespace and line breaks
  '\u0000', '\u0007', '\u200b', '\ufeff', '\uffff', // NUL, BEL, zero-width space, BOM, noncharacter
  '\ud800', '\udc00', // lone surrogates
];

/** A line assembled from hostile pieces and arbitrary code points. */
export const hostileText = (maxPieces = 40): fc.Arbitrary<string> =>
  fc.array(fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...PIECES) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 4 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 4 }) },
  ), { maxLength: maxPieces }).map((parts) => parts.join(''));

/** Hostile text, sometimes empty, sometimes a line of about 10,000 characters. */
export const hostileLine: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: hostileText() },
  { weight: 1, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: hostileText(20).map((s) => (s.length === 0 ? 'x' : s).repeat(Math.ceil(10_000 / Math.max(1, s.length))).slice(0, 10_000)) },
);
