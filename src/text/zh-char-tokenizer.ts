import type { Tokenizer } from './tokenizer.js';

// One regex pass: a run of ASCII letters/digits, or any single non-space code point.
// Using the `u` flag keeps astral CJK characters (Extension B and up) as one token.
const TOKEN_RE = /[A-Za-z0-9]+|\S/gu;
const ASCII_WORD_RE = /^[A-Za-z0-9]+$/;

/** Split Chinese text into characters; ASCII letter/digit runs stay whole, whitespace is dropped. */
export function tokenizeZhChars(s: string): string[] {
  return s.match(TOKEN_RE) ?? [];
}

/**
 * Join character tokens back into text. Whitespace was dropped by `tokenizeZhChars`, so a
 * single space is restored only between two ASCII words, where it was certainly needed.
 */
export function detokenizeZhChars(tokens: string[]): string {
  let out = '';
  let prevWord = false;
  for (const t of tokens) {
    const word = ASCII_WORD_RE.test(t);
    if (word && prevWord) out += ' ';
    out += t;
    prevWord = word;
  }
  return out;
}

/** Character-level Chinese tokenizer (browser-safe). */
export const zhCharTokenizer: Tokenizer = {
  name: 'zh-char',
  tokenize: tokenizeZhChars,
  detokenize: detokenizeZhChars,
};
