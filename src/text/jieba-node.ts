import { createRequire } from 'node:module';
import type { Tokenizer } from './tokenizer.js';
import { detokenizeZhChars } from './zh-char-tokenizer.js';

interface JiebaInstance {
  cut(sentence: string, hmm?: boolean): string[];
}

let instance: JiebaInstance | undefined;

// Loading the dictionary takes a few hundred milliseconds, so it happens once, on first use.
function jieba(): JiebaInstance {
  if (!instance) {
    const require = createRequire(import.meta.url);
    const { Jieba } = require('@node-rs/jieba') as {
      Jieba: { withDict(dict: Uint8Array): JiebaInstance };
    };
    const { dict } = require('@node-rs/jieba/dict') as { dict: Uint8Array };
    instance = Jieba.withDict(dict);
  }
  return instance;
}

/** Segment Chinese text into words with jieba (HMM off, so results depend only on the dictionary). */
export function tokenizeZhWords(s: string): string[] {
  // jieba sees the text through a UTF-8 conversion that turns a lone surrogate into U+FFFD; its
  // pieces keep their UTF-16 lengths, so the words are cut from the original string instead.
  let at = 0;
  const words: string[] = [];
  for (const piece of jieba().cut(s, false)) {
    words.push(s.slice(at, at + piece.length));
    at += piece.length;
  }
  if (at !== s.length) throw new Error(`tokenizeZhWords: jieba's pieces cover ${at} of ${s.length} UTF-16 units of ${JSON.stringify(s.slice(0, 40))}`);
  return words.map((w) => w.trim()).filter((w) => w.length > 0);
}

/** Word-level Chinese tokenizer backed by `@node-rs/jieba` (Node only). */
export const jiebaTokenizer: Tokenizer = {
  name: 'zh-jieba',
  tokenize: tokenizeZhWords,
  detokenize: detokenizeZhChars,
};
