import * as F from '../../autograd/ops/index.js';
import { Linear } from '../../nn/layers/linear.js';
import { Module } from '../../nn/module.js';
import { fmtShape } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { AttentionKind } from './config.js';

/**
 * Scores a decoder state against every encoder output and averages the outputs by the softmax
 * of the scores. Padded source positions are filled with -∞ before the softmax, so they get
 * exactly zero weight.
 *   bahdanau (additive):  score(s, h) = vᵀ tanh(W_q s + U_k h)
 *   luong-general:        score(s, h) = sᵀ W_a h
 *   luong-dot:            score(s, h) = sᵀ h
 * The part that depends only on the encoder (U_k h, W_a h) is computed once per sentence by
 * {@link Attention.keys}, not at every decoder step.
 */
export class Attention extends Module {
  W_q: Linear | null = null;
  U_k: Linear | null = null;
  v: Linear | null = null;
  W_a: Linear | null = null;

  /** queryDim = decoder state size, memoryDim = encoder output size, attnDim = additive inner size. */
  constructor(readonly kind: AttentionKind, readonly queryDim: number, readonly memoryDim: number, attnDim = queryDim) {
    super();
    if (kind === 'bahdanau') {
      this.W_q = new Linear(queryDim, attnDim, { bias: false });
      this.U_k = new Linear(memoryDim, attnDim);
      this.v = new Linear(attnDim, 1, { bias: false });
    } else if (kind === 'luong-general') {
      this.W_a = new Linear(memoryDim, queryDim, { bias: false });
    } else if (kind === 'luong-dot') {
      if (queryDim !== memoryDim) throw new Error(`Attention(luong-dot): query size ${queryDim} must equal memory size ${memoryDim}`);
    } else {
      throw new Error(`Attention: unknown kind '${String(kind)}'`);
    }
  }

  /** Encoder-side projection, once per sentence. Shapes: memory (B, S, M) -> keys (B, S, A|Hd|M). */
  keys(memory: Tensor): Tensor {
    if (memory.ndim !== 3 || memory.shape[2] !== this.memoryDim) {
      throw new Error(`Attention.keys: memory must be [B, S, ${this.memoryDim}], got ${fmtShape(memory.shape)}`);
    }
    if (this.U_k) return this.U_k.forward(memory);
    if (this.W_a) return this.W_a.forward(memory);
    return memory;
  }

  /**
   * Shapes: query (B, Hd), keys from {@link keys}, memory (B, S, M), padMask (B, S) with 1 on padding
   * -> { context (B, M), weights (B, S) }.
   */
  forward(query: Tensor, keys: Tensor, memory: Tensor, padMask: Tensor): { context: Tensor; weights: Tensor } {
    const [B, S] = [memory.shape[0], memory.shape[1]];
    if (query.ndim !== 2 || query.shape[0] !== B || query.shape[1] !== this.queryDim) {
      throw new Error(`Attention(${this.kind}): query must be [${B}, ${this.queryDim}], got ${fmtShape(query.shape)}`);
    }
    if (padMask.shape[0] !== B || padMask.shape[1] !== S) {
      throw new Error(`Attention(${this.kind}): padMask must be [${B}, ${S}], got ${fmtShape(padMask.shape)}`);
    }
    // one fused node: scores, softmax and context without the two (B, S, A) temporaries per step
    if (this.kind === 'bahdanau') return F.additiveAttention(this.W_q!.forward(query), keys, this.v!.weight, memory, padMask);
    const scores = F.reshape(F.matmul(keys, F.unsqueeze(query, 2)), [B, S]); // (B, S, Hd) x (B, Hd, 1)
    const weights = F.softmax(F.maskedFill(scores, padMask, -Infinity), 1); // (B, S)
    const context = F.reshape(F.matmul(F.unsqueeze(weights, 1), memory), [B, this.memoryDim]); // (B, 1, S) x (B, S, M)
    return { context, weights };
  }

  /**
   * Luong attention for every decoder step at once (the queries s_t do not depend on earlier
   * contexts). Shapes: queries (B, T, Hd), keys (B, S, Hd|M), memory (B, S, M), padMask (B, S)
   * -> { context (B, T, M), weights (B, T, S) }; row t equals forward(queries[:, t]).
   */
  forwardAll(queries: Tensor, keys: Tensor, memory: Tensor, padMask: Tensor): { context: Tensor; weights: Tensor } {
    const [B, S] = [memory.shape[0], memory.shape[1]];
    if (this.kind === 'bahdanau') throw new Error('Attention.forwardAll: additive attention is computed step by step (its query is the previous state)');
    if (queries.ndim !== 3 || queries.shape[0] !== B || queries.shape[2] !== this.queryDim) {
      throw new Error(`Attention(${this.kind}).forwardAll: queries must be [${B}, T, ${this.queryDim}], got ${fmtShape(queries.shape)}`);
    }
    if (padMask.shape[0] !== B || padMask.shape[1] !== S) {
      throw new Error(`Attention(${this.kind}).forwardAll: padMask must be [${B}, ${S}], got ${fmtShape(padMask.shape)}`);
    }
    const scores = F.matmul(queries, F.transpose(keys, 1, 2)); // (B, T, Hd) x (B, Hd, S)
    const weights = F.softmax(F.maskedFill(scores, F.unsqueeze(padMask, 1), -Infinity), 2); // (B, T, S)
    return { context: F.matmul(weights, memory), weights }; // (B, T, S) x (B, S, M)
  }
}
