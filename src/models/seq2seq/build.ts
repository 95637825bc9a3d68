import { AttentionSeq2Seq } from './attention-seq2seq.js';
import { resolveConfig, type Seq2SeqConfig } from './config.js';
import type { Seq2SeqModel } from './model.js';
import { PlainSeq2Seq } from './plain.js';

/** The model a config describes (defaults filled in, so `model.config` is what to save). */
export function createSeq2Seq(config: Partial<Seq2SeqConfig> & Pick<Seq2SeqConfig, 'srcVocabSize' | 'tgtVocabSize'>): Seq2SeqModel {
  const c = resolveConfig(config);
  return c.model === 'plain' ? new PlainSeq2Seq(c) : new AttentionSeq2Seq(c);
}
