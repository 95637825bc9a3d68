import * as F from '../../autograd/ops/index.js';
import { Embedding } from '../../nn/layers/embedding.js';
import { Module } from '../../nn/module.js';
import { fmtShape } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { BOS_ID, PAD_ID } from '../../text/vocab.js';
import { inference } from '../../nn/inference.js';
import type { AttentionMap, TranslationBatch, TranslationModel, TranslationOutput } from '../translation/model.js';
import type { Seq2SeqConfig } from './config.js';
import { Seq2SeqEncoder, type EncoderOutput } from './encoder.js';
import type { DecoderState } from './state.js';
import { Seq2SeqStepModel } from './step-model.js';

/** The batch and outputs of every translation model (see models/translation/model.ts). */
export type Seq2SeqBatch = TranslationBatch;
export type Seq2SeqOutput = TranslationOutput;

/**
 * What both encoder-decoders share: the encoder, the target embedding, batch checks and the
 * decoding adapter. Subclasses define the decoder: teacher-forced `forward` and one `decodeStep`.
 */
export abstract class Seq2SeqModel extends Module implements TranslationModel {
  encoder: Seq2SeqEncoder;
  tgt_embed: Embedding;

  constructor(readonly config: Seq2SeqConfig) {
    super();
    this.encoder = new Seq2SeqEncoder(config);
    this.tgt_embed = new Embedding(config.tgtVocabSize, config.tgtEmbSize, { paddingIdx: PAD_ID });
  }

  /** Shapes: src int32 (B, S), lengths (B) -> EncoderOutput. */
  encode(src: Tensor, lengths: Int32Array): EncoderOutput {
    return this.encoder.forward(src, lengths);
  }

  /** Teacher forcing: the decoder reads the reference prefix. -> logits (B, T, V), attention (B, T, S) or null. */
  abstract override forward(batch: Seq2SeqBatch): Seq2SeqOutput;

  /** Decoder state before the first token. */
  abstract initialState(enc: EncoderOutput): DecoderState;

  /** One decoder step. Shapes: tokens (R) -> logits (R, V) and the next state. */
  abstract decodeStep(state: DecoderState, tokens: Int32Array): { logits: Tensor; state: DecoderState };

  /** Encodes `src` once and exposes the decoder to every search in decode/ (runs without gradients, in eval mode). */
  stepModel(src: Tensor, lengths: Int32Array): Seq2SeqStepModel {
    return new Seq2SeqStepModel(this, src, lengths);
  }

  /** The decoder's attention over the source for each output token (teacher-forced on the translation); none for the plain model. */
  attentionMaps(src: readonly number[], tokens: readonly number[], finished: boolean): AttentionMap[] {
    const tgtIn = [BOS_ID, ...tokens];
    const rows = finished ? tgtIn.length : tokens.length;
    if (this.config.model !== 'attention' || rows === 0) return [];
    const out = inference(this, () => this.forward({
      src: Int32Array.from(src), srcShape: [1, src.length], srcLengths: Int32Array.from([src.length]),
      tgtIn: Int32Array.from(tgtIn), tgtShape: [1, tgtIn.length],
    }));
    const a = out.attention!.values();
    const S = src.length;
    return [{ name: 'attention', rows: 'target', cols: 'source', weights: Array.from({ length: rows }, (_, t) => Array.from(a.subarray(t * S, (t + 1) * S))) }];
  }

  /** Validates a batch and wraps its arrays: src (B, S), tgtIn (B, T). */
  protected batchTensors(batch: Seq2SeqBatch): { src: Tensor; tgtIn: Tensor; B: number; S: number; T: number } {
    const [B, S] = batch.srcShape;
    const [B2, T] = batch.tgtShape;
    const name = this.constructor.name;
    if (B !== B2) throw new Error(`${name}.forward: source batch ${B} but target batch ${B2}`);
    if (batch.src.length !== B * S) throw new Error(`${name}.forward: src has ${batch.src.length} ids for shape ${fmtShape([B, S])}`);
    if (batch.tgtIn.length !== B * T) throw new Error(`${name}.forward: tgtIn has ${batch.tgtIn.length} ids for shape ${fmtShape([B, T])}`);
    return { src: new Tensor(batch.src, [B, S]), tgtIn: new Tensor(batch.tgtIn, [B, T]), B, S, T };
  }
}

/**
 * Sum of log p(y_t | y_<t, x) over each target sentence (including `</s>`), teacher-forced.
 * Shapes: logits (B, T, V), tgtOut (B·T) padded with 0 -> one number per sentence.
 */
export function sequenceLogProbs(logits: Tensor, tgtOut: Int32Array): Float64Array {
  const [B, T, V] = logits.shape;
  const lp = F.logSoftmax(logits, 2).values();
  const out = new Float64Array(B);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const y = tgtOut[b * T + t];
      if (y !== PAD_ID) out[b] += lp[(b * T + t) * V + y];
    }
  }
  return out;
}
