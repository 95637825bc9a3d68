/**
 * The W1/W3 model, layer for layer as bench-peers/torch/models.py `Seq2SeqAttn` (same parameter
 * names, shapes and initialisers, so both sides do the same arithmetic):
 * Emb(src) -> 1-layer LSTM encoder; decoder LSTMCell with input [Emb(y_{t-1}); ctx_t]; Bahdanau
 * attention queried with s_{t-1}, its key projection computed once per sequence; logits =
 * Linear(H, Vt)(s_t) over the full vocabulary. The decoder starts from the encoder's final (h, c).
 */
import * as F from '../../src/autograd/ops/index.js';
import { Embedding } from '../../src/nn/layers/embedding.js';
import { Linear } from '../../src/nn/layers/linear.js';
import { LSTMCell } from '../../src/nn/layers/rnn-cells.js';
import { LSTM } from '../../src/nn/layers/rnn.js';
import { Module } from '../../src/nn/module.js';
import type { Generator } from '../../src/tensor/rng.js';
import type { Tensor } from '../../src/tensor/tensor.js';

/** Additive attention e_tj = vᵀ tanh(W_q s_{t-1} + U_k h_j). */
export class BahdanauAttention extends Module {
  W_q: Linear;
  U_k: Linear;
  v: Linear;

  constructor(queryDim: number, keyDim: number, attnDim: number, generator?: Generator) {
    super();
    this.W_q = new Linear(queryDim, attnDim, { bias: false, generator });
    this.U_k = new Linear(keyDim, attnDim, { generator });
    this.v = new Linear(attnDim, 1, { bias: false, generator });
  }

  /** keys (B, S, K) -> (B, S, A), once per sequence. */
  projectKeys(keys: Tensor): Tensor {
    return this.U_k.forward(keys);
  }

  /** query (B, Q), keys (B, S, K), projKeys (B, S, A) -> context (B, K), weights (B, S). */
  forward(query: Tensor, keys: Tensor, projKeys: Tensor): { ctx: Tensor; alpha: Tensor } {
    // one fused node for tanh(projKeys + W_q s), the v-scores, softmax and the context
    const { context, weights } = F.additiveAttention(this.W_q.forward(query), projKeys, this.v.weight, keys, null);
    return { ctx: context, alpha: weights };
  }
}

export interface Encoded {
  encOut: Tensor; // (B, S, H)
  projKeys: Tensor; // (B, S, A)
  h: Tensor; // (B, H)
  c: Tensor; // (B, H)
}

export class Seq2SeqAttn extends Module {
  src_emb: Embedding;
  tgt_emb: Embedding;
  encoder: LSTM;
  attn: BahdanauAttention;
  dec_cell: LSTMCell;
  out: Linear;

  constructor(readonly vsrc = 8000, readonly vtgt = 6000, emb = 256, readonly hidden = 512, attn = 512, generator?: Generator) {
    super();
    this.src_emb = new Embedding(vsrc, emb, { generator });
    this.tgt_emb = new Embedding(vtgt, emb, { generator });
    this.encoder = new LSTM({ inputSize: emb, hiddenSize: hidden, batchFirst: true, generator });
    this.attn = new BahdanauAttention(hidden, hidden, attn, generator);
    this.dec_cell = new LSTMCell(emb + hidden, hidden, { generator });
    this.out = new Linear(hidden, vtgt, { generator });
  }

  /** src int32 (B, S) -> encoder outputs, projected keys and the decoder's initial state. */
  encode(src: Tensor): Encoded {
    const { output, h, c } = this.encoder.forward(this.src_emb.forward(src)); // (B, S, H), (1, B, H)
    return { encOut: output, projKeys: this.attn.projectKeys(output), h: F.select(h, 0, 0), c: F.select(c, 0, 0) };
  }

  /** yPrev int32 (B), state (B, H) each -> next state. */
  decodeStep(yPrev: Tensor, h: Tensor, c: Tensor, encOut: Tensor, projKeys: Tensor): [Tensor, Tensor] {
    const { ctx } = this.attn.forward(h, encOut, projKeys);
    return this.dec_cell.forward(F.concat([this.tgt_emb.forward(yPrev), ctx], 1), [h, c]);
  }

  /** Teacher forcing: src (B, S), tgtIn (B, T) -> logits (B, T, Vt). */
  forward(src: Tensor, tgtIn: Tensor): Tensor {
    const enc = this.encode(src);
    let h = enc.h, c = enc.c;
    const hs: Tensor[] = [];
    for (let t = 0; t < tgtIn.shape[1]; t++) {
      [h, c] = this.decodeStep(F.select(tgtIn, 1, t), h, c, enc.encOut, enc.projKeys);
      hs.push(h);
    }
    return this.out.forward(F.stack(hs, 1)); // (B, T, Vt): one [B·T, H] x [H, Vt] product
  }
}

/** Forward matmul FLOPs per part, as models.py `seq2seq_matmul_flops` (training = 3x). */
export function seq2seqMatmulFlops(B = 64, S = 20, T = 20, E = 256, H = 512, A = 512, Vt = 6000): { parts: Record<string, number>; fwd: number } {
  const parts: Record<string, number> = {
    enc_input_proj: 2 * B * S * E * 4 * H,
    enc_recurrent: 2 * B * S * H * 4 * H,
    attn_key_proj: 2 * B * S * H * A,
    attn_query_proj: 2 * B * T * H * A,
    attn_energy_v: 2 * B * T * S * A,
    attn_context_bmm: 2 * B * T * S * H,
    dec_input_proj: 2 * B * T * (E + H) * 4 * H,
    dec_recurrent: 2 * B * T * H * 4 * H,
    output_proj: 2 * B * T * H * Vt,
  };
  return { parts, fwd: Object.values(parts).reduce((a, b) => a + b, 0) };
}
