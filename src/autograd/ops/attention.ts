/**
 * Scaled dot-product attention as one graph node:
 *   weights = softmax(q·kᵀ·scale + mask) by rows (causal: key j > query i masked),
 *   out = dropout(weights)·v.
 * Shapes: q [..., L, E], k [..., S, E], v [..., S, Ev] (the same leading dims) -> out [..., L, Ev].
 * The kernels read strided operands (any leading-dim strides, rows contiguous), so the heads of a
 * projected [N, L, H, Dh] tensor are attended to in place, and the output and the gradients are
 * laid out in their operand's dimension order: permuting them back to [N, L, H, Dh] is free.
 */
import type { SdpaArgs } from '../../backend/backend.js';
import { getBackend } from '../../backend/registry.js';
import { defaultGenerator, type Generator } from '../../tensor/rng.js';
import { Tensor } from '../../tensor/tensor.js';
import { fmtShape, numel } from '../../tensor/shape.js';
import { record } from '../engine.js';
import { castTo, empty, expandedView, floatType, requireFloat } from '../helpers.js';
import { contiguous } from './view.js';

export interface AttentionOptions {
  /**
   * Broadcastable to [..., L, S]. An int32 tensor is boolean: nonzero = masked (as torch's bool
   * masks). A float tensor is added to the scores (0 or -Infinity, or any bias), in the precision
   * of q, k and v. Carries no gradient.
   */
  mask?: Tensor | null;
  /** Masks key j for query i when j > i (torch's is_causal, top-left aligned). */
  causal?: boolean;
  /** Dropout probability on the weights (0: none). Pass 0 outside training. */
  dropout?: number;
  /** Multiplies q·kᵀ; default 1/√E. */
  scale?: number;
  /** Generator for the dropout mask (default: the global one). */
  generator?: Generator;
  /**
   * A contiguous tensor that some of q, k, v are (untracked) views of, such as the [L, N, 3E]
   * output of one joint projection: their gradient is then written into one buffer of its shape
   * and flows to it, instead of to the views as separate tensors.
   */
  packed?: Tensor | null;
}

/** Output [..., L, Ev]; see scaledDotProductAttentionWithWeights for the weights too. */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, opts: AttentionOptions = {}): Tensor {
  return attend(q, k, v, opts, false).output;
}

/**
 * Output [..., L, Ev] and the attention weights [..., L, S] (contiguous, after dropout as torch
 * returns them; they carry no gradient).
 */
export function scaledDotProductAttentionWithWeights(
  q: Tensor, k: Tensor, v: Tensor, opts: AttentionOptions = {},
): { output: Tensor; weights: Tensor } {
  const r = attend(q, k, v, opts, true);
  return { output: r.output, weights: r.weights! };
}

const OP = 'scaledDotProductAttention';

function attend(q: Tensor, k: Tensor, v: Tensor, opts: AttentionOptions, wantWeights: boolean): { output: Tensor; weights: Tensor | null } {
  requireFloat(OP, q, 'q');
  requireFloat(OP, k, 'k');
  requireFloat(OP, v, 'v');
  const nd = q.ndim;
  const lead = q.shape.slice(0, -2);
  const sameLead = (t: Tensor) => t.ndim === nd && t.shape.slice(0, -2).every((d, i) => d === lead[i]);
  if (nd < 2 || !sameLead(k) || !sameLead(v) || k.shape[nd - 1] !== q.shape[nd - 1] || v.shape[nd - 2] !== k.shape[nd - 2]) {
    throw new Error(`${OP}: expected q [..., L, E], k [..., S, E], v [..., S, Ev] with the same leading dims; got q ${fmtShape(q.shape)}, k ${fmtShape(k.shape)}, v ${fmtShape(v.shape)}`);
  }
  const p = opts.dropout ?? 0;
  if (!(p >= 0 && p < 1)) throw new Error(`${OP}: dropout must be in [0, 1), got ${p}`);
  const packed = opts.packed ?? null;
  const inPacked = (t: Tensor) => packed !== null && t.data === packed.data;
  if (packed && (!packed.isContiguous() || !(inPacked(q) || inPacked(k) || inPacked(v)))) {
    throw new Error(`${OP}: packed ${fmtShape(packed.shape)} must be contiguous and hold some of q, k, v`);
  }
  // rows must be contiguous for the kernels; anything else is copied (through the graph)
  const rows = (t: Tensor, what: string) => {
    if (t.strides[nd - 1] === 1 || t.shape[nd - 1] === 1) return t;
    if (inPacked(t)) throw new Error(`${OP}: ${what} is a view of packed with non-contiguous rows (strides ${fmtShape(t.strides)})`);
    return contiguous(t);
  };
  q = rows(q, 'q');
  k = rows(k, 'k');
  v = rows(v, 'v');
  const L = q.shape[nd - 2], S = k.shape[nd - 2], E = q.shape[nd - 1], Ev = v.shape[nd - 1];
  const scale = opts.scale ?? 1 / Math.sqrt(E);
  const batch = numel(lead);
  const be = getBackend();
  // float64 when any of q, k, v is: outputs, weights, dropout multipliers and the mask then hold
  // doubles (the native kernel is float32 only; the backend routes such calls to the reference)
  const dt = floatType(q, k, v);

  const { mask, maskOff, maskRow, maskCol } = maskView(opts.mask ?? null, lead, L, S, dt);
  let drop: Float32Array | null = null;
  if (p > 0) {
    const g = opts.generator ?? defaultGenerator;
    drop = be.alloc(dt, batch * L * S) as Float32Array;
    const keep = 1 - p, inv = 1 / keep;
    for (let i = 0; i < drop.length; i++) drop[i] = g.random() < keep ? inv : 0;
  }
  const args: SdpaArgs = {
    batch, l: L, s: S, e: E, ev: Ev,
    q: q.data as Float32Array, qOff: batchOffsets(q), qRow: q.strides[nd - 2],
    k: k.data as Float32Array, kOff: batchOffsets(k), kRow: k.strides[nd - 2],
    v: v.data as Float32Array, vOff: batchOffsets(v), vRow: v.strides[nd - 2],
    scale, mask, maskOff, maskRow, maskCol, causal: opts.causal ?? false, drop,
    weights: be.alloc(dt, batch * L * S) as Float32Array,
  };
  const out = likeLayout(q, Ev, dt);
  be.sdpa(args, out.data as Float32Array, batchOffsets(out), out.strides[nd - 2]);
  const own = [q, k, v].filter((t) => !inPacked(t));
  record(out, OP, packed ? [packed, ...own] : [q, k, v], (grad) => {
    const go = grad.strides[nd - 1] === 1 || Ev === 1 ? grad : contiguous(grad);
    const gp = packed ? empty(packed.shape, dt) : null;
    const grads: Tensor[] = [];
    // a gradient laid out as t: into the packed buffer at t's own positions, or a tensor of its own
    const target = (t: Tensor, last: number) => {
      if (inPacked(t)) {
        const off = batchOffsets(t);
        for (let b = 0; b < off.length; b++) off[b] -= packed!.offset;
        return { data: gp!.data as Float32Array, off, row: t.strides[nd - 2] };
      }
      const g = likeLayout(t, last, dt);
      grads.push(g);
      return { data: g.data as Float32Array, off: batchOffsets(g), row: g.strides[nd - 2] };
    };
    const dq = target(q, E), dk = target(k, E), dv = target(v, Ev);
    be.sdpaBackward(args, {
      dOut: go.data as Float32Array, dOutOff: batchOffsets(go), dOutRow: go.strides[nd - 2],
      dq: dq.data, dqOff: dq.off, dqRow: dq.row, dk: dk.data, dkOff: dk.off, dkRow: dk.row, dv: dv.data, dvOff: dv.off, dvRow: dv.row,
    });
    return gp ? [gp, ...grads] : grads;
  });
  let weights: Tensor | null = null;
  if (wantWeights) {
    const w = args.weights;
    if (drop) {
      const wd = be.alloc(dt, w.length) as Float32Array;
      for (let i = 0; i < w.length; i++) wd[i] = w[i] * drop[i];
      weights = new Tensor(wd, [...lead, L, S]);
    } else {
      weights = new Tensor(w, [...lead, L, S]);
    }
  }
  return { output: out, weights };
}

/** Storage offset of each matrix (the last two dims) of `t`, in row-major order of the leading dims. */
function batchOffsets(t: { shape: readonly number[]; strides: readonly number[]; offset: number }): Int32Array {
  const nb = t.shape.length - 2;
  const n = numel(t.shape.slice(0, nb));
  const out = new Int32Array(n);
  const idx = new Array<number>(nb).fill(0);
  let off = t.offset;
  for (let b = 0; b < n; b++) {
    out[b] = off;
    for (let d = nb - 1; d >= 0; d--) {
      idx[d]++;
      off += t.strides[d];
      if (idx[d] < t.shape[d]) break;
      off -= idx[d] * t.strides[d];
      idx[d] = 0;
    }
  }
  return out;
}

/**
 * A fresh tensor shaped like `t` with last dim `last`, stored in `t`'s dimension order (leading
 * dims and rows by decreasing stride; the last dim innermost).
 */
function likeLayout(t: Tensor, last: number, dtype: 'float32' | 'float64'): Tensor {
  const nd = t.ndim;
  const shape = [...t.shape.slice(0, -1), last];
  const order = Array.from({ length: nd - 1 }, (_, i) => i).sort((a, b) => t.strides[b] - t.strides[a] || a - b);
  const strides = new Array<number>(nd);
  strides[nd - 1] = 1;
  let s = last;
  for (let r = order.length - 1; r >= 0; r--) {
    strides[order[r]] = s;
    s *= shape[order[r]];
  }
  return new Tensor(getBackend().alloc(dtype, numel(shape)), shape, strides, 0);
}

/** A mask in additive form: int32 (boolean) nonzero -> -Infinity, zero -> 0; a float mask as it is. */
export function additiveMask(mask: Tensor): Tensor {
  if (mask.dtype !== 'int32') return mask;
  const src = mask.values();
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = src[i] !== 0 ? -Infinity : 0;
  return new Tensor(out, mask.shape.slice());
}

/** The mask as an additive view in `dtype` broadcast to [...lead, L, S]. */
function maskView(
  m: Tensor | null, lead: readonly number[], L: number, S: number, dtype: 'float32' | 'float64',
): Pick<SdpaArgs, 'mask' | 'maskOff' | 'maskRow' | 'maskCol'> {
  if (!m) return { mask: null, maskOff: null, maskRow: 0, maskCol: 0 };
  const full = [...lead, L, S];
  let t: Tensor = m;
  if (m.dtype === 'int32') {
    const src = m.values();
    t = empty(m.shape, dtype);
    const add = t.data;
    for (let i = 0; i < src.length; i++) add[i] = src[i] !== 0 ? -Infinity : 0;
  } else {
    t = castTo(m, dtype);
  }
  if (t.ndim > full.length) throw new Error(`${OP}: mask ${fmtShape(m.shape)} has more dims than the scores ${fmtShape(full)}`);
  let view;
  try {
    view = expandedView(t, full);
  } catch {
    throw new Error(`${OP}: mask ${fmtShape(m.shape)} does not broadcast to the scores ${fmtShape(full)}`);
  }
  const nd = full.length;
  return { mask: t.data as Float32Array, maskOff: batchOffsets(view), maskRow: view.strides[nd - 2], maskCol: view.strides[nd - 1] };
}
