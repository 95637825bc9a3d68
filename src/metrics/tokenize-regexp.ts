import { splitWhitespace } from './whitespace.js';

// The mteval-v13a rules shared by the 13a and zh tokenizers, applied in order, each over the whole
// line (non-overlapping, left to right, as Python's re.sub does).
const RULES: ReadonlyArray<readonly [RegExp, string]> = [
  // ASCII punctuation and symbols other than . , - ' become their own tokens
  [/([{-~[-` -&(-+:-@\/])/gu, ' $1 '],
  // . and , are split off unless preceded by a digit ...
  [/([^0-9])([.,])/gu, '$1 $2 '],
  // ... or unless followed by a digit
  [/([.,])([^0-9])/gu, ' $1 $2'],
  // - is split off only after a digit
  [/([0-9])(-)/gu, '$1 $2 '],
];

/**
 * The language-dependent part of the 13a tokenizer (sacreBLEU's `TokenizerRegexp`): splits off
 * punctuation, then joins the tokens with single spaces.
 */
export function tokenizeRegexp(line: string): string {
  let out = line;
  for (const [re, repl] of RULES) out = out.replace(re, repl);
  return splitWhitespace(out).join(' ');
}
