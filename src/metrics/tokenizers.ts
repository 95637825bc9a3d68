import { tokenize13a } from './tokenize-13a.js';
import { tokenizeIntl } from './tokenize-intl.js';
import { tokenizeChar, tokenizeNone } from './tokenize-simple.js';
import { tokenizeZh } from './tokenize-zh.js';

/** The BLEU tokenizers, named as in sacreBLEU's `--tokenize` option. */
export type TokenizerName = '13a' | 'zh' | 'intl' | 'char' | 'none';

/** A tokenizer maps one line to sacreBLEU's tokenized string (tokens separated by whitespace). */
export type Tokenizer = (line: string) => string;

const TOKENIZERS: Readonly<Record<TokenizerName, Tokenizer>> = {
  '13a': tokenize13a,
  zh: tokenizeZh,
  intl: tokenizeIntl,
  char: tokenizeChar,
  none: tokenizeNone,
};

/** All tokenizer names, in the order the CLI lists them. */
export const TOKENIZER_NAMES: readonly TokenizerName[] = ['13a', 'zh', 'intl', 'char', 'none'];

/** True when `name` is one of the supported tokenizer names. */
export function isTokenizerName(name: string): name is TokenizerName {
  return Object.prototype.hasOwnProperty.call(TOKENIZERS, name);
}

/** Returns the tokenizer called `name`; throws for an unknown name. */
export function getTokenizer(name: string): Tokenizer {
  if (!isTokenizerName(name)) {
    throw new Error(`getTokenizer: unknown tokenizer '${name}' (expected one of ${TOKENIZER_NAMES.join(', ')})`);
  }
  return TOKENIZERS[name];
}
