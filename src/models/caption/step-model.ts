import * as F from '../../autograd/ops/index.js';
import type { StepModel } from '../../decode/step-model.js';
import { fmtShape } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { BOS_ID, EOS_ID, UNK_ID } from '../../text/vocab.js';
import { inference } from '../../nn/inference.js';
import { banSpecials } from '../seq2seq/step-model.js';
import type { CaptionModel } from './model.js';
import { concatCaptionStates, selectCaptionState, type CaptionState } from './state.js';

/**
 * A captioner seen through decode/'s StepModel interface: the images are encoded once here; each
 * `step` runs one decoder step for every live hypothesis, and `select`/`concat` reorder the LSTM
 * state together with each row's regions. The state after a step holds that step's attention
 * weights (`state.attention`, (R, 9)).
 */
export class CaptionStepModel implements StepModel<CaptionState> {
  readonly vocabSize: number;
  readonly bos = BOS_ID;
  readonly eos = EOS_ID;
  private readonly initial: CaptionState;

  constructor(readonly model: CaptionModel, images: Tensor) {
    if (images.ndim !== 4) throw new Error(`CaptionStepModel: images must be [B, 1, 84, 84], got ${fmtShape(images.shape)}`);
    this.vocabSize = model.config.vocabSize;
    this.initial = inference(model, () => model.initialState(images));
  }

  start(batch: number): CaptionState {
    const B = this.initial.h.shape[0];
    if (batch !== B) throw new Error(`CaptionStepModel.start: ${B} images were encoded, asked for ${batch}`);
    return this.initial;
  }

  step(state: CaptionState, tokens: Int32Array): { logProbs: Float32Array; state: CaptionState } {
    const R = state.h.shape[0];
    if (tokens.length !== R) throw new Error(`CaptionStepModel.step: ${tokens.length} tokens for ${R} state rows`);
    return inference(this.model, () => {
      const { logits, state: next } = this.model.decodeStep(state, tokens);
      const logProbs = F.logSoftmax(logits, 1).values() as Float32Array;
      banSpecials(logProbs, this.vocabSize);
      // captions never contain <unk> (the vocabulary is the grammar's)
      for (let o = 0; o < logProbs.length; o += this.vocabSize) logProbs[o + UNK_ID] = -Infinity;
      return { logProbs, state: next };
    });
  }

  select(state: CaptionState, rows: Int32Array): CaptionState {
    return inference(this.model, () => selectCaptionState(state, rows));
  }

  concat(states: readonly CaptionState[]): CaptionState {
    return inference(this.model, () => concatCaptionStates(states));
  }
}
