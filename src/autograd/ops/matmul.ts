import { getBackend } from '../../backend/registry.js';
import { Tensor } from '../../tensor/tensor.js';
import { broadcastShapes, fmtShape, numel } from '../../tensor/shape.js';
import { record } from '../engine.js';
import { empty, expandedView, requireFloat, floatType } from '../helpers.js';
import { sumToShape } from './reduce.js';
import { reshape, transpose } from './view.js';

interface Operand {
  data: Float32Array; // or Float64Array: float64 GEMMs run on the reference kernel
  offset: number;
  ld: number;
  trans: boolean;
  stride: number;
}

/**
 * Describes a [batch..., rows, cols] view as a GEMM operand without copying when its layout allows
 * (row-major or column-major matrices, batch dims collapsible to one stride); otherwise copies.
 */
function operand(t: Tensor, batchShape: readonly number[], rows: number, cols: number): Operand {
  const full = [...batchShape, rows, cols];
  const v = expandedView(t, full);
  const nd = full.length;
  const sr = v.strides[nd - 2];
  const sc = v.strides[nd - 1];
  let trans: boolean | null = null;
  let ld = 0;
  if (sc === 1 || cols === 1) {
    trans = false;
    ld = rows === 1 ? Math.max(cols, 1) : sr;
    if (cols === 1 && rows > 1 && sr < 1) trans = null;
  }
  if (trans === null && (sr === 1 || rows === 1)) {
    trans = true;
    ld = cols === 1 ? Math.max(rows, 1) : sc;
  }
  if (trans === false && ld < cols) trans = null;
  if (trans === true && ld < rows) trans = null;
  let stride: number | null = 0;
  let expected: number | null = null;
  for (let i = batchShape.length - 1; i >= 0; i--) {
    if (batchShape[i] === 1) continue;
    const s = v.strides[i];
    if (expected === null) {
      stride = s;
      expected = s * batchShape[i];
    } else if (s === expected || (s === 0 && stride === 0)) {
      expected = s * batchShape[i];
    } else {
      stride = null;
      break;
    }
  }
  if (trans === null || stride === null || t.data instanceof Int32Array) {
    const copy = getBackend().alloc(floatType(t), numel(full)) as Float32Array;
    getBackend().copy(v, copy);
    return { data: copy, offset: 0, ld: cols, trans: false, stride: rows * cols };
  }
  return { data: t.data as Float32Array, offset: t.offset, ld, trans, stride };
}

/** Matrix product with NumPy/torch semantics: 1-D promotion and batch broadcasting. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  requireFloat('matmul', a, 'first operand');
  requireFloat('matmul', b, 'second operand');
  if (a.ndim === 0 || b.ndim === 0) throw new Error(`matmul: both operands need at least 1 dimension, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  const a2 = a.ndim === 1 ? reshape(a, [1, a.shape[0]]) : a;
  const b2 = b.ndim === 1 ? reshape(b, [b.shape[0], 1]) : b;
  const m = a2.shape[a2.ndim - 2], k = a2.shape[a2.ndim - 1];
  const k2 = b2.shape[b2.ndim - 2], n = b2.shape[b2.ndim - 1];
  if (k !== k2) throw new Error(`matmul: cannot multiply ${fmtShape(a.shape)} by ${fmtShape(b.shape)}`);
  if (b.ndim === 2 && a.ndim > 2) {
    // A plain matrix on the right: fold a's batch dims into its rows, as torch does. One
    // [B·m, k]·[k, n] GEMM runs far faster than B broadcast [m, k]·[k, n] ones, and b's gradient
    // becomes one GEMM instead of a [B, k, n] stack summed over B afterwards.
    return reshape(matmul(reshape(a, [-1, k]), b), [...a.shape.slice(0, -1), n]);
  }
  const batch = broadcastShapes('matmul', a2.shape.slice(0, -2), b2.shape.slice(0, -2));
  let out = mm(a2, b2, batch, m, n, k);
  out = record(out, 'matmul', [a2, b2], (g) => [
    !a2.requiresGrad ? null
      : batch.length === 0 && columnMajor(a2) ? transpose(mm(b2, transpose(g), [], k, m, n))
        : sumToShape(mm(g, transpose(b2), batch, m, k, n), a2.shape),
    !b2.requiresGrad ? null
      : batch.length === 0 && columnMajor(b2) ? transpose(mm(transpose(g), a2, [], n, k, m))
        : sumToShape(mm(transpose(a2), g, batch, k, n, m), b2.shape),
  ]);
  if (a.ndim === 1 && b.ndim === 1) return reshape(out, []);
  if (a.ndim === 1) return reshape(out, [...batch, n]);
  if (b.ndim === 1) return reshape(out, [...batch, m]);
  return out;
}

/**
 * A 2-D operand that is the transposed view of a dense matrix, as `linear` passes its weight.
 * Its gradient is then computed transposed, so it reaches the weight in the weight's own row-major
 * layout: accumulating it over time steps and copying it into .grad stay sequential passes
 * instead of strided ones.
 */
function columnMajor(t: Tensor): boolean {
  // strides[1] > shape[0]: the transpose of a column slice, as a decoder's input weights split by input part
  return t.ndim === 2 && t.shape[0] > 1 && t.shape[1] > 1 && t.strides[0] === 1 && t.strides[1] >= t.shape[0];
}

/** Unrecorded batched GEMM of [batch..., m, k] · [batch..., k, n]. */
function mm(
  a: Tensor, b: Tensor, batch: readonly number[], m: number, n: number, k: number,
  out: Tensor = empty([...batch, m, n], floatType(a, b)), beta = 0, alpha = 1,
): Tensor {
  const count = numel(batch);
  if (out.size === 0) return out;
  const A = operand(a, batch, m, k);
  const B = operand(b, batch, k, n);
  getBackend().gemm({
    transA: A.trans, transB: B.trans, m, n, k, alpha,
    a: A.data, aOffset: A.offset, lda: A.ld, strideA: A.stride,
    b: B.data, bOffset: B.offset, ldb: B.ld, strideB: B.stride,
    beta, c: out.data as Float32Array, cOffset: 0, ldc: n, strideC: m * n, batch: count,
  });
  return out;
}

/**
 * beta · input + alpha · (a @ b) for 2-D a [m, k] and b [k, n], input broadcastable to [m, n]
 * (torch.addmm). One GEMM that accumulates into the copied input: no separate product tensor,
 * scaling pass or addition pass.
 */
export function addmm(input: Tensor, a: Tensor, b: Tensor, opts: { alpha?: number; beta?: number } = {}): Tensor {
  const alpha = opts.alpha ?? 1, beta = opts.beta ?? 1;
  requireFloat('addmm', input, 'input');
  requireFloat('addmm', a, 'first operand');
  requireFloat('addmm', b, 'second operand');
  if (a.ndim !== 2 || b.ndim !== 2 || a.shape[1] !== b.shape[0]) {
    throw new Error(`addmm: cannot multiply ${fmtShape(a.shape)} by ${fmtShape(b.shape)} (expected 2-D [m,k] and [k,n])`);
  }
  const m = a.shape[0], k = a.shape[1], n = b.shape[1];
  const shape = broadcastShapes('addmm', input.shape, [m, n]);
  if (shape.length !== 2 || shape[0] !== m || shape[1] !== n) {
    throw new Error(`addmm: input of shape ${fmtShape(input.shape)} does not broadcast to the product's shape [${m},${n}]`);
  }
  const out = empty([m, n], floatType(input, a, b));
  if (beta !== 0) getBackend().copy(expandedView(input, [m, n]), out.data);
  mm(a, b, [], m, n, k, out, beta, alpha);
  return record(out, 'addmm', [input, a, b], (g) => [
    input.requiresGrad ? sumToShape(beta === 1 ? g : mulScalar(g, beta), input.shape) : null,
    a.requiresGrad ? mulScalar(columnMajor(a) ? transpose(mm(b, transpose(g), [], k, m, n)) : mm(g, transpose(b), [], m, k, n), alpha) : null,
    b.requiresGrad ? mulScalar(columnMajor(b) ? transpose(mm(transpose(g), a, [], n, k, m)) : mm(transpose(a), g, [], k, n, m), alpha) : null,
  ]);
}

function mulScalar(t: Tensor, s: number): Tensor {
  if (s === 1) return t;
  const out = empty(t.shape, floatType(t));
  getBackend().unary('mulScalar', t, out.data as Float32Array, s);
  return out;
}

/** Batched product of [B, m, k] and [B, k, n] (no broadcasting, as torch.bmm). */
export function bmm(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 3 || b.ndim !== 3 || a.shape[0] !== b.shape[0]) {
    throw new Error(`bmm: expected [B,m,k] and [B,k,n] with the same B, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  }
  return matmul(a, b);
}

/** Outer product of two vectors. */
export function outer(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 1 || b.ndim !== 1) throw new Error(`outer: expected two 1-D tensors, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  return matmul(reshape(a, [a.shape[0], 1]), reshape(b, [1, b.shape[0]]));
}

/** `t` seen as a [rows, cols] matrix without recording: a view when its layout allows, else a contiguous copy. */
function asMatrix(t: Tensor, rows: number, cols: number): Tensor {
  if (t.ndim === 2) return t;
  if (t.isContiguous()) return new Tensor(t.data, [rows, cols], [cols, 1], t.offset);
  return new Tensor(t.values(), [rows, cols]);
}

/**
 * x·Wᵀ + bias in one graph node (torch.nn.functional.linear; the bias may be any tensor that
 * broadcasts to the output, as torch.addmm's input, e.g. another projection to add to).
 * Shapes: x [..., in], weight [out, in] (any strides, e.g. a column slice of a larger weight),
 * bias [out] or broadcastable to [..., out] -> [..., out].
 * Backward: the weight's gradient gᵀ·x is computed in the weight's own layout, and when the pass
 * already holds a gradient sum for the weight (a weight used at every time step), the GEMM adds
 * into it (β = 1) instead of producing a new matrix to be added.
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  requireFloat('linear', x, 'input');
  requireFloat('linear', weight, 'weight');
  if (bias) requireFloat('linear', bias, 'bias');
  if (weight.ndim !== 2 || x.ndim < 1 || x.shape[x.ndim - 1] !== weight.shape[1]) {
    throw new Error(`linear: input ${fmtShape(x.shape)} does not match weight ${fmtShape(weight.shape)} (expected [..., in] and [out, in])`);
  }
  const [nOut, nIn] = weight.shape;
  const lead = x.shape.slice(0, -1);
  const rows = numel(lead);
  const outShape = [...lead, nOut];
  if (bias) {
    const bs = broadcastShapes('linear', bias.shape, outShape);
    if (bs.length !== outShape.length || bs.some((d, i) => d !== outShape[i])) {
      throw new Error(`linear: bias of shape ${fmtShape(bias.shape)} does not broadcast to the output's shape ${fmtShape(outShape)}`);
    }
  }
  const x2 = asMatrix(x, rows, nIn);
  const wT = new Tensor(weight.data, [nIn, nOut], [weight.strides[1], weight.strides[0]], weight.offset); // unrecorded view
  const out = empty(outShape, floatType(x, weight, bias));
  if (bias) getBackend().copy(expandedView(bias, outShape), out.data);
  if (nIn > 0) mm(x2, wT, [], rows, nOut, nIn, out, bias ? 1 : 0);
  return record(out, 'linear', bias ? [x, weight, bias] : [x, weight], (g, into) => {
    const g2 = asMatrix(g, rows, nOut);
    let dx: Tensor | null = null;
    if (x.requiresGrad) {
      dx = empty(x.shape, floatType(x));
      if (nOut > 0) mm(g2, new Tensor(weight.data, [nOut, nIn], weight.strides, weight.offset), [], rows, nIn, nOut, dx);
    }
    let dw: Tensor | null = null;
    if (weight.requiresGrad) {
      const acc = into[1];
      dw = acc && acc.shape.length === 2 && acc.shape[0] === nOut && acc.shape[1] === nIn ? acc : empty([nOut, nIn], floatType(weight));
      const gT = new Tensor(g2.data, [nOut, rows], [g2.strides[1], g2.strides[0]], g2.offset);
      if (rows > 0) mm(gT, x2, [], nOut, nIn, rows, dw, dw === acc ? 1 : 0);
    }
    return [dx, dw, bias && bias.requiresGrad ? sumToShape(g, bias.shape) : null];
  });
}
