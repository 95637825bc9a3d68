/**
 * The native backend: C kernels (native/*.c, built by node-gyp) behind the same `Backend`
 * interface as the TypeScript reference. Kernels not yet written in C delegate to the reference
 * backend, so the object is always a complete `Backend`.
 *
 * Storage stays ordinary typed arrays, so tensors move between backends freely; large ones are
 * allocated by the addon as views starting at a 64-byte aligned address inside a slightly larger
 * V8 ArrayBuffer (so `byteOffset` may be non-zero: always use it with `.buffer`).
 */
import type {
  AdamArgs, SgdArgs, SdpaArgs, SdpaGrads, Backend, BinaryOp, Conv2dGeometry, DType, GemmArgs, Pool2dGeometry, ReduceOp, Storage, UnaryOp, View,
} from '../backend.js';
import { jsBackend } from '../js/index.js';
import { crossEntropyBackwardKernel, crossEntropyKernel } from '../js/cross-entropy.js';
import { loadAddon, type NativeAddon } from './addon-node.js';
import { BINARY_CODE, NATIVE_MAX_DIMS, REDUCE_CODE, UNARY_CODE } from './ops.js';

const loaded = loadAddon();

/** The raw addon, or null when it is not built (see `nativeLoadError`). */
export const nativeAddon: NativeAddon | null = loaded.addon;

/** Why the native backend is unavailable, or null when it loaded. */
export const nativeLoadError: string | null = loaded.error;

/** Below this many bytes alignment buys nothing worth an N-API call, so plain typed arrays are used. */
const NATIVE_ALLOC_MIN_BYTES = 4096;

/**
 * Below this many elements the reference loop finishes before an N-API call would return
 * (a call costs ~0.2–0.5 µs), so tiny tensors stay in JS.
 */
const NATIVE_ELEMENTWISE_MIN = 64;

/**
 * Below this many elements TypedArray.prototype.fill (itself native code in V8) is as fast as
 * an N-API call; above it the addon can split the work over the pool.
 */
const NATIVE_FILL_MIN = 1 << 20;

/** Reused descriptor buffer: [ndim, ...shape, ...strides of each view] for up to three views. */
const desc = new Int32Array(1 + 4 * NATIVE_MAX_DIMS);

function fillDesc(shape: readonly number[], views: readonly View[]): void {
  const nd = shape.length;
  desc[0] = nd;
  for (let d = 0; d < nd; d++) {
    desc[1 + d] = shape[d];
    for (let v = 0; v < views.length; v++) desc[1 + nd * (1 + v) + d] = views[v].strides[d];
  }
}

/** Reused geometry buffer for im2col/col2im. */
const geom = new Int32Array(14);

function fillGeom(g: Conv2dGeometry): Int32Array {
  geom.set([g.n, g.cIn, g.h, g.w, g.kh, g.kw, g.strideH, g.strideW, g.padH, g.padW, g.dilationH, g.dilationW, g.outH, g.outW]);
  return geom;
}

/** Reused geometry buffer for the pooling kernels. */
const poolGeom = new Int32Array(12);

function fillPoolGeom(g: Pool2dGeometry): Int32Array {
  poolGeom.set([g.n, g.c, g.h, g.w, g.kh, g.kw, g.strideH, g.strideW, g.padH, g.padW, g.outH, g.outW]);
  return poolGeom;
}

function isStorage(x: unknown): x is Float32Array | Int32Array {
  return x instanceof Float32Array || x instanceof Int32Array;
}

function size(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Reused size buffer of the attention kernels (see native/addon_sdpa.c). */
const sdpaDims = new Int32Array(15);

function fillSdpaDims(a: SdpaArgs, rows: readonly number[]): Int32Array {
  sdpaDims.set([a.batch, a.l, a.s, a.e, a.ev, a.causal ? 1 : 0, a.qRow, a.kRow, a.vRow, a.maskRow, a.maskCol, ...rows]);
  return sdpaDims;
}

function makeBackend(addon: NativeAddon): Backend {
  return {
    ...jsBackend,
    name: 'native',
    alloc(dtype: DType, size: number): Storage {
      if (!Number.isInteger(size) || size < 0) throw new Error(`alloc: size must be a non-negative integer, got ${size}`);
      if (size * 4 >= NATIVE_ALLOC_MIN_BYTES) return addon.alloc(dtype === 'int32' ? 1 : 0, size);
      return dtype === 'int32' ? new Int32Array(size) : new Float32Array(size);
    },
    unary(op: UnaryOp, x: View, out: Float32Array, p = 0): void {
      const code = UNARY_CODE.get(op);
      if (code === undefined || !(x.data instanceof Float32Array) || x.shape.length > NATIVE_MAX_DIMS ||
        size(x.shape) < NATIVE_ELEMENTWISE_MIN) {
        jsBackend.unary(op, x, out, p);
        return;
      }
      fillDesc(x.shape, [x]);
      addon.unary(code, x.data, x.offset, desc, out, p);
    },
    binary(op: BinaryOp, a: View, b: View, out: Float32Array): void {
      const code = BINARY_CODE.get(op);
      if (code === undefined || !(a.data instanceof Float32Array) || !(b.data instanceof Float32Array) ||
        a.shape.length > NATIVE_MAX_DIMS || size(a.shape) < NATIVE_ELEMENTWISE_MIN) {
        jsBackend.binary(op, a, b, out);
        return;
      }
      fillDesc(a.shape, [a, b]);
      addon.binary(code, a.data, a.offset, b.data, b.offset, desc, out);
    },
    reduce(op: ReduceOp, x: Storage, outer: number, r: number, inner: number, out: Storage): void {
      const code = REDUCE_CODE.get(op);
      if (code === undefined || !(x instanceof Float32Array) || r < 1 || outer * r * inner < NATIVE_ELEMENTWISE_MIN) {
        jsBackend.reduce(op, x, outer, r, inner, out);
        return;
      }
      addon.reduce(code, x, outer, r, inner, out);
    },
    indexSelect(x: Storage, outer: number, n: number, inner: number, index: Int32Array, out: Storage): void {
      if (!(x instanceof Float32Array) || !(out instanceof Float32Array) || outer * index.length * inner < NATIVE_ELEMENTWISE_MIN) {
        jsBackend.indexSelect(x, outer, n, inner, index, out);
        return;
      }
      addon.indexSelect(x, outer, n, inner, index, out);
    },
    indexAdd(src: Float32Array, outer: number, n: number, inner: number, index: Int32Array, out: Float32Array): void {
      if (outer * index.length * inner < NATIVE_ELEMENTWISE_MIN) jsBackend.indexAdd(src, outer, n, inner, index, out);
      else addon.indexAdd(src, outer, n, inner, index, out);
    },
    im2col(x: Float32Array, g: Conv2dGeometry, out: Float32Array): void {
      addon.im2col(x, fillGeom(g), out);
    },
    col2im(cols: Float32Array, g: Conv2dGeometry, out: Float32Array): void {
      addon.col2im(cols, fillGeom(g), out);
    },
    adam(a: AdamArgs): void {
      addon.adam(a.param, a.grad, a.m, a.v, a.amsgrad ?? null, a.lr, a.beta1, a.beta2, a.eps, a.weightDecay, a.decoupled, a.step);
    },
    sgd(a: SgdArgs): void {
      addon.sgd(a.param, a.grad, a.buf, a.lr, a.momentum, a.dampening, a.weightDecay, a.nesterov, a.first);
    },
    softmax(x: Float32Array, rows: number, cols: number, out: Float32Array, log: boolean): void {
      if (rows * cols < NATIVE_ELEMENTWISE_MIN) jsBackend.softmax(x, rows, cols, out, log);
      else addon.softmax(x, rows, cols, out, log);
    },
    softmaxBackward(y: Float32Array, dy: Float32Array, rows: number, cols: number, out: Float32Array, log: boolean): void {
      if (rows * cols < NATIVE_ELEMENTWISE_MIN) jsBackend.softmaxBackward(y, dy, rows, cols, out, log);
      else addon.softmaxBackward(y, dy, rows, cols, out, log);
    },
    sdpa(a: SdpaArgs, out: Float32Array, outOff: Int32Array, outRow: number): void {
      addon.sdpa(fillSdpaDims(a, [outRow]), a.scale, a.q, a.qOff, a.k, a.kOff, a.v, a.vOff, a.mask, a.maskOff, a.drop, a.weights, out, outOff);
    },
    sdpaBackward(a: SdpaArgs, g: SdpaGrads): void {
      addon.sdpaBackward(
        fillSdpaDims(a, [g.dOutRow, g.dqRow, g.dkRow, g.dvRow]), a.scale, a.q, a.qOff, a.k, a.kOff, a.v, a.vOff, a.mask, a.maskOff, a.drop,
        a.weights, g.dOut, g.dOutOff, g.dq, g.dqOff, g.dk, g.dkOff, g.dv, g.dvOff,
      );
    },
    layerNorm(
      x: Float32Array, rows: number, cols: number, weight: Float32Array | null, bias: Float32Array | null, eps: number,
      out: Float32Array, mean: Float32Array, rstd: Float32Array,
    ): void {
      if (rows * cols < NATIVE_ELEMENTWISE_MIN) jsBackend.layerNorm(x, rows, cols, weight, bias, eps, out, mean, rstd);
      else addon.layerNorm(x, rows, cols, weight, bias, eps, out, mean, rstd);
    },
    layerNormBackward(
      dy: Float32Array, x: Float32Array, rows: number, cols: number, weight: Float32Array | null, mean: Float32Array, rstd: Float32Array,
      dx: Float32Array, dWeight: Float32Array | null, dBias: Float32Array | null,
    ): void {
      if (rows * cols < NATIVE_ELEMENTWISE_MIN) jsBackend.layerNormBackward(dy, x, rows, cols, weight, mean, rstd, dx, dWeight, dBias);
      else addon.layerNormBackward(dy, x, rows, cols, weight, mean, rstd, dx, dWeight, dBias);
    },
    crossEntropy(
      x: Float32Array, rows: number, cols: number, targets: Int32Array, ignoreIndex: number, eps: number,
      loss: Float32Array, lse: Float32Array,
    ): void {
      if (rows * cols < NATIVE_ELEMENTWISE_MIN) crossEntropyKernel(x, rows, cols, targets, ignoreIndex, eps, loss, lse);
      else addon.crossEntropy(x, rows, cols, targets, ignoreIndex, eps, loss, lse);
    },
    crossEntropyBackward(
      x: Float32Array, rows: number, cols: number, targets: Int32Array, ignoreIndex: number, eps: number,
      lse: Float32Array, g: Float32Array, out: Float32Array,
    ): void {
      if (rows * cols < NATIVE_ELEMENTWISE_MIN) crossEntropyBackwardKernel(x, rows, cols, targets, ignoreIndex, eps, lse, g, out);
      else addon.crossEntropyBackward(x, rows, cols, targets, ignoreIndex, eps, lse, g, out);
    },
    copy(x: View, out: Storage): void {
      if (!isStorage(x.data) || !isStorage(out) || x.shape.length > NATIVE_MAX_DIMS || size(x.shape) < NATIVE_ELEMENTWISE_MIN) {
        jsBackend.copy(x, out);
        return;
      }
      fillDesc(x.shape, [x]);
      addon.copy(x.data, x.offset, desc, out);
    },
    where(cond: View, a: View, b: View, out: Float32Array): void {
      if (!isStorage(cond.data) || !(a.data instanceof Float32Array) || !(b.data instanceof Float32Array) ||
        cond.shape.length > NATIVE_MAX_DIMS || size(cond.shape) < NATIVE_ELEMENTWISE_MIN) {
        jsBackend.where(cond, a, b, out);
        return;
      }
      fillDesc(cond.shape, [cond, a, b]);
      addon.where(cond.data, cond.offset, a.data, a.offset, b.data, b.offset, desc, out);
    },
    fill(out: Storage, value: number): void {
      if (out.length < NATIVE_FILL_MIN || !isStorage(out)) jsBackend.fill(out, value);
      else addon.fill(out, value);
    },
    gather(x: Storage, outer: number, n: number, inner: number, index: Int32Array, m: number, out: Storage): void {
      if (!isStorage(x) || x.constructor !== out.constructor || outer * m * inner < NATIVE_ELEMENTWISE_MIN) {
        jsBackend.gather(x, outer, n, inner, index, m, out);
        return;
      }
      addon.gather(x, outer, n, inner, index, m, out);
    },
    scatterAdd(src: Float32Array, outer: number, n: number, inner: number, index: Int32Array, m: number, out: Float32Array): void {
      if (outer * m * inner < NATIVE_ELEMENTWISE_MIN) jsBackend.scatterAdd(src, outer, n, inner, index, m, out);
      else addon.scatterAdd(src, outer, n, inner, index, m, out);
    },
    topk(x: Float32Array, rows: number, cols: number, k: number, largest: boolean, values: Float32Array, indices: Int32Array): void {
      if (rows * cols < NATIVE_ELEMENTWISE_MIN) jsBackend.topk(x, rows, cols, k, largest, values, indices);
      else addon.topk(x, rows, cols, k, largest, values, indices);
    },
    sumSquares(x: Float32Array): number {
      return x.length < NATIVE_ELEMENTWISE_MIN ? jsBackend.sumSquares(x) : addon.sumSquares(x);
    },
    cumsum(x: Float32Array, outer: number, r: number, inner: number, out: Float32Array): void {
      if (outer * r * inner < NATIVE_ELEMENTWISE_MIN) jsBackend.cumsum(x, outer, r, inner, out);
      else addon.cumsum(x, outer, r, inner, out);
    },
    maxPool2d(x: Float32Array, g: Pool2dGeometry, out: Float32Array, argmax: Int32Array): void {
      addon.maxPool2d(x, fillPoolGeom(g), out, argmax);
    },
    maxPool2dBackward(dy: Float32Array, argmax: Int32Array, g: Pool2dGeometry, dx: Float32Array): void {
      addon.maxPool2dBackward(dy, argmax, fillPoolGeom(g), dx);
    },
    avgPool2d(x: Float32Array, g: Pool2dGeometry, countIncludePad: boolean, out: Float32Array): void {
      addon.avgPool2d(x, fillPoolGeom(g), countIncludePad, out);
    },
    avgPool2dBackward(dy: Float32Array, g: Pool2dGeometry, countIncludePad: boolean, dx: Float32Array): void {
      addon.avgPool2dBackward(dy, fillPoolGeom(g), countIncludePad, dx);
    },
    lstmCell(gates: Float32Array, c: Float32Array, b: number, h: number, hc: Float32Array, saved: Float32Array): void {
      addon.lstmCell(gates, c, b, h, hc, saved);
    },
    lstmCellBackward(
      dhc: Float32Array, c: Float32Array, saved: Float32Array, b: number, h: number, dgates: Float32Array, dc: Float32Array,
    ): void {
      addon.lstmCellBackward(dhc, c, saved, b, h, dgates, dc);
    },
    gemm(g: GemmArgs): void {
      addon.gemm(
        g.transA, g.transB, g.m, g.n, g.k, g.alpha,
        g.a, g.aOffset, g.lda, g.strideA,
        g.b, g.bOffset, g.ldb, g.strideB,
        g.beta, g.c, g.cOffset, g.ldc, g.strideC, g.batch,
      );
    },
  };
}

/** The native backend, or null when the addon is not built or cannot load on this machine. */
export const nativeBackend: Backend | null = nativeAddon ? makeBackend(nativeAddon) : null;

/** Sets the native thread pool size (default: number of cores, or ATTENTIVE_NUM_THREADS). */
export function setNumThreads(n: number): void {
  if (!nativeAddon) throw new Error(`setNumThreads: native backend unavailable (${nativeLoadError})`);
  if (!Number.isInteger(n) || n < 1) throw new Error(`setNumThreads: expected a positive integer, got ${n}`);
  nativeAddon.setNumThreads(n);
}

/** The native thread pool size, or 1 when the native backend is unavailable. */
export function getNumThreads(): number {
  return nativeAddon ? nativeAddon.numThreads() : 1;
}
