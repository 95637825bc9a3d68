/**
 * The one boundary between the engine and the numbers.
 *
 * Every kernel works on flat typed arrays plus shapes, strides and offsets. The engine (tensor/,
 * autograd/) never loops over elements itself: it validates, works out shapes, allocates outputs
 * and calls these kernels. Two implementations exist: the reference backend in plain TypeScript
 * (backend/js, browser-safe, the oracle in tests) and the native backend (C through N-API).
 *
 * Both backends use ordinary JS typed arrays as storage (the native one allocates them 64-byte
 * aligned outside the V8 heap), so tensors can move between backends without copies and the
 * engine needs no per-backend storage type.
 *
 * Conventions:
 * - `out` arrays are always contiguous, row-major, and written from index 0 unless an offset is
 *   given; kernels never read `out` unless documented (accumulate flags).
 * - A `View` describes a possibly strided, possibly broadcast (stride 0) read-only input.
 * - Fused kernels (optimizer updates, softmax cross-entropy, the LSTM cell) are required members:
 *   every backend implements them (the reference's versions are the oracle), so nothing above
 *   this layer reaches into a particular backend for a fallback.
 */

export type DType = 'float32' | 'int32';
export type Storage = Float32Array | Int32Array;

/** A strided read-only window on a storage. */
export interface View {
  readonly data: Storage;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

export type UnaryOp =
  | 'neg' | 'exp' | 'log' | 'sqrt' | 'rsqrt' | 'abs' | 'sign' | 'sigmoid' | 'tanh' | 'relu'
  | 'gelu' | 'softplus' | 'sin' | 'cos' | 'reciprocal' | 'square' | 'floor' | 'ceil' | 'round'
  | 'erf' | 'log1p' | 'expm1'
  // ops with one scalar parameter `p`
  | 'powScalar' | 'addScalar' | 'mulScalar' | 'leakyRelu' | 'elu' | 'clampMin' | 'clampMax'
  | 'rsubScalar' | 'rdivScalar' | 'gtScalar' | 'geScalar' | 'ltScalar' | 'leScalar' | 'eqScalar'
  | 'neScalar';

export type BinaryOp =
  | 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'minimum' | 'maximum'
  | 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge'
  // gradient helpers: out = f(a, b) used by backward rules
  | 'reluBackward' /* a = grad, b = x: a * (b > 0) */
  | 'sigmoidBackward' /* a = grad, b = y: a * y * (1 - y) */
  | 'tanhBackward' /* a = grad, b = y: a * (1 - y^2) */;

export type ReduceOp = 'sum' | 'max' | 'min' | 'prod' | 'argmax' | 'argmin' | 'logsumexp';

export interface GemmArgs {
  transA: boolean;
  transB: boolean;
  /** C[b] (M×N) = alpha · op(A[b]) (M×K) · op(B[b]) (K×N) + beta · C[b] */
  m: number;
  n: number;
  k: number;
  alpha: number;
  a: Float32Array;
  aOffset: number;
  /** leading dimension (row stride) of A as stored */
  lda: number;
  /** distance between consecutive batch matrices of A (0 to broadcast) */
  strideA: number;
  b: Float32Array;
  bOffset: number;
  ldb: number;
  strideB: number;
  beta: number;
  c: Float32Array;
  cOffset: number;
  ldc: number;
  strideC: number;
  batch: number;
}

export interface Conv2dGeometry {
  n: number; cIn: number; h: number; w: number;
  cOut: number; kh: number; kw: number;
  strideH: number; strideW: number; padH: number; padW: number;
  dilationH: number; dilationW: number; groups: number;
  outH: number; outW: number;
}

export interface Pool2dGeometry {
  n: number; c: number; h: number; w: number;
  kh: number; kw: number; strideH: number; strideW: number; padH: number; padW: number;
  outH: number; outW: number;
}

export interface AdamArgs {
  param: Float32Array; grad: Float32Array; m: Float32Array; v: Float32Array;
  lr: number; beta1: number; beta2: number; eps: number; weightDecay: number;
  /** true: decoupled weight decay (AdamW); false: L2 added to the gradient (Adam) */
  decoupled: boolean;
  /** 1-based step count after this update */
  step: number;
  amsgrad?: Float32Array | null;
}

export interface SgdArgs {
  param: Float32Array; grad: Float32Array;
  /** momentum buffer, null without momentum */
  buf: Float32Array | null;
  lr: number; momentum: number; dampening: number; weightDecay: number; nesterov: boolean;
  /** the buffer is empty: it takes the (decayed) gradient as is */
  first: boolean;
}

export interface Backend {
  readonly name: string;

  /** Zero-filled contiguous storage of `size` elements. */
  alloc(dtype: DType, size: number): Storage;

  /** Copies any view into contiguous `out` (same dtype, or float32 ↔ int32 conversion). */
  copy(x: View, out: Storage): void;

  /** Fill `out` with `value`. */
  fill(out: Storage, value: number): void;

  /** out[i] = op(x[i]) over the view's elements in row-major order. `p` for scalar ops. */
  unary(op: UnaryOp, x: View, out: Float32Array, p?: number): void;

  /** a and b are already expanded to `out`'s shape (broadcast axes have stride 0). */
  binary(op: BinaryOp, a: View, b: View, out: Float32Array): void;

  /** out = cond ? a : b; all three views expanded to out's shape; cond nonzero means true. */
  where(cond: View, a: View, b: View, out: Float32Array): void;

  /**
   * Reduces the middle axis of a contiguous array seen as [outer, r, inner]:
   * out[o, i] = op over j of x[o, j, i]. argmax/argmin write int indices (first on ties).
   */
  reduce(op: ReduceOp, x: Storage, outer: number, r: number, inner: number, out: Storage): void;

  /**
   * Σ x² over a whole array, accumulated in double over fixed chunks of 32768 values summed in
   * order (for global gradient norms: the result does not depend on thread counts).
   */
  sumSquares(x: Float32Array): number;

  /** Inclusive prefix sum along the middle axis of [outer, r, inner]. */
  cumsum(x: Float32Array, outer: number, r: number, inner: number, out: Float32Array): void;

  /** Batched, strided single-precision matrix multiply (see GemmArgs). */
  gemm(args: GemmArgs): void;

  /** Softmax / log-softmax over the last axis of a contiguous [rows, cols] array. */
  softmax(x: Float32Array, rows: number, cols: number, out: Float32Array, log: boolean): void;
  /** grad of softmax (log=false: y = softmax) or log-softmax (log=true: y = log-softmax). */
  softmaxBackward(y: Float32Array, dy: Float32Array, rows: number, cols: number, out: Float32Array, log: boolean): void;

  /**
   * Gathers slices along the middle axis of contiguous [outer, n, inner]:
   * out[o, j, i] = x[o, index[j], i] for j < index.length. Bounds already checked.
   */
  indexSelect(x: Storage, outer: number, n: number, inner: number, index: Int32Array, out: Storage): void;
  /** The adjoint of indexSelect: out[o, index[j], i] += src[o, j, i] (out is accumulated into). */
  indexAdd(src: Float32Array, outer: number, n: number, inner: number, index: Int32Array, out: Float32Array): void;

  /**
   * torch.gather along the middle axis: x is [outer, n, inner], index is [outer, m, inner];
   * out[o, j, i] = x[o, index[o, j, i], i].
   */
  gather(x: Storage, outer: number, n: number, inner: number, index: Int32Array, m: number, out: Storage): void;
  /** The adjoint of gather: out[o, index[o, j, i], i] += src[o, j, i]. */
  scatterAdd(src: Float32Array, outer: number, n: number, inner: number, index: Int32Array, m: number, out: Float32Array): void;

  /** Unfolds images [n, cIn, h, w] into columns [n, cIn·kh·kw, outH·outW]. */
  im2col(x: Float32Array, g: Conv2dGeometry, out: Float32Array): void;
  /** The adjoint of im2col: accumulates columns back into images (out is zeroed first by the caller). */
  col2im(cols: Float32Array, g: Conv2dGeometry, out: Float32Array): void;

  /** Max pooling; writes values and the flat argmax index (within each h·w plane) per output. */
  maxPool2d(x: Float32Array, g: Pool2dGeometry, out: Float32Array, argmax: Int32Array): void;
  maxPool2dBackward(dy: Float32Array, argmax: Int32Array, g: Pool2dGeometry, dx: Float32Array): void;
  /** Average pooling; `countIncludePad` as in PyTorch. */
  avgPool2d(x: Float32Array, g: Pool2dGeometry, countIncludePad: boolean, out: Float32Array): void;
  avgPool2dBackward(dy: Float32Array, g: Pool2dGeometry, countIncludePad: boolean, dx: Float32Array): void;

  /** Sorted top-k along the last axis of contiguous [rows, cols]; ties keep the lower index first. */
  topk(x: Float32Array, rows: number, cols: number, k: number, largest: boolean, values: Float32Array, indices: Int32Array): void;

  /** In-place Adam / AdamW update. */
  adam(args: AdamArgs): void;

  /** Fused SGD step in place (the reference's arithmetic, in double per element). */
  sgd(args: SgdArgs): void;

  /**
   * Fused softmax cross-entropy with label smoothing `eps` over contiguous logits
   * [rows, cols] (from index 0) and one int32 target per row, each in [0, cols) or ignoreIndex
   * (already checked): loss[r] = (1-ε)(lse - x_t) + ε(lse - mean_c x_c) and lse[r] = log Σ_c e^{x_c},
   * both 0 on ignored rows. Row sums in double.
   */
  crossEntropy(
    x: Float32Array, rows: number, cols: number, targets: Int32Array, ignoreIndex: number, eps: number,
    loss: Float32Array, lse: Float32Array,
  ): void;
  /**
   * Its gradient from the forward's lse and one upstream gradient per row g [rows]:
   * out[r, c] = g[r] · (e^{x_c - lse} - (1-ε)[c = t] - ε/C), zero on ignored rows. `out` is
   * [rows, cols] and fully written.
   */
  crossEntropyBackward(
    x: Float32Array, rows: number, cols: number, targets: Int32Array, ignoreIndex: number, eps: number,
    lse: Float32Array, g: Float32Array, out: Float32Array,
  ): void;

  /**
   * Fused LSTM cell: gates [B, 4H] (i, f, g, o pre-activations), c [B, H] -> hc [B, 2H] = [h' | c'],
   * saved [B, 5H] = activations i, f, g, o and tanh(c') for the backward pass.
   */
  lstmCell(gates: Float32Array, c: Float32Array, b: number, h: number, hc: Float32Array, saved: Float32Array): void;
  /** Backward of lstmCell: dhc [B, 2H] -> dgates [B, 4H], dc [B, H] (both overwritten). */
  lstmCellBackward(
    dhc: Float32Array, c: Float32Array, saved: Float32Array, b: number, h: number, dgates: Float32Array, dc: Float32Array,
  ): void;
}
