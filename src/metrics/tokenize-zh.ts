import { tokenizeRegexp } from './tokenize-regexp.js';
import { stripWhitespace } from './whitespace.js';

// sacreBLEU's table of "Chinese" code point ranges, inclusive. Python compares one-character strings
// against these bounds; two of its bounds are written as five-digit escapes ('\u20000', '\u2a6d6',
// '\u2f800', '\u2fa1d') that Python reads as two characters, so those ranges really cover
// U+2001–U+2A6D and U+2F81–U+2FA1. Code points above U+FFFF therefore never match.
const CJK_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x3400, 0x4db5], // CJK Unified Ideographs Extension A
  [0x4e00, 0x9fa5], // CJK Unified Ideographs
  [0x9fa6, 0x9fbb],
  [0xf900, 0xfa2d], // CJK Compatibility Ideographs
  [0xfa30, 0xfa6a],
  [0xfa70, 0xfad9],
  [0x2001, 0x2a6d], // meant as Extension B: punctuation, currency, arrows, math ...
  [0x2f81, 0x2fa1], // meant as the Compatibility Supplement
  [0xff00, 0xffef], // full-width ASCII and half-width forms
  [0x2e80, 0x2eff], // CJK Radicals Supplement
  [0x3000, 0x303f], // CJK punctuation
  [0x31c0, 0x31ef], // CJK strokes
  [0x2f00, 0x2fdf], // Kangxi Radicals
  [0x2ff0, 0x2fff], // ideographic description characters
  [0x3100, 0x312f], // Bopomofo
  [0x31a0, 0x31bf], // Bopomofo extended
  [0xfe10, 0xfe1f],
  [0xfe30, 0xfe4f],
  [0x2600, 0x26ff],
  [0x2700, 0x27bf],
  [0x3200, 0x32ff],
  [0x3300, 0x33ff],
];

/** True when the code point is in sacreBLEU's `zh` tokenizer table (quirks included). */
export function isZhTableChar(codePoint: number): boolean {
  for (const [lo, hi] of CJK_RANGES) if (codePoint >= lo && codePoint <= hi) return true;
  return false;
}

/**
 * sacreBLEU's `zh` tokenizer: every character of the CJK table becomes its own token and the rest
 * of the line goes through the 13a rules (without 13a's unescaping and padding).
 */
export function tokenizeZh(line: string): string {
  let spaced = '';
  for (const ch of stripWhitespace(line)) {
    spaced += isZhTableChar(ch.codePointAt(0)!) ? ` ${ch} ` : ch;
  }
  return tokenizeRegexp(spaced);
}
