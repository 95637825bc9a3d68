import '../../src/autograd/index.js';
import { createSeq2Seq, type Seq2SeqBatch, type Seq2SeqConfig, type Seq2SeqModel } from '../../src/models/seq2seq/index.js';
import { manualSeed } from '../../src/tensor/rng.js';

/** A tiny model with fixed seed; every option can be overridden. */
export function tinyModel(over: Partial<Seq2SeqConfig> = {}, seed = 3): Seq2SeqModel {
  manualSeed(seed);
  return createSeq2Seq({
    srcVocabSize: 11, tgtVocabSize: 9, srcEmbSize: 5, tgtEmbSize: 6, hiddenSize: 7, dropout: 0, ...over,
  });
}

/** Two sources (lengths 4 and 2, padded) and two targets (<s> y.. and y.. </s>). */
export function tinyBatch(): Seq2SeqBatch & { tgtOut: Int32Array } {
  return {
    src: Int32Array.from([4, 5, 6, 7, 8, 9, 0, 0]), srcShape: [2, 4], srcLengths: Int32Array.from([4, 2]),
    tgtIn: Int32Array.from([2, 4, 5, 6, 2, 7, 0, 0]), tgtShape: [2, 4],
    tgtOut: Int32Array.from([4, 5, 6, 3, 7, 3, 0, 0]),
  };
}

export const VARIANTS: { name: string; config: Partial<Seq2SeqConfig> }[] = [
  { name: 'plain', config: { model: 'plain' } },
  { name: 'plain, 2 layers, bidirectional, tied', config: { model: 'plain', layers: 2, bidirectional: true, tieEmbeddings: true } },
  { name: 'bahdanau', config: { model: 'attention', attention: 'bahdanau' } },
  { name: 'bahdanau, bidirectional, 2 layers, no input feeding', config: { model: 'attention', attention: 'bahdanau', bidirectional: true, layers: 2, inputFeeding: false } },
  { name: 'luong-dot', config: { model: 'attention', attention: 'luong-dot' } },
  { name: 'luong-general, bidirectional, tied', config: { model: 'attention', attention: 'luong-general', bidirectional: true, tieEmbeddings: true } },
  { name: 'luong-general, bidirectional, 2 layers, no input feeding', config: { model: 'attention', attention: 'luong-general', bidirectional: true, layers: 2, inputFeeding: false } },
  { name: 'luong-dot, no input feeding', config: { model: 'attention', attention: 'luong-dot', inputFeeding: false } },
];
