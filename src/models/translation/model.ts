/**
 * What every translation model offers, whatever its architecture (LSTM encoder-decoder with or
 * without attention, Transformer): teacher-forced training, decoding through decode/'s
 * StepModel, attention pictures, and a JSON config that rebuilds it (see registry.ts).
 */
import type { StepModel } from '../../decode/step-model.js';
import type { Module } from '../../nn/module.js';
import type { Tensor } from '../../tensor/tensor.js';

/** A padded training batch (the fields of data/batching.ts's Batch that a model reads). */
export interface TranslationBatch {
  /** Source ids (B·S), row-major, padded with 0. */
  src: Int32Array;
  srcShape: readonly [number, number];
  srcLengths: Int32Array;
  /** Decoder input `<s> y1 .. yn` (B·T), padded with 0. */
  tgtIn: Int32Array;
  tgtShape: readonly [number, number];
}

/** Teacher-forced outputs. */
export interface TranslationOutput {
  /** (B, T, V) unnormalised next-token scores. */
  logits: Tensor;
  /** (B, T, S) attention weights over the source per output position (for a model with several, their summary); null without attention. */
  attention: Tensor | null;
}

/** The part of a config every kind has; `kind` picks the builder in the registry. */
export interface TranslationModelConfig {
  kind: string;
  srcVocabSize: number;
  tgtVocabSize: number;
}

/** One attention picture: rows attend over columns. */
export interface AttentionMap {
  /** e.g. 'attention', 'cross layer 1 head 2', 'encoder self-attention layer 1 mean'. */
  name: string;
  /** Which tokens label the rows and the columns. */
  rows: 'target' | 'source';
  cols: 'target' | 'source';
  weights: number[][];
}

/** A translation model: a Module with the methods below. */
export interface TranslationModel extends Module {
  readonly config: TranslationModelConfig;
  /** Teacher forcing: the decoder reads the reference prefix. */
  forward(batch: TranslationBatch): TranslationOutput;
  /** Encodes `src` (B, S) once and exposes the decoder to every search in decode/ (runs without gradients, in eval mode). */
  stepModel(src: Tensor, lengths: Int32Array): StepModel<unknown>;
  /**
   * Attention of one translated sentence: `tokens` is the output without `<s>`; with `finished`,
   * the step that produced `</s>` is included as the last row. Empty for a model without attention.
   */
  attentionMaps(src: readonly number[], tokens: readonly number[], finished: boolean): AttentionMap[];
}
