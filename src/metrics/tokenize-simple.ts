/**
 * sacreBLEU's `char` tokenizer: puts a space after every code point (not UTF-16 unit), so spaces in
 * the input become runs of spaces that the later whitespace split discards.
 */
export function tokenizeChar(line: string): string {
  return Array.from(line).join(' ');
}

/** sacreBLEU's `none` tokenizer: the line unchanged; BLEU then splits it on whitespace only. */
export function tokenizeNone(line: string): string {
  return line;
}
