import * as F from '../../autograd/ops/index.js';
import type { StepModel } from '../../decode/step-model.js';
import { fmtShape } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { BOS_ID, EOS_ID, PAD_ID } from '../../text/vocab.js';
import type { Seq2SeqConfig } from './config.js';
import type { EncoderOutput } from './encoder.js';
import { inference } from '../../nn/inference.js';
import type { Module } from '../../nn/module.js';
import { concatStates, selectState, type DecoderState } from './state.js';

/**
 * `<pad>` and `<s>` never occur in a target, but a barely trained model (or label smoothing) still
 * gives them some mass, and a search that picks them produces garbage that never ends in `</s>`.
 * They get log-probability -∞. The other entries are left as they are (not renormalised), so a
 * hypothesis' score stays the model's own log-probability of that sentence.
 */
export function banSpecials(logProbs: Float32Array, vocab: number): void {
  for (let o = 0; o < logProbs.length; o += vocab) {
    logProbs[o + PAD_ID] = -Infinity;
    logProbs[o + BOS_ID] = -Infinity;
  }
}

/** The parts of an LSTM encoder-decoder that decoding uses (model.ts's Seq2SeqModel has them). */
export interface Seq2SeqDecoding extends Module {
  readonly config: Pick<Seq2SeqConfig, 'tgtVocabSize'>;
  encode(src: Tensor, lengths: Int32Array): EncoderOutput;
  initialState(enc: EncoderOutput): DecoderState;
  decodeStep(state: DecoderState, tokens: Int32Array): { logits: Tensor; state: DecoderState };
}

/**
 * A trained encoder-decoder seen through decode/'s StepModel interface: the sources are encoded
 * once here, and each `step` runs one decoder step for every live hypothesis. `select` reorders
 * decoder states and encoder memory together. The state returned by `step` holds that step's
 * attention weights (`state.attention`, (R, S)) for pictures.
 */
export class Seq2SeqStepModel implements StepModel<DecoderState> {
  readonly vocabSize: number;
  readonly bos = BOS_ID;
  readonly eos = EOS_ID;
  readonly sourceLengths: Int32Array;
  readonly encoded: EncoderOutput;

  constructor(readonly model: Seq2SeqDecoding, src: Tensor, lengths: Int32Array) {
    if (src.ndim !== 2) throw new Error(`stepModel: src must be [B, S], got ${fmtShape(src.shape)}`);
    this.vocabSize = model.config.tgtVocabSize;
    this.sourceLengths = Int32Array.from(lengths);
    this.encoded = inference(model, () => model.encode(src, this.sourceLengths));
  }

  start(batch: number): DecoderState {
    const B = this.sourceLengths.length;
    if (batch !== B) throw new Error(`Seq2SeqStepModel.start: ${B} sources were encoded, asked for ${batch}`);
    return inference(this.model, () => this.model.initialState(this.encoded));
  }

  step(state: DecoderState, tokens: Int32Array): { logProbs: Float32Array; state: DecoderState } {
    const R = state.h[0].shape[0];
    if (tokens.length !== R) throw new Error(`Seq2SeqStepModel.step: ${tokens.length} tokens for ${R} state rows`);
    return inference(this.model, () => {
      const { logits, state: next } = this.model.decodeStep(state, tokens);
      const logProbs = F.logSoftmax(logits, 1).values() as Float32Array;
      banSpecials(logProbs, this.vocabSize);
      return { logProbs, state: next };
    });
  }

  select(state: DecoderState, rows: Int32Array): DecoderState {
    return inference(this.model, () => selectState(state, rows));
  }

  concat(states: readonly DecoderState[]): DecoderState {
    return inference(this.model, () => concatStates(states));
  }
}
