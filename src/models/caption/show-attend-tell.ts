import * as F from '../../autograd/ops/index.js';
import { Linear } from '../../nn/layers/linear.js';
import { zeros } from '../../tensor/creation.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Attention } from '../seq2seq/attention.js';
import type { CaptionConfig } from './config.js';
import { CaptionModel } from './model.js';
import type { CaptionState } from './state.js';

/**
 * Show, Attend and Tell (Xu et al., 2015), soft attention. At every word the previous hidden
 * state looks at the 9 region vectors a_i:
 *   α_t = softmax_i(vᵀ tanh(W_q h_{t-1} + U_k a_i))      (additive attention, as Bahdanau's)
 *   β_t = σ(f_β(h_{t-1}))                                (the gate: how much of the image to let in)
 *   z_t = β_t · Σ_i α_ti a_i
 *   h_t, c_t = LSTM([E y_{t-1}; z_t], (h_{t-1}, c_{t-1}))
 *   p(y_t) = softmax(W_o h_t)
 * Training adds the doubly stochastic regulariser (see regulariser.ts).
 */
export class ShowAttendTell extends CaptionModel {
  attention: Attention;
  f_beta: Linear | null;

  constructor(config: CaptionConfig) {
    const D = config.channels[config.channels.length - 1];
    super(config, D);
    this.attention = new Attention('bahdanau', config.hiddenSize, D, config.attentionSize);
    this.f_beta = config.gate ? new Linear(config.hiddenSize, 1) : null;
  }

  protected regionKeys(regions: Tensor): Tensor {
    return this.attention.keys(regions); // (B, 9, A)
  }

  protected stepInput(y: Tensor, state: CaptionState): { x: Tensor; attention: Tensor; beta: Tensor | null } {
    const R = state.h.shape[0];
    const { context, weights } = this.attention.forward(state.h, state.keys!, state.regions, zeros([R, 9])); // (R, D), (R, 9)
    const beta = this.f_beta ? F.sigmoid(this.f_beta.forward(state.h)) : null; // (R, 1)
    const z = beta ? F.mul(context, beta) : context;
    return { x: F.concat([y, z], 1), attention: weights, beta };
  }
}
