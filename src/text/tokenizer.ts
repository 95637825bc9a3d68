/** A reversible mapping between a sentence and a list of string tokens. */
export interface Tokenizer {
  /** Short identifier recorded in configs and metric signatures, e.g. `zh-char`. */
  readonly name: string;
  /** Split a sentence into tokens. */
  tokenize(s: string): string[];
  /** Rebuild natural text from tokens produced by `tokenize` (or by a model). */
  detokenize(tokens: string[]): string;
}
