import type { Tokenizer } from './tokenizer.js';

/** Options for the English tokenizer. */
export interface EnTokenizerOptions {
  /** Lowercase every token (default false). */
  lowercase?: boolean;
}

/**
 * Tokenize English the way sacreBLEU's `13a` tokenizer does (the mteval-v13a rules), so that
 * BLEU computed on our tokens matches the standard signature. Punctuation is split off, except:
 * the apostrophe is never split (`don't`, `Tom's` stay one token), the hyphen only after a digit,
 * and `.`/`,` only when not between digits (`3.50`, `1,000` stay whole).
 */
export function tokenizeEn(s: string, options: EnTokenizerOptions = {}): string[] {
  let line = s.replace(/<skipped>/g, '').replace(/-\n/g, '').replace(/\n/g, ' ');
  if (line.includes('&')) {
    line = line.replace(/&quot;/g, '"').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>');
  }
  line = ` ${line} `;
  line = line.replace(/([{-~[-` -&(-+:-@/])/g, ' $1 ');
  line = line.replace(/([^0-9])([.,])/g, '$1 $2 ');
  line = line.replace(/([.,])([^0-9])/g, ' $1 $2');
  line = line.replace(/([0-9])(-)/g, '$1 $2 ');
  const tokens = line.split(/\s+/).filter((t) => t.length > 0);
  return options.lowercase ? tokens.map((t) => t.toLowerCase()) : tokens;
}

// Tokens glued to the word before them.
const ATTACH_LEFT = new Set(['.', ',', '!', '?', ';', ':', '%', ')', ']', '}', '...', "n't"]);
// Tokens glued to the word after them.
const ATTACH_RIGHT = new Set(['(', '[', '{', '$', '#', '£', '€', '¥', '¿', '¡']);
// Tokens glued on both sides.
const ATTACH_BOTH = new Set(['/']);
// Clitics that other tokenizers (Moses, Penn) split off and that belong to the previous word.
const CLITIC_RE = /^'(s|re|ve|ll|d|m|t)$/i;
const CLITIC_BODY_RE = /^(s|re|ve|ll|d|m|t)$/i;
const DIGITS_RE = /^[0-9]+$/;

/**
 * Rebuild natural English from tokens: `I have 3 apples .` -> `I have 3 apples.`.
 * Handles closing punctuation, brackets, currency, paired double quotes, split clitics
 * (`Tom 's`, `Tom ' s`, `do n't`), times (`5 : 30`), digit hyphens (`3 - year-old`) and slashes.
 * Some 13a splits cannot be undone without knowing the original (`U.S.` -> `U . S .`).
 */
export function detokenizeEn(tokens: string[]): string {
  let out = '';
  let glueNext = true; // no space before the first token
  let quoteOpen = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const prev = i > 0 ? tokens[i - 1]! : '';
    const next = i + 1 < tokens.length ? tokens[i + 1]! : '';
    let glueLeft = glueNext;
    glueNext = false;
    if (t === '"') {
      if (quoteOpen) glueLeft = true;
      else glueNext = true;
      quoteOpen = !quoteOpen;
    } else if ((t === '-' || t === ':') && /[0-9]$/.test(prev) && (t === '-' || DIGITS_RE.test(next))) {
      glueLeft = true;
      glueNext = true;
    } else if (ATTACH_LEFT.has(t) || CLITIC_RE.test(t)) {
      glueLeft = true;
    } else if (ATTACH_RIGHT.has(t)) {
      glueNext = true;
    } else if (ATTACH_BOTH.has(t)) {
      glueLeft = true;
      glueNext = true;
    } else if (t === "'" && i > 0 && CLITIC_BODY_RE.test(next)) {
      glueLeft = true;
      glueNext = true;
    }
    out += glueLeft || out.length === 0 ? t : ` ${t}`;
  }
  return out;
}

/** Create a 13a-style English tokenizer with its matching detokenizer. */
export function createEnTokenizer(options: EnTokenizerOptions = {}): Tokenizer {
  return {
    name: options.lowercase ? 'en-13a-lc' : 'en-13a',
    tokenize: (s) => tokenizeEn(s, options),
    detokenize: detokenizeEn,
  };
}

/** The default English tokenizer (13a, case kept). */
export const enTokenizer: Tokenizer = createEnTokenizer();
