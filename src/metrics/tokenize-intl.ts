import { splitWhitespace } from './whitespace.js';

// mteval-v14's international tokenization. Because the line is not padded, a final `.` after a
// digit has no following non-digit and stays attached (a quirk of mteval-v14 kept for parity).
const RULES: ReadonlyArray<readonly [RegExp, string]> = [
  // punctuation preceded by a non-digit
  [/(\P{N})(\p{P})/gu, '$1 $2 '],
  // punctuation followed by a non-digit
  [/(\p{P})(\P{N})/gu, ' $1 $2'],
  // every symbol
  [/(\p{S})/gu, ' $1 '],
];

/**
 * sacreBLEU's `intl` tokenizer: splits off Unicode punctuation (`\p{P}`) unless it sits between
 * digits, and every Unicode symbol (`\p{S}`, which includes most emoji).
 */
export function tokenizeIntl(line: string): string {
  let out = line;
  for (const [re, repl] of RULES) out = out.replace(re, repl);
  return splitWhitespace(out).join(' ');
}
