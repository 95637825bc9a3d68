import * as F from '../../autograd/ops/index.js';
import { dropout } from '../../nn/layers/dropout.js';
import { Embedding } from '../../nn/layers/embedding.js';
import { Linear } from '../../nn/layers/linear.js';
import { LSTMCell } from '../../nn/layers/rnn-cells.js';
import { Module } from '../../nn/module.js';
import { fmtShape } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import type { CaptionConfig } from './config.js';
import { CaptionEncoder } from './encoder.js';
import type { CaptionState } from './state.js';

/** Teacher-forced outputs of a captioner. */
export interface CaptionOutput {
  /** (B, T, V) next-word logits. */
  logits: Tensor;
  /** (B, T, 9) attention weights per word; null for Show-and-Tell. */
  attention: Tensor | null;
  /** (B, T) gate values β per word; null without a gate. */
  beta: Tensor | null;
}

/**
 * What both captioners share: the CNN encoder, the word embedding, the initial LSTM state from the
 * mean region vector, h₀ = tanh(W_h·mean), c₀ = tanh(W_c·mean) (the image seen once, at the
 * start), one LSTM cell and the output layer. Subclasses define the decoder input at each step.
 */
export abstract class CaptionModel extends Module {
  encoder: CaptionEncoder;
  embed: Embedding;
  init_h: Linear;
  init_c: Linear;
  cell: LSTMCell;
  out: Linear;

  constructor(readonly config: CaptionConfig, extraInput: number) {
    super();
    const c = config;
    this.encoder = new CaptionEncoder(c.channels, c.batchNorm);
    const D = this.encoder.regionSize;
    this.embed = new Embedding(c.vocabSize, c.embSize);
    this.init_h = new Linear(D, c.hiddenSize);
    this.init_c = new Linear(D, c.hiddenSize);
    this.cell = new LSTMCell(c.embSize + extraInput, c.hiddenSize);
    this.out = new Linear(c.hiddenSize, c.vocabSize);
  }

  /** Encodes the images and builds the decoder's start state. Shapes: images (B, 1, 84, 84). */
  initialState(images: Tensor): CaptionState {
    const regions = this.encoder.forward(images); // (B, 9, D)
    const mean = F.mean(regions, 1); // (B, D)
    return {
      h: F.tanh(this.init_h.forward(mean)),
      c: F.tanh(this.init_c.forward(mean)),
      regions, keys: this.regionKeys(regions), pooled: this.config.imageEveryStep ? mean : null,
      attention: null, beta: null,
    };
  }

  /** The attention keys of the regions, computed once per image (null without attention). */
  protected abstract regionKeys(regions: Tensor): Tensor | null;

  /** One decoder step from the word embeddings y (R, E): the LSTM input and the attention record of this step. */
  protected abstract stepInput(y: Tensor, state: CaptionState): { x: Tensor; attention: Tensor | null; beta: Tensor | null };

  /** One step: feeds `tokens` (R) and returns next-word logits (R, V) and the next state. */
  decodeStep(state: CaptionState, tokens: Int32Array | Tensor): { logits: Tensor; state: CaptionState } {
    const ids = tokens instanceof Tensor ? tokens : new Tensor(Int32Array.from(tokens), [tokens.length]);
    const { x, attention, beta } = this.stepInput(this.embed.forward(ids), state);
    const [h, c] = this.cell.forward(x, [state.h, state.c]);
    const logits = this.out.forward(dropout(h, this.config.dropout, this.training));
    return { logits, state: { ...state, h, c, attention, beta } };
  }

  /** Teacher forcing. Shapes: images (B, 1, 84, 84), tokensIn (B, T) int32 (BOS first) -> see {@link CaptionOutput}. */
  forward(images: Tensor, tokensIn: Tensor): CaptionOutput {
    if (tokensIn.ndim !== 2 || tokensIn.dtype !== 'int32' || tokensIn.shape[0] !== images.shape[0]) {
      throw new Error(`${this.constructor.name}: tokensIn must be int32 [${images.shape[0]}, T], got ${tokensIn.dtype} ${fmtShape(tokensIn.shape)}`);
    }
    const T = tokensIn.shape[1];
    let state = this.initialState(images);
    const logits: Tensor[] = [];
    const attns: Tensor[] = [];
    const betas: Tensor[] = [];
    for (let t = 0; t < T; t++) {
      const r = this.decodeStep(state, F.contiguous(F.select(tokensIn, 1, t)));
      state = r.state;
      logits.push(r.logits);
      if (state.attention) attns.push(state.attention);
      if (state.beta) betas.push(state.beta);
    }
    return {
      logits: F.stack(logits, 1), // (B, T, V)
      attention: attns.length ? F.stack(attns, 1) : null, // (B, T, 9)
      beta: betas.length ? F.reshape(F.stack(betas, 1), [images.shape[0], T]) : null,
    };
  }
}
