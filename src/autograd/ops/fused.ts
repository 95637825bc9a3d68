/**
 * Fused ops: one kernel (and one graph node) where a composition of primitives would create many
 * small tensors. Each is tested against its composition.
 */
import { getBackend } from '../../backend/registry.js';
import { Tensor } from '../../tensor/tensor.js';
import { fmtShape } from '../../tensor/shape.js';
import { record } from '../engine.js';
import { empty, requireFloat } from '../helpers.js';
import { narrow } from './view.js';
import { scratch } from '../../util/scratch.js';

/**
 * LSTM cell from summed gate pre-activations (PyTorch gate order i, f, g, o):
 * c' = σ(f) ⊙ c + σ(i) ⊙ tanh(g), h' = σ(o) ⊙ tanh(c').
 * Shapes: gates [B, 4H], c [B, H] -> { h [B, H], c [B, H] } (views of one [B, 2H] result).
 */
export function lstmCell(gates: Tensor, c: Tensor): { h: Tensor; c: Tensor } {
  requireFloat('lstmCell', gates, 'gates');
  requireFloat('lstmCell', c, 'cell state');
  if (gates.ndim !== 2 || c.ndim !== 2 || gates.shape[0] !== c.shape[0] || gates.shape[1] !== 4 * c.shape[1]) {
    throw new Error(`lstmCell: expected gates [B, 4H] and c [B, H], got ${fmtShape(gates.shape)} and ${fmtShape(c.shape)}`);
  }
  const [b, h] = c.shape;
  const be = getBackend();
  const g = gates.values() as Float32Array;
  const cv = c.values() as Float32Array;
  const hc = empty([b, 2 * h]);
  const saved = new Float32Array(b * 5 * h);
  be.lstmCell(g, cv, b, h, hc.data as Float32Array, saved);
  record(hc, 'lstmCell', [gates, c], (grad) => {
    const dgates = empty([b, 4 * h]);
    const dc = empty([b, h]);
    be.lstmCellBackward(
      grad.values() as Float32Array, cv, saved, b, h, dgates.data as Float32Array, dc.data as Float32Array,
    );
    return [dgates, dc];
  });
  return { h: narrow(hc, 1, 0, h), c: narrow(hc, 1, h, h) };
}

/** GEMM on contiguous row-major operands (optionally transposed as stored), C = A·B, batched by strides. */
function gemmInto(
  transA: boolean, transB: boolean, m: number, n: number, k: number,
  a: Float32Array, strideA: number, b: Float32Array, strideB: number, c: Float32Array, batch = 1, ldc = n, strideC = m * ldc, beta = 0,
): void {
  getBackend().gemm({
    transA, transB, m, n, k, alpha: 1,
    a, aOffset: 0, lda: transA ? m : k, strideA,
    b, bOffset: 0, ldb: transB ? k : n, strideB,
    beta, c, cOffset: 0, ldc, strideC, batch,
  });
}

/** The engine's running gradient sum when it has exactly `shape` (see GradNode.backward), else null. */
function sameShapeSum(acc: Tensor | null | undefined, shape: readonly number[]): Tensor | null {
  return acc && acc.shape.length === shape.length && acc.shape.every((d, i) => d === shape[i]) ? acc : null;
}


/**
 * Additive (Bahdanau) attention in one graph node:
 *   e = tanh(keys + q), score_s = e_s · v, α = softmax(score) over s (padding: -∞), context = Σ_s α_s memory_s.
 * Shapes: q [B, A] (the projected query), keys [B, S, A] (the projected memory), v [A] or [1, A],
 * memory [B, S, M], padMask [B, S] with 1 on padding (or null) -> { context [B, M], weights [B, S] }.
 * Written out as primitives this step allocates and walks two [B, S, A] tensors in the forward
 * pass and four in the backward one; here one [B, S, A] buffer is kept for backward and one is
 * made there. Context and weights are views of one [B, M + S] result, so both are differentiable.
 */
export function additiveAttention(q: Tensor, keys: Tensor, v: Tensor, memory: Tensor, padMask: Tensor | null): { context: Tensor; weights: Tensor } {
  for (const [t, what] of [[q, 'query'], [keys, 'keys'], [v, 'v'], [memory, 'memory']] as const) requireFloat('additiveAttention', t, what);
  const [B, S, A] = keys.shape;
  const ok = keys.ndim === 3 && q.ndim === 2 && q.shape[0] === B && q.shape[1] === A && v.size === A && (v.ndim === 1 || (v.ndim === 2 && v.shape[0] === 1)) &&
    memory.ndim === 3 && memory.shape[0] === B && memory.shape[1] === S && (padMask === null || (padMask.ndim === 2 && padMask.shape[0] === B && padMask.shape[1] === S));
  if (!ok) {
    throw new Error(`additiveAttention: expected q [B, A], keys [B, S, A], v [A], memory [B, S, M], padMask [B, S]; got q ${fmtShape(q.shape)}, ` +
      `keys ${fmtShape(keys.shape)}, v ${fmtShape(v.shape)}, memory ${fmtShape(memory.shape)}, padMask ${padMask ? fmtShape(padMask.shape) : 'null'}`);
  }
  const M = memory.shape[2];
  const W = M + S; // row of the result: context, then weights
  const be = getBackend();
  const e = empty([B, S, A]);
  const E = e.data as Float32Array;
  be.binary('add', keys, { data: q.data, shape: [B, S, A], strides: [q.strides[0], 0, q.strides[1]], offset: q.offset }, E);
  be.unary('tanh', e, E);
  const vv = v.values() as Float32Array;
  const scores = new Float32Array(B * S);
  gemmInto(false, false, B * S, 1, A, E, 0, vv, 0, scores);
  if (padMask) {
    const pm = padMask.values();
    for (let i = 0; i < B * S; i++) if (pm[i] !== 0) scores[i] = -Infinity;
  }
  const alpha = new Float32Array(B * S);
  be.softmax(scores, B, S, alpha, false);
  const mem = memory.values() as Float32Array;
  const result = empty([B, W]);
  const R = result.data as Float32Array;
  gemmInto(false, false, 1, M, S, alpha, S, mem, S * M, R, B, M, W); // context_b = α_b · memory_b
  for (let b = 0; b < B; b++) for (let s = 0; s < S; s++) R[b * W + M + s] = alpha[b * S + s];
  record(result, 'additiveAttention', [q, keys, v, memory], (grad, into) => {
    const G = grad.values() as Float32Array; // [B, W]: gradient of the context, then of the weights
    const gAlpha = new Float32Array(B * S);
    gemmInto(false, false, S, 1, M, mem, S * M, G, W, gAlpha, B); // memory_b · gctx_b
    for (let b = 0; b < B; b++) for (let s = 0; s < S; s++) gAlpha[b * S + s] += G[b * W + M + s];
    // memory and keys are shared by every decoder step: when the pass already holds their gradient
    // sums, add into those instead of returning new [B, S, ·] tensors
    let gMemory: Tensor | null = null;
    if (memory.requiresGrad) {
      const acc = sameShapeSum(into[3], memory.shape);
      gMemory = acc ?? empty([B, S, M]);
      gemmInto(true, false, S, M, 1, alpha, S, G, W, gMemory.data as Float32Array, B, M, S * M, acc ? 1 : 0); // α_b ⊗ gctx_b
    }
    const gScores = new Float32Array(B * S);
    be.softmaxBackward(alpha, gAlpha, B, S, gScores, false);
    const keysAcc = keys.requiresGrad ? sameShapeSum(into[1], keys.shape) : null;
    const gPre = keysAcc ? new Tensor(scratch(B * S * A), [B, S, A]) : empty([B, S, A]);
    const GP = gPre.data as Float32Array;
    gemmInto(false, false, B * S, A, 1, gScores, 0, vv, 0, GP); // gScore ⊗ v
    be.binary('tanhBackward', gPre, e, GP);
    let gq: Tensor | null = null;
    if (q.requiresGrad) {
      gq = empty([B, A]);
      be.reduce('sum', GP, B, S, A, gq.data);
    }
    let gv: Tensor | null = null;
    if (v.requiresGrad) {
      gv = empty(v.shape);
      gemmInto(true, false, 1, A, B * S, gScores, 0, E, 0, gv.data as Float32Array); // Σ gScore · e
    }
    if (keysAcc) be.binary('add', keysAcc, gPre, keysAcc.data as Float32Array);
    return [gq, keys.requiresGrad ? keysAcc ?? gPre : null, gv, gMemory];
  });
  return { context: narrow(result, 1, 0, M), weights: narrow(result, 1, M, S) };
}
