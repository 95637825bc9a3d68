/**
 * Spatial pooling and nearest-neighbour upsampling over NCHW tensors, PyTorch semantics.
 * Max and average pooling run on the backend's pooling kernels; adaptive average pooling and
 * upsampling are expressed through GEMM and index-select kernels so no op loops over elements.
 */
import type { Pool2dGeometry } from '../../backend/backend.js';
import { getBackend } from '../../backend/registry.js';
import { Tensor } from '../../tensor/tensor.js';
import { fmtShape } from '../../tensor/shape.js';
import { record } from '../engine.js';
import { empty, requireFloat, floatType } from '../helpers.js';
import { fmtPair, pair, withBatch, type IntPair } from './vision-args.js';

export interface MaxPool2dOptions {
  /** default: the kernel size */
  stride?: IntPair;
  /** implicit -∞ padding on both sides, at most half the kernel (default 0) */
  padding?: IntPair;
  /** only 1 is supported (the default) */
  dilation?: IntPair;
  /** round the output size up instead of down, as torch's ceil_mode (default false) */
  ceilMode?: boolean;
}

export interface AvgPool2dOptions {
  /** default: the kernel size */
  stride?: IntPair;
  /** implicit zero padding on both sides, at most half the kernel (default 0) */
  padding?: IntPair;
  /** round the output size up instead of down (default false) */
  ceilMode?: boolean;
  /** divide by the full window size including padding (default true, as torch) */
  countIncludePad?: boolean;
}

/** Output size of `upsampleNearest`: a scale factor (output = floor(input · scale)) or a size. */
export type UpsampleOptions = { scaleFactor: number | readonly [number, number]; size?: undefined } | { size: IntPair; scaleFactor?: undefined };

/** torch's pooling output size, including the ceil-mode rule that the last window must start inside the input or left padding. */
function poolOut(size: number, k: number, s: number, p: number, ceil: boolean): number {
  const span = size + 2 * p - k;
  let out = (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  if (ceil && (out - 1) * s >= size + p) out--;
  return out;
}

/** Checks pooling arguments (errors name `op`) and derives the geometry over an [N, C, H, W] input. */
export function poolGeometry(op: string, shape: readonly number[], kernel: IntPair, stride: IntPair | undefined, padding: IntPair, ceil: boolean): Pool2dGeometry {
  const k = pair(op, 'kernel', kernel, 1);
  const s = stride === undefined ? k : pair(op, 'stride', stride, 1);
  const p = pair(op, 'padding', padding, 0);
  if (2 * p[0] > k[0] || 2 * p[1] > k[1]) {
    throw new Error(`${op}: padding ${fmtPair(p)} must be at most half the kernel ${fmtPair(k)}`);
  }
  const [n, c, h, w] = shape;
  const outH = poolOut(h, k[0], s[0], p[0], ceil);
  const outW = poolOut(w, k[1], s[1], p[1], ceil);
  if (outH <= 0 || outW <= 0) {
    throw new Error(
      `${op}: output size would be ${outH}x${outW} for input ${h}x${w} with kernel ${fmtPair(k)}, padding ${fmtPair(p)}, stride ${fmtPair(s)}`,
    );
  }
  return { n, c, h, w, kh: k[0], kw: k[1], strideH: s[0], strideW: s[1], padH: p[0], padW: p[1], outH, outW };
}

/**
 * Max pooling (torch.nn.functional.max_pool2d). Padding counts as -∞.
 * Shapes: [N, C, H, W] (or [C, H, W]) -> [N, C, Ho, Wo], Ho = floor((H + 2·padding - kernel) / stride) + 1.
 * The gradient goes to the first maximum of each window (NaN counts as a maximum).
 */
export function maxPool2d(x: Tensor, kernelSize: IntPair, options: MaxPool2dOptions = {}): Tensor {
  const op = 'maxPool2d';
  requireFloat(op, x);
  const d = pair(op, 'dilation', options.dilation ?? 1, 1);
  if (d[0] !== 1 || d[1] !== 1) throw new Error(`${op}: dilation ${fmtPair(d)} is not supported (only 1)`);
  return withBatch(op, x, (x4) => {
    const g = poolGeometry(op, x4.shape, kernelSize, options.stride, options.padding ?? 0, options.ceilMode ?? false);
    const out = empty([g.n, g.c, g.outH, g.outW], floatType(x4));
    const argmax = getBackend().alloc('int32', out.size) as Int32Array;
    getBackend().maxPool2d(x4.values() as Float32Array, g, out.data as Float32Array, argmax);
    return record(out, op, [x4], (grad) => {
      const dx = empty(x4.shape, floatType(x4));
      getBackend().maxPool2dBackward(grad.values() as Float32Array, argmax, g, dx.data as Float32Array);
      return [dx];
    });
  });
}

/**
 * Average pooling (torch.nn.functional.avg_pool2d). With `countIncludePad` (default) every window
 * divides by its size clipped to the padded input; otherwise by the number of real input cells.
 * Shapes: [N, C, H, W] (or [C, H, W]) -> [N, C, Ho, Wo], as maxPool2d.
 */
export function avgPool2d(x: Tensor, kernelSize: IntPair, options: AvgPool2dOptions = {}): Tensor {
  const op = 'avgPool2d';
  requireFloat(op, x);
  const includePad = options.countIncludePad ?? true;
  return withBatch(op, x, (x4) => {
    const g = poolGeometry(op, x4.shape, kernelSize, options.stride, options.padding ?? 0, options.ceilMode ?? false);
    return avgPoolWith(op, x4, g, includePad);
  });
}

function avgPoolWith(op: string, x: Tensor, g: Pool2dGeometry, includePad: boolean): Tensor {
  const out = empty([g.n, g.c, g.outH, g.outW], floatType(x));
  getBackend().avgPool2d(x.values() as Float32Array, g, includePad, out.data as Float32Array);
  return record(out, op, [x], (grad) => {
    const dx = empty(x.shape, floatType(x));
    getBackend().avgPool2dBackward(grad.values() as Float32Array, g, includePad, dx.data as Float32Array);
    return [dx];
  });
}

/**
 * Averaging matrix [out, size]: row i holds 1/len over torch's adaptive window
 * [floor(i·size/out), ceil((i+1)·size/out)).
 */
function adaptiveMatrix(size: number, out: number, dtype: 'float32' | 'float64'): Float32Array {
  const m = getBackend().alloc(dtype, out * size) as Float32Array;
  for (let i = 0; i < out; i++) {
    const start = Math.floor((i * size) / out);
    const end = Math.ceil(((i + 1) * size) / out);
    for (let j = start; j < end; j++) m[i * size + j] = 1 / (end - start);
  }
  return m;
}

/**
 * Adaptive average pooling (torch.nn.functional.adaptive_avg_pool2d) to `outputSize`
 * (a number for a square output; null in a pair keeps that input size).
 * Shapes: [N, C, H, W] (or [C, H, W]) -> [N, C, outH, outW].
 */
export function adaptiveAvgPool2d(x: Tensor, outputSize: number | readonly [number | null, number | null]): Tensor {
  const op = 'adaptiveAvgPool2d';
  requireFloat(op, x);
  return withBatch(op, x, (x4) => {
    const [n, c, h, w] = x4.shape;
    const req = typeof outputSize === 'number' ? [outputSize, outputSize] : [outputSize[0] ?? h, outputSize[1] ?? w];
    const [oh, ow] = pair(op, 'outputSize', req as [number, number], 1);
    if (h === 0 || w === 0) throw new Error(`${op}: input ${fmtShape(x4.shape)} has an empty spatial dimension`);
    if (h % oh === 0 && w % ow === 0) {
      // equal windows: plain average pooling with kernel = stride = size / out
      const g: Pool2dGeometry = { n, c, h, w, kh: h / oh, kw: w / ow, strideH: h / oh, strideW: w / ow, padH: 0, padW: 0, outH: oh, outW: ow };
      return avgPoolWith(op, x4, g, true);
    }
    // separable: out[p] = Ah · x[p] · Awᵀ, two GEMMs
    const dtype = floatType(x4);
    const ah = adaptiveMatrix(h, oh, dtype); // (oh, h)
    const aw = adaptiveMatrix(w, ow, dtype); // (ow, w)
    const planes = n * c;
    const be = getBackend();
    const xv = x4.values() as Float32Array;
    const tmp = be.alloc(dtype, planes * h * ow) as Float32Array; // (P·h, ow) = x · Awᵀ
    be.gemm({
      transA: false, transB: true, m: planes * h, n: ow, k: w, alpha: 1,
      a: xv, aOffset: 0, lda: w, strideA: 0, b: aw, bOffset: 0, ldb: w, strideB: 0,
      beta: 0, c: tmp, cOffset: 0, ldc: ow, strideC: 0, batch: 1,
    });
    const out = empty([n, c, oh, ow], dtype);
    be.gemm({
      transA: false, transB: false, m: oh, n: ow, k: h, alpha: 1,
      a: ah, aOffset: 0, lda: h, strideA: 0, b: tmp, bOffset: 0, ldb: ow, strideB: h * ow,
      beta: 0, c: out.data as Float32Array, cOffset: 0, ldc: ow, strideC: oh * ow, batch: planes,
    });
    return record(out, op, [x4], (grad) => {
      const gv = grad.values() as Float32Array; // (P, oh, ow)
      const gt = be.alloc(dtype, planes * h * ow) as Float32Array; // (P, h, ow) = Ahᵀ · g[p]
      be.gemm({
        transA: true, transB: false, m: h, n: ow, k: oh, alpha: 1,
        a: ah, aOffset: 0, lda: h, strideA: 0, b: gv, bOffset: 0, ldb: ow, strideB: oh * ow,
        beta: 0, c: gt, cOffset: 0, ldc: ow, strideC: h * ow, batch: planes,
      });
      const dx = empty(x4.shape, floatType(x4)); // (P·h, w) = gt · Aw
      be.gemm({
        transA: false, transB: false, m: planes * h, n: w, k: ow, alpha: 1,
        a: gt, aOffset: 0, lda: ow, strideA: 0, b: aw, bOffset: 0, ldb: w, strideB: 0,
        beta: 0, c: dx.data as Float32Array, cOffset: 0, ldc: w, strideC: 0, batch: 1,
      });
      return [dx];
    });
  });
}

/**
 * Source index of each output position for torch's 'nearest' mode: floor(dst · scale) in float32,
 * where scale is 1/scaleFactor when a factor was given and in/out otherwise (torch's own rounding,
 * so non-integer factors pick the same pixels as PyTorch).
 */
function nearestIndex(inSize: number, outSize: number, scaleFactor: number | null): Int32Array {
  const idx = new Int32Array(outSize);
  const scale = Math.fround(scaleFactor !== null ? 1 / scaleFactor : inSize / outSize);
  for (let i = 0; i < outSize; i++) {
    if (outSize === inSize) idx[i] = i;
    else if (outSize === 2 * inSize) idx[i] = i >> 1;
    else idx[i] = Math.min(Math.floor(Math.fround(i * scale)), inSize - 1);
  }
  return idx;
}

/**
 * Nearest-neighbour upsampling (torch.nn.functional.interpolate, mode 'nearest') of 4-D input.
 * Give `scaleFactor` (output = floor(input · factor)) or `size`.
 * Shapes: [N, C, H, W] -> [N, C, outH, outW]. Each output copies input[floor(dst · in/out)].
 */
export function upsampleNearest(x: Tensor, options: UpsampleOptions): Tensor {
  const op = 'upsampleNearest';
  requireFloat(op, x);
  if (x.ndim !== 4) throw new Error(`${op}: expected input of shape [N,C,H,W], got ${fmtShape(x.shape)}`);
  const [n, c, h, w] = x.shape;
  const hasScale = options.scaleFactor !== undefined, hasSize = options.size !== undefined;
  if (hasScale === hasSize) throw new Error(`${op}: give exactly one of scaleFactor and size`);
  let oh: number, ow: number;
  let factors: [number | null, number | null] = [null, null];
  if (hasSize) {
    [oh, ow] = pair(op, 'size', options.size!, 1);
  } else {
    const sf = options.scaleFactor!;
    factors = typeof sf === 'number' ? [sf, sf] : [sf[0], sf[1]];
    for (const f of factors) {
      if (typeof f !== 'number' || !Number.isFinite(f) || f <= 0) throw new Error(`${op}: scaleFactor must be positive, got ${JSON.stringify(sf)}`);
    }
    oh = Math.floor(h * factors[0]!);
    ow = Math.floor(w * factors[1]!);
    if (oh <= 0 || ow <= 0) throw new Error(`${op}: output size would be ${oh}x${ow} for input ${h}x${w} with scaleFactor ${JSON.stringify(sf)}`);
  }
  const ih = nearestIndex(h, oh, factors[0]);
  const iw = nearestIndex(w, ow, factors[1]);
  const planes = n * c;
  const be = getBackend();
  const rows = be.alloc(floatType(x), planes * oh * w); // (P, oh, w)
  be.indexSelect(x.values(), planes, h, w, ih, rows);
  const out = empty([n, c, oh, ow], floatType(x));
  be.indexSelect(rows, planes * oh, w, 1, iw, out.data);
  return record(out, op, [x], (grad) => {
    const gRows = be.alloc(floatType(x), planes * oh * w) as Float32Array;
    be.indexAdd(grad.values() as Float32Array, planes * oh, w, 1, iw, gRows);
    const dx = empty(x.shape, floatType(x));
    be.indexAdd(gRows, planes, h, w, ih, dx.data as Float32Array);
    return [dx];
  });
}
