import * as F from '../../autograd/ops/index.js';
import { noGrad } from '../../autograd/grad-mode.js';
import { zeros } from '../../tensor/creation.js';
import type { Generator } from '../../tensor/rng.js';
import { Tensor } from '../../tensor/tensor.js';
import { fmtShape } from '../../tensor/shape.js';
import { xavierUniform_ } from '../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { Linear } from './linear.js';

export interface MultiheadAttentionOptions {
  /** dropout on the attention weights in training (default 0) */
  dropout?: number;
  /** biases on the input and output projections (default true) */
  bias?: boolean;
  /** inputs and outputs are [N, L, E] instead of [L, N, E] (default false, as torch) */
  batchFirst?: boolean;
  /** feature size of `key` (default embedDim) */
  kdim?: number;
  /** feature size of `value` (default embedDim) */
  vdim?: number;
  generator?: Generator;
}

export interface MultiheadAttentionForwardOptions {
  /**
   * [N, S]: int32 boolean (nonzero = this key is padding and ignored) or float (float32 or
   * float64) added to the scores of every query.
   */
  keyPaddingMask?: Tensor | null;
  /** [L, S] or [N·H, L, S]: int32 boolean (nonzero = masked) or float additive (see generateSquareSubsequentMask). */
  attnMask?: Tensor | null;
  /** return the attention weights (default true, as torch) */
  needWeights?: boolean;
  /** weights averaged over heads [N, L, S] (default true) or per head [N, H, L, S] */
  averageAttnWeights?: boolean;
}

/** Projected keys and values in head layout, [N, H, S, Dh] each: what a decoding cache keeps. */
export interface KeyValue {
  k: Tensor;
  v: Tensor;
  /** the joint projection k and v are views of, when they came from one (gradients flow to it) */
  packed?: Tensor | null;
}

/**
 * Multi-head attention as torch.nn.MultiheadAttention, with its parameter names and layouts:
 * `in_proj_weight` [3E, E] (rows: query, key, value projections) and `in_proj_bias` [3E], or
 * `q_proj_weight` [E, E], `k_proj_weight` [E, kdim], `v_proj_weight` [E, vdim] when kdim/vdim
 * differ from E; `out_proj.weight` [E, E], `out_proj.bias` [E].
 *
 *   head_h = softmax((q W_qʰ)(k W_kʰ)ᵀ / √Dh + mask) (v W_vʰ),  out = concat_h(head_h) W_oᵀ + b_o
 *
 * Shapes (batchFirst false): query [L, N, E], key [S, N, kdim], value [S, N, vdim] -> output
 * [L, N, E]; batchFirst swaps the first two dims; 2-D inputs are one unbatched sequence.
 * Weights: [N, L, S] (averaged) or [N, H, L, S]. Init as torch: Xavier-uniform input
 * projections, zero biases, out_proj as a Linear with its bias zeroed.
 *
 * For incremental decoding, `projectKeyValue` computes the keys/values once (or one step at a
 * time, to append to a cache) and `attend` runs the query against them; `forward` is exactly
 * those two calls.
 */
export class MultiheadAttention extends Module {
  readonly headDim: number;
  readonly kdim: number;
  readonly vdim: number;
  readonly dropout: number;
  readonly batchFirst: boolean;
  in_proj_weight: Parameter | null;
  q_proj_weight: Parameter | null;
  k_proj_weight: Parameter | null;
  v_proj_weight: Parameter | null;
  in_proj_bias: Parameter | null;
  out_proj: Linear;
  readonly generator?: Generator;

  constructor(readonly embedDim: number, readonly numHeads: number, opts: MultiheadAttentionOptions = {}) {
    super();
    if (!(Number.isInteger(embedDim) && embedDim > 0 && Number.isInteger(numHeads) && numHeads > 0 && embedDim % numHeads === 0)) {
      throw new Error(`MultiheadAttention: embedDim (${embedDim}) must be a positive multiple of numHeads (${numHeads})`);
    }
    this.headDim = embedDim / numHeads;
    this.kdim = opts.kdim ?? embedDim;
    this.vdim = opts.vdim ?? embedDim;
    this.dropout = opts.dropout ?? 0;
    if (!(this.dropout >= 0 && this.dropout < 1)) throw new Error(`MultiheadAttention: dropout must be in [0, 1), got ${this.dropout}`);
    this.batchFirst = opts.batchFirst ?? false;
    this.generator = opts.generator;
    const g = opts.generator;
    const E = embedDim;
    if (this.kdim === E && this.vdim === E) {
      this.in_proj_weight = new Parameter(xavierUniform_(zeros([3 * E, E]), 1, g));
      this.q_proj_weight = this.k_proj_weight = this.v_proj_weight = null;
    } else {
      this.in_proj_weight = null;
      this.q_proj_weight = new Parameter(xavierUniform_(zeros([E, E]), 1, g));
      this.k_proj_weight = new Parameter(xavierUniform_(zeros([E, this.kdim]), 1, g));
      this.v_proj_weight = new Parameter(xavierUniform_(zeros([E, this.vdim]), 1, g));
    }
    const bias = opts.bias ?? true;
    this.in_proj_bias = bias ? new Parameter(zeros([3 * E])) : null;
    this.out_proj = new Linear(E, E, { bias, generator: g });
    if (this.out_proj.bias) this.out_proj.bias.data.fill(0);
  }

  forward(query: Tensor, key: Tensor, value: Tensor, opts: MultiheadAttentionForwardOptions = {}): { output: Tensor; weights: Tensor | null } {
    const unbatched = query.ndim === 2;
    if (this.in_proj_weight && query === key && key === value) {
      // self-attention: one projection [.., 3E] whose thirds are the query, key and value heads
      this.checkInput(query, this.embedDim, 'query', unbatched);
      const [q, k, v, packed] = this.projectPacked(query, 0, 3, unbatched);
      return this.attendHeads(query, q, { k, v, packed }, opts);
    }
    return this.attend(query, this.projectKeyValue(key, value, unbatched), opts);
  }

  /** The i-th projection (0 query, 1 key, 2 value) of x [..., inDim] -> [..., E]. */
  private project(x: Tensor, i: number): Tensor {
    const E = this.embedDim;
    const w = this.in_proj_weight ? F.narrow(this.in_proj_weight, 0, i * E, E) : [this.q_proj_weight, this.k_proj_weight, this.v_proj_weight][i]!;
    const b = this.in_proj_bias ? F.narrow(this.in_proj_bias, 0, i * E, E) : null;
    return F.linear(x, w, b);
  }

  /**
   * Projections `first`..`first + count - 1` of x in one GEMM, p [.., count·E], and untracked
   * [N, H, T, Dh] views of each part (the attention op routes their gradient to p).
   */
  private projectPacked(x: Tensor, first: number, count: number, unbatched: boolean): Tensor[] {
    const E = this.embedDim, H = this.numHeads, D = this.headDim;
    const w = count === 3 ? this.in_proj_weight! : F.narrow(this.in_proj_weight!, 0, first * E, count * E);
    const b = this.in_proj_bias ? (count === 3 ? this.in_proj_bias : F.narrow(this.in_proj_bias, 0, first * E, count * E)) : null;
    const p = F.contiguous(F.linear(x, w, b)); // [T, N, cE] / [N, T, cE] / [T, cE]
    const W = count * E;
    const T = unbatched || !this.batchFirst ? p.shape[0] : p.shape[1];
    const N = unbatched ? 1 : p.shape[this.batchFirst ? 0 : 1];
    // strides of (N, H, T, Dh) over p's layout
    const strides = unbatched ? [T * W, D, W, 1] : this.batchFirst ? [T * W, D, W, 1] : [W, D, N * W, 1];
    const views = Array.from({ length: count }, (_, i) => new Tensor(p.data, [N, H, T, D], strides, p.offset + i * E));
    return [...views, p];
  }

  /** x [T, N, E] or [N, T, E] (batchFirst) or [T, E] -> a [N, H, T, Dh] view of its projection. */
  private heads(p: Tensor, unbatched: boolean): Tensor {
    const H = this.numHeads, D = this.headDim;
    if (unbatched) return F.permute(F.reshape(p, [p.shape[0], 1, H, D]), [1, 2, 0, 3]);
    const perm = this.batchFirst ? [0, 2, 1, 3] : [1, 2, 0, 3];
    return F.permute(F.reshape(p, [p.shape[0], p.shape[1], H, D]), perm);
  }

  private checkInput(x: Tensor, dim: number, what: string, unbatched: boolean): void {
    if (x.ndim !== (unbatched ? 2 : 3) || x.shape[x.ndim - 1] !== dim) {
      const layout = unbatched ? `[T, ${dim}]` : this.batchFirst ? `[N, T, ${dim}]` : `[T, N, ${dim}]`;
      throw new Error(`MultiheadAttention(${this.embedDim}, ${this.numHeads}): ${what} must be ${layout}, got ${fmtShape(x.shape)}`);
    }
  }

  /**
   * Keys and values projected into heads: key [S, N, kdim] / [N, S, kdim] (batchFirst) / [S, kdim]
   * (unbatched) -> { k, v } [N, H, S, Dh] (N = 1 when unbatched).
   */
  projectKeyValue(key: Tensor, value: Tensor, unbatched = key.ndim === 2): KeyValue {
    this.checkInput(key, this.kdim, 'key', unbatched);
    this.checkInput(value, this.vdim, 'value', unbatched);
    if (key.shape[0] !== value.shape[0] || (!unbatched && key.shape[1] !== value.shape[1])) {
      throw new Error(`MultiheadAttention: key ${fmtShape(key.shape)} and value ${fmtShape(value.shape)} differ in length or batch`);
    }
    if (this.in_proj_weight && key === value) {
      const [k, v, packed] = this.projectPacked(key, 1, 2, unbatched);
      return { k, v, packed };
    }
    return { k: this.heads(this.project(key, 1), unbatched), v: this.heads(this.project(value, 2), unbatched) };
  }

  /**
   * `kv` with k and v as nodes of the graph: when they are untracked views of a joint projection
   * (kv.packed) that carries gradients, the same views taken through the graph (narrow, reshape,
   * permute), so that other ops than attend (a cache's concat, a beam's row selection) pass their
   * gradient on to the projection. Otherwise `kv` itself (decoding without gradients copies nothing).
   */
  trackedKeyValue(kv: KeyValue): KeyValue {
    const p = kv.packed;
    if (!p || !p.requiresGrad) return kv;
    const E = this.embedDim;
    // a view's offset past p's is its first column in p (views start at p.offset + i·E)
    const part = (t: Tensor) => (t.data === p.data ? this.heads(F.narrow(p, p.ndim - 1, t.offset - p.offset, E), p.ndim === 2) : t);
    return { k: part(kv.k), v: part(kv.v) };
  }

  /**
   * The query against projected keys/values (from projectKeyValue, or a cache that appends them
   * step by step): query as in forward -> { output, weights } as forward.
   */
  attend(query: Tensor, kv: KeyValue, opts: MultiheadAttentionForwardOptions = {}): { output: Tensor; weights: Tensor | null } {
    const unbatched = query.ndim === 2;
    this.checkInput(query, this.embedDim, 'query', unbatched);
    return this.attendHeads(query, this.heads(this.project(query, 0), unbatched), kv, opts);
  }

  /** The attention itself, from the query's heads q [N, H, L, Dh] (query gives the layout). */
  private attendHeads(query: Tensor, q: Tensor, kv: KeyValue, opts: MultiheadAttentionForwardOptions): { output: Tensor; weights: Tensor | null } {
    const unbatched = query.ndim === 2;
    const H = this.numHeads, E = this.embedDim;
    const N = unbatched ? 1 : query.shape[this.batchFirst ? 0 : 1];
    const L = query.shape[unbatched ? 0 : this.batchFirst ? 1 : 0];
    const S = kv.k.shape[2];
    if (kv.k.ndim !== 4 || kv.k.shape[0] !== N || kv.k.shape[1] !== H || kv.v.shape[2] !== S) {
      throw new Error(`MultiheadAttention: keys/values ${fmtShape(kv.k.shape)}/${fmtShape(kv.v.shape)} do not fit the query ${fmtShape(query.shape)} (expected [${N}, ${H}, S, ${this.headDim}])`);
    }
    const mask = this.combinedMask(opts.attnMask ?? null, opts.keyPaddingMask ?? null, N, L, S, unbatched);
    const p = this.training ? this.dropout : 0;
    const needWeights = opts.needWeights ?? true;
    const attnOpts = { mask, dropout: p, generator: this.generator, packed: kv.packed ?? null };
    let o: Tensor, w: Tensor | null = null;
    if (needWeights) ({ output: o, weights: w } = F.scaledDotProductAttentionWithWeights(q, kv.k, kv.v, attnOpts));
    else o = F.scaledDotProductAttention(q, kv.k, kv.v, attnOpts); // [N, H, L, Dh], stored in the query's order
    const perm = unbatched || this.batchFirst ? [0, 2, 1, 3] : [2, 0, 1, 3];
    let merged = F.reshape(F.permute(o, perm), unbatched ? [L, E] : this.batchFirst ? [N, L, E] : [L, N, E]);
    merged = this.out_proj.forward(merged);
    if (w && (opts.averageAttnWeights ?? true)) w = noGrad(() => F.mean(w!, 1)); // [N, L, S]
    if (w && unbatched) w = F.reshape(w, w.shape.slice(1));
    return { output: merged, weights: w };
  }

  /** attnMask and keyPaddingMask as one mask broadcastable to [N, H, L, S] (null for none). */
  private combinedMask(attn: Tensor | null, pad: Tensor | null, N: number, L: number, S: number, unbatched: boolean): Tensor | null {
    const H = this.numHeads;
    if (attn) {
      const ok = (attn.ndim === 2 && attn.shape[0] === L && attn.shape[1] === S) ||
        (attn.ndim === 3 && attn.shape[0] === N * H && attn.shape[1] === L && attn.shape[2] === S);
      if (!ok) throw new Error(`MultiheadAttention: attnMask must be [${L}, ${S}] or [${N * H}, ${L}, ${S}], got ${fmtShape(attn.shape)}`);
      if (attn.ndim === 3) attn = F.reshape(attn, [N, H, L, S]);
    }
    if (pad) {
      const ok = unbatched ? pad.ndim === 1 && pad.shape[0] === S : pad.ndim === 2 && pad.shape[0] === N && pad.shape[1] === S;
      if (!ok) throw new Error(`MultiheadAttention: keyPaddingMask must be ${unbatched ? `[${S}]` : `[${N}, ${S}]`}, got ${fmtShape(pad.shape)}`);
      pad = F.reshape(pad, [N, 1, 1, S]);
    }
    if (!attn || !pad) return attn ?? pad;
    return noGrad(() => F.add(F.additiveMask(attn!), F.additiveMask(pad!)));
  }
}

/** torch.nn.Transformer.generate_square_subsequent_mask: [n, n] float, -Infinity above the diagonal, 0 elsewhere. */
export function generateSquareSubsequentMask(n: number): Tensor {
  if (!(Number.isInteger(n) && n >= 0)) throw new Error(`generateSquareSubsequentMask: size must be a non-negative integer, got ${n}`);
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) out[i * n + j] = -Infinity;
  return new Tensor(out, [n, n]);
}
