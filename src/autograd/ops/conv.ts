/**
 * 2-D convolution and its adjoint (transposed convolution), NCHW, PyTorch semantics and layouts.
 *
 * Both are built from three unrecorded primitives on contiguous float32 arrays, each an im2col /
 * col2im kernel plus one GEMM per group (batched over the images, the weight broadcast with
 * strideA 0):
 *   convForward     out  = W · im2col(x)            (conv2d forward, convTranspose2d dX)
 *   convInputGrad   dX   = col2im(Wᵀ · dY)          (conv2d dX, convTranspose2d forward)
 *   convWeightGrad  dW   = Σₙ dY[n] · colsᵀ[n]      (both dW)
 * A transposed convolution from [N,Cin,H,W] to [N,Cout,Ho,Wo] is the adjoint of the convolution
 * from [N,Cout,Ho,Wo] to [N,Cin,H,W] with the same weight tensor, so it reuses the same geometry.
 */
import type { Conv2dGeometry } from '../../backend/backend.js';
import { getBackend } from '../../backend/registry.js';
import { Tensor } from '../../tensor/tensor.js';
import { fmtShape } from '../../tensor/shape.js';
import { record } from '../engine.js';
import { empty, expandedView, requireFloat, floatType } from '../helpers.js';
import { fmtPair, pair, withBatch, type IntPair } from './vision-args.js';

export type { IntPair } from './vision-args.js';

export interface Conv2dOptions {
  /** default 1 */
  stride?: IntPair;
  /** zero padding on both sides (default 0); 'valid' is 0, 'same' keeps H and W (stride 1 only) */
  padding?: IntPair | 'valid' | 'same';
  /** spacing between kernel taps (default 1) */
  dilation?: IntPair;
  /** channels are split into this many independent groups (default 1) */
  groups?: number;
}

export interface ConvTranspose2dOptions {
  /** default 1 */
  stride?: IntPair;
  /** the conv2d padding this op is the adjoint of: the output loses `padding` rows/columns on each side (default 0) */
  padding?: IntPair;
  /** extra rows/columns added to one side of the output to pick among the sizes a strided conv maps from (default 0) */
  outputPadding?: IntPair;
  /** default 1 */
  dilation?: IntPair;
  /** default 1 */
  groups?: number;
}

/** Conv2dGeometry plus the derived sizes the GEMMs need. */
export interface Geo extends Conv2dGeometry {
  /** input and output channels per group */
  cInG: number;
  cOutG: number;
  /** rows of one group's block of columns: cInG·kh·kw */
  K: number;
  /** output positions per image: outH·outW */
  L: number;
  /** im2col would be the identity (1x1 kernel, stride 1, no padding) */
  pointwise: boolean;
}

function makeGeo(g: Conv2dGeometry): Geo {
  const cInG = g.cIn / g.groups;
  const pointwise = g.kh === 1 && g.kw === 1 && g.strideH === 1 && g.strideW === 1 && g.padH === 0 && g.padW === 0;
  return { ...g, cInG, cOutG: g.cOut / g.groups, K: cInG * g.kh * g.kw, L: g.outH * g.outW, pointwise };
}

function checkGroups(op: string, groups: number): void {
  if (!Number.isInteger(groups) || groups < 1) throw new Error(`${op}: groups must be a positive integer, got ${groups}`);
}

function checkBias(op: string, bias: Tensor | null | undefined, cOut: number): void {
  if (bias == null) return;
  requireFloat(op, bias, 'bias');
  if (bias.ndim !== 1 || bias.shape[0] !== cOut) {
    throw new Error(`${op}: bias must have shape [${cOut}] (one value per output channel), got ${fmtShape(bias.shape)}`);
  }
}

// ---- unrecorded primitives on contiguous arrays -------------------------------------------------

/** Scratch of `n` zeros in the precision of `like` (float64 storage keeps float64). */
export function allocLike(like: Float32Array, n: number): Float32Array {
  return getBackend().alloc(like instanceof Float64Array ? 'float64' : 'float32', n) as Float32Array;
}

/** Columns [N, Cin·kh·kw, L] of images `x` [N, Cin, H, W] (x itself for pointwise convolutions). */
export function im2col(x: Float32Array, g: Geo): Float32Array {
  if (g.pointwise) return x;
  const cols = allocLike(x, g.n * g.cIn * g.kh * g.kw * g.L);
  getBackend().im2col(x, g, cols);
  return cols;
}

/** out [N, Cout, L] = W · cols per group; beta 1 keeps what `out` holds (a broadcast bias). */
export function convForward(cols: Float32Array, w: Float32Array, g: Geo, out: Float32Array, beta: 0 | 1): void {
  if (g.n === 0 || g.cOutG === 0) return;
  for (let gi = 0; gi < g.groups; gi++) {
    getBackend().gemm({
      transA: false, transB: false, m: g.cOutG, n: g.L, k: g.K, alpha: 1,
      a: w, aOffset: gi * g.cOutG * g.K, lda: g.K, strideA: 0,
      b: cols, bOffset: gi * g.K * g.L, ldb: g.L, strideB: g.cIn * g.kh * g.kw * g.L,
      beta, c: out, cOffset: gi * g.cOutG * g.L, ldc: g.L, strideC: g.cOut * g.L, batch: g.n,
    });
  }
}

/** Accumulates col2im(Wᵀ · dy) into `dx` [N, Cin, H, W]; `dx` holds zeros or a broadcast bias. */
export function convInputGrad(dy: Float32Array, w: Float32Array, g: Geo, dx: Float32Array, scratch?: Float32Array): void {
  if (g.n === 0 || g.cIn === 0) return;
  const rows = g.cIn * g.kh * g.kw;
  // pointwise: the columns are the image, so the GEMM can add straight into dx
  const dcols = g.pointwise ? dx : (scratch ?? allocLike(dx, g.n * rows * g.L));
  for (let gi = 0; gi < g.groups; gi++) {
    getBackend().gemm({
      transA: true, transB: false, m: g.K, n: g.L, k: g.cOutG, alpha: 1,
      a: w, aOffset: gi * g.cOutG * g.K, lda: g.K, strideA: 0,
      b: dy, bOffset: gi * g.cOutG * g.L, ldb: g.L, strideB: g.cOut * g.L,
      beta: g.pointwise ? 1 : 0, c: dcols, cOffset: gi * g.K * g.L, ldc: g.L, strideC: rows * g.L, batch: g.n,
    });
  }
  if (!g.pointwise) getBackend().col2im(dcols, g, dx);
}

/** dW [Cout, Cin/groups, kh, kw] = Σₙ dy[n] · cols[n]ᵀ per group; with `accumulate`, added to what `into` holds. */
export function convWeightGrad(dy: Float32Array, cols: Float32Array, g: Geo, into?: Float32Array, accumulate = false): Float32Array {
  const dw = into ?? allocLike(dy, g.cOut * g.K);
  const rows = g.cIn * g.kh * g.kw;
  // Few rows per filter (a first layer: K = 9 for one input channel): the GEMM's n would be K,
  // too narrow for its register tiles, so dWᵀ = Σₙ cols[n] · dy[n]ᵀ is computed instead (its
  // n is Cout) and transposed at the end; 2.4x faster for K 9, Cout 32, 84x84 images.
  const transposed = g.K < g.cOutG;
  const c = transposed ? allocLike(dy, g.cOut * g.K) : dw;
  // one GEMM per image: a batched GEMM cannot sum over its batch, and per-image partial weights
  // would cost N times the weight's memory
  for (let b = 0; b < g.n; b++) {
    for (let gi = 0; gi < g.groups; gi++) {
      const dyOffset = (b * g.cOut + gi * g.cOutG) * g.L, colsOffset = (b * rows + gi * g.K) * g.L;
      const beta = b === 0 && (transposed || !accumulate) ? 0 : 1;
      getBackend().gemm(transposed
        ? {
          transA: false, transB: true, m: g.K, n: g.cOutG, k: g.L, alpha: 1,
          a: cols, aOffset: colsOffset, lda: g.L, strideA: 0,
          b: dy, bOffset: dyOffset, ldb: g.L, strideB: 0,
          beta, c, cOffset: gi * g.cOutG * g.K, ldc: g.cOutG, strideC: 0, batch: 1,
        }
        : {
          transA: false, transB: true, m: g.cOutG, n: g.K, k: g.L, alpha: 1,
          a: dy, aOffset: dyOffset, lda: g.L, strideA: 0,
          b: cols, bOffset: colsOffset, ldb: g.L, strideB: 0,
          beta, c: dw, cOffset: gi * g.cOutG * g.K, ldc: g.K, strideC: 0, batch: 1,
        });
    }
  }
  if (transposed && g.n > 0) {
    // group gi's block of c is [K, cOutG]; dw's is [cOutG, K]
    for (let gi = 0; gi < g.groups; gi++) {
      const base = gi * g.cOutG * g.K;
      for (let o = 0; o < g.cOutG; o++) {
        for (let k = 0; k < g.K; k++) {
          const v = c[base + k * g.cOutG + o];
          dw[base + o * g.K + k] = accumulate ? dw[base + o * g.K + k] + v : v;
        }
      }
    }
  }
  return dw;
}

/** Σ over images and positions of dy [N, C, L] -> [C] (the bias gradient). */
export function channelSum(dy: Float32Array, n: number, c: number, l: number): Tensor {
  const perImage = allocLike(dy, n * c);
  getBackend().reduce('sum', dy, n * c, l, 1, perImage);
  const out = new Tensor(allocLike(dy, c), [c]);
  getBackend().reduce('sum', perImage, 1, n, c, out.data);
  return out;
}

/** Fills `out` [N, C, L] with bias[c] so a GEMM (beta 1) or col2im can add onto it. */
function fillBias(bias: Tensor, n: number, c: number, l: number, out: Float32Array): void {
  getBackend().copy(expandedView(new Tensor(bias.values(), [1, c, 1]), [n, c, l]), out);
}

function reshapeGrad(data: Float32Array, shape: readonly number[]): Tensor {
  return new Tensor(data, shape.slice());
}

// ---- conv2d -------------------------------------------------------------------------------------

function outSize(size: number, k: number, s: number, p: number, d: number): number {
  return Math.floor((size + 2 * p - d * (k - 1) - 1) / s) + 1;
}

/**
 * 2-D convolution (cross-correlation, as torch.nn.functional.conv2d).
 *
 * Shapes: x [N, Cin, H, W] (or unbatched [Cin, H, W]), weight [Cout, Cin/groups, kH, kW],
 * bias [Cout] -> [N, Cout, Ho, Wo] with Ho = floor((H + 2·padding - dilation·(kH-1) - 1) / stride) + 1.
 */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, options: Conv2dOptions = {}): Tensor {
  const op = 'conv2d';
  requireFloat(op, x);
  requireFloat(op, weight, 'weight');
  if (weight.ndim !== 4) throw new Error(`${op}: weight must be 4-D [Cout, Cin/groups, kH, kW], got ${fmtShape(weight.shape)}`);
  return withBatch(op, x, (x4) => conv2dBatched(x4, weight, bias ?? null, options));
}

/** Checks conv2d's arguments (errors name `op`) and derives the geometry of x [N, Cin, H, W] * weight. */
export function conv2dGeometry(op: string, x: Tensor, weight: Tensor, bias: Tensor | null, options: Conv2dOptions): Geo {
  const [n, cIn, h, w] = x.shape;
  const [cOut, cInG, kh, kw] = weight.shape;
  const groups = options.groups ?? 1;
  checkGroups(op, groups);
  if (cInG * groups !== cIn) {
    throw new Error(`${op}: input has ${cIn} channels but weight expects ${cInG * groups} (weight shape ${fmtShape(weight.shape)}, groups ${groups})`);
  }
  if (cOut % groups !== 0) {
    throw new Error(`${op}: out channels ${cOut} (weight shape ${fmtShape(weight.shape)}) are not divisible by groups ${groups}`);
  }
  checkBias(op, bias, cOut);
  const stride = pair(op, 'stride', options.stride ?? 1, 1);
  const dilation = pair(op, 'dilation', options.dilation ?? 1, 1);
  const padding = convPadding(op, options.padding ?? 0, stride, dilation, [kh, kw]);
  const outH = outSize(h, kh, stride[0], padding[0], dilation[0]);
  const outW = outSize(w, kw, stride[1], padding[1], dilation[1]);
  if (outH <= 0 || outW <= 0) {
    throw new Error(
      `${op}: output size would be ${outH}x${outW} for input ${h}x${w} with kernel ${fmtPair([kh, kw])}, ` +
        `padding ${fmtPair(padding)}, dilation ${fmtPair(dilation)}, stride ${fmtPair(stride)}`,
    );
  }
  return makeGeo({
    n, cIn, h, w, cOut, kh, kw, strideH: stride[0], strideW: stride[1], padH: padding[0], padW: padding[1],
    dilationH: dilation[0], dilationW: dilation[1], groups, outH, outW,
  });
}

function conv2dBatched(x: Tensor, weight: Tensor, bias: Tensor | null, options: Conv2dOptions): Tensor {
  const op = 'conv2d';
  const g = conv2dGeometry(op, x, weight, bias, options);
  const { n, cOut, outH, outW } = g;
  const xv = x.values() as Float32Array;
  const wv = weight.values() as Float32Array;
  const out = empty([n, cOut, outH, outW], floatType(x, weight, bias)); // (N, Cout, Ho, Wo)
  const od = out.data as Float32Array;
  if (bias) fillBias(bias, n, cOut, g.L, od);
  const inputs = bias ? [x, weight, bias] : [x, weight];
  if (!g.pointwise && n > 1 && imagesPerChunk(g) < n) return conv2dChunked(x, weight, bias, g, xv, wv, out, inputs);
  const cols = im2col(xv, g);
  convForward(cols, wv, g, od, bias ? 1 : 0);
  // columns are kept only when the weight will need them; otherwise they are rebuilt on demand
  let saved: Float32Array | null = weight.requiresGrad ? cols : null;
  return record(out, op, inputs, (grad) => {
    const dy = grad.values() as Float32Array; // (N, Cout, Ho·Wo)
    let dx: Tensor | null = null;
    if (x.requiresGrad) {
      dx = empty(x.shape, floatType(x));
      convInputGrad(dy, wv, g, dx.data as Float32Array);
    }
    const dw = weight.requiresGrad ? reshapeGrad(convWeightGrad(dy, saved ?? im2col(xv, g), g), weight.shape) : null;
    saved = null;
    const db = bias && bias.requiresGrad ? channelSum(dy, n, cOut, g.L) : null;
    return [dx, dw, db];
  });
}

/** Column floats per chunk: about 1 MB, so a chunk's columns stay in cache between im2col, GEMM and col2im. */
const CHUNK_COLUMN_FLOATS = 1 << 18;

/** Images whose columns fit in one chunk (at least 1). */
function imagesPerChunk(g: Geo): number {
  return Math.max(1, Math.floor(CHUNK_COLUMN_FLOATS / (g.cIn * g.kh * g.kw * g.L)));
}

/**
 * conv2d over a batch whose columns would be large, a few images at a time: im2col, GEMM and
 * col2im then work on a cache-sized buffer instead of streaming N·Cin·kh·kw·L floats through
 * memory (for an 84x84 batch of 64 that is hundreds of MB per layer). The columns are not kept;
 * the backward pass rebuilds them chunk by chunk, which costs less than reading them back from
 * memory. Same results as the one-batch path up to float summation order.
 */
function conv2dChunked(x: Tensor, weight: Tensor, bias: Tensor | null, g: Geo, xv: Float32Array, wv: Float32Array, out: Tensor, inputs: Tensor[]): Tensor {
  const per = imagesPerChunk(g);
  const inSize = g.cIn * g.h * g.w;
  const outSize = g.cOut * g.L;
  const rows = g.cIn * g.kh * g.kw;
  const cols = allocLike(xv, per * rows * g.L);
  const od = out.data as Float32Array;
  const chunks = (fn: (start: number, gc: Geo) => void) => {
    for (let s = 0; s < g.n; s += per) fn(s, { ...g, n: Math.min(per, g.n - s) });
  };
  chunks((s, gc) => {
    getBackend().im2col(xv.subarray(s * inSize, (s + gc.n) * inSize), gc, cols);
    convForward(cols, wv, gc, od.subarray(s * outSize, (s + gc.n) * outSize), bias ? 1 : 0);
  });
  return record(out, 'conv2d', inputs, (grad) => {
    const dy = grad.values() as Float32Array; // (N, Cout, Ho·Wo)
    const dx = x.requiresGrad ? empty(x.shape, floatType(x)) : null;
    const dw = weight.requiresGrad ? allocLike(dy, g.cOut * g.K) : null;
    const scratch = dx ? allocLike(dy, per * rows * g.L) : null;
    chunks((s, gc) => {
      const dyc = dy.subarray(s * outSize, (s + gc.n) * outSize);
      if (dx) convInputGrad(dyc, wv, gc, (dx.data as Float32Array).subarray(s * inSize, (s + gc.n) * inSize), scratch!);
      if (dw) {
        getBackend().im2col(xv.subarray(s * inSize, (s + gc.n) * inSize), gc, cols);
        convWeightGrad(dyc, cols, gc, dw, s > 0);
      }
    });
    const db = bias && bias.requiresGrad ? channelSum(dy, g.n, g.cOut, g.L) : null;
    return [dx, dw ? reshapeGrad(dw, weight.shape) : null, db];
  });
}

function convPadding(
  op: string, padding: IntPair | 'valid' | 'same', stride: [number, number], dilation: [number, number], k: [number, number],
): [number, number] {
  if (padding === 'valid') return [0, 0];
  if (padding !== 'same') return pair(op, 'padding', padding, 0);
  if (stride[0] !== 1 || stride[1] !== 1) throw new Error(`${op}: padding 'same' needs stride 1, got stride ${fmtPair(stride)}`);
  const total = [dilation[0] * (k[0] - 1), dilation[1] * (k[1] - 1)];
  if (total[0] % 2 !== 0 || total[1] % 2 !== 0) {
    // torch pads one extra row/column at the end here; the kernels only pad symmetrically
    throw new Error(
      `${op}: padding 'same' with kernel ${fmtPair(k)} and dilation ${fmtPair(dilation)} needs asymmetric padding, which is not supported; ` +
        'pad the input explicitly',
    );
  }
  return [total[0] / 2, total[1] / 2];
}

// ---- convTranspose2d ----------------------------------------------------------------------------

/**
 * 2-D transposed convolution (torch.nn.functional.conv_transpose2d): the adjoint of conv2d with
 * the same weight, stride, padding, dilation and groups.
 *
 * Shapes: x [N, Cin, H, W] (or unbatched [Cin, H, W]), weight [Cin, Cout/groups, kH, kW],
 * bias [Cout] -> [N, Cout, Ho, Wo] with
 * Ho = (H-1)·stride - 2·padding + dilation·(kH-1) + outputPadding + 1.
 */
export function convTranspose2d(x: Tensor, weight: Tensor, bias?: Tensor | null, options: ConvTranspose2dOptions = {}): Tensor {
  const op = 'convTranspose2d';
  requireFloat(op, x);
  requireFloat(op, weight, 'weight');
  if (weight.ndim !== 4) throw new Error(`${op}: weight must be 4-D [Cin, Cout/groups, kH, kW], got ${fmtShape(weight.shape)}`);
  return withBatch(op, x, (x4) => convTranspose2dBatched(x4, weight, bias ?? null, options));
}

function convTranspose2dBatched(x: Tensor, weight: Tensor, bias: Tensor | null, options: ConvTranspose2dOptions): Tensor {
  const op = 'convTranspose2d';
  const [n, cIn, h, w] = x.shape;
  const [wIn, cOutG, kh, kw] = weight.shape;
  const groups = options.groups ?? 1;
  checkGroups(op, groups);
  if (wIn !== cIn) {
    throw new Error(`${op}: input has ${cIn} channels but weight expects ${wIn} (weight shape ${fmtShape(weight.shape)}, groups ${groups})`);
  }
  if (cIn % groups !== 0) {
    throw new Error(`${op}: input channels ${cIn} are not divisible by groups ${groups} (weight shape ${fmtShape(weight.shape)})`);
  }
  const cOut = cOutG * groups;
  checkBias(op, bias, cOut);
  const stride = pair(op, 'stride', options.stride ?? 1, 1);
  const padding = pair(op, 'padding', options.padding ?? 0, 0);
  const dilation = pair(op, 'dilation', options.dilation ?? 1, 1);
  const outputPadding = pair(op, 'outputPadding', options.outputPadding ?? 0, 0);
  for (const i of [0, 1]) {
    if (outputPadding[i] >= stride[i] && outputPadding[i] >= dilation[i]) {
      throw new Error(
        `${op}: outputPadding ${fmtPair(outputPadding)} must be smaller than either stride ${fmtPair(stride)} or dilation ${fmtPair(dilation)}`,
      );
    }
  }
  const outH = (h - 1) * stride[0] - 2 * padding[0] + dilation[0] * (kh - 1) + outputPadding[0] + 1;
  const outW = (w - 1) * stride[1] - 2 * padding[1] + dilation[1] * (kw - 1) + outputPadding[1] + 1;
  if (outH <= 0 || outW <= 0) {
    throw new Error(
      `${op}: output size would be ${outH}x${outW} for input ${h}x${w} with kernel ${fmtPair([kh, kw])}, ` +
        `padding ${fmtPair(padding)}, dilation ${fmtPair(dilation)}, stride ${fmtPair(stride)}`,
    );
  }
  // the convolution this op is the adjoint of: [N, Cout, Ho, Wo] -> [N, Cin, H, W]
  const g = makeGeo({
    n, cIn: cOut, h: outH, w: outW, cOut: cIn, kh, kw, strideH: stride[0], strideW: stride[1],
    padH: padding[0], padW: padding[1], dilationH: dilation[0], dilationW: dilation[1], groups, outH: h, outW: w,
  });
  const xv = x.values() as Float32Array; // (N, Cin, H·W)
  const wv = weight.values() as Float32Array;
  const out = empty([n, cOut, outH, outW], floatType(x, weight, bias)); // (N, Cout, Ho, Wo)
  const od = out.data as Float32Array;
  if (bias) fillBias(bias, n, cOut, outH * outW, od);
  convInputGrad(xv, wv, g, od);
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return record(out, op, inputs, (grad) => {
    const dy = grad.values() as Float32Array; // (N, Cout, Ho·Wo)
    const cols = x.requiresGrad || weight.requiresGrad ? im2col(dy, g) : null;
    let dx: Tensor | null = null;
    if (x.requiresGrad) {
      dx = empty(x.shape, floatType(x));
      convForward(cols!, wv, g, dx.data as Float32Array, 0);
    }
    const dw = weight.requiresGrad ? reshapeGrad(convWeightGrad(xv, cols!, g), weight.shape) : null;
    const db = bias && bias.requiresGrad ? channelSum(dy, n, cOut, outH * outW) : null;
    return [dx, dw, db];
  });
}
