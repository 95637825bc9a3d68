/**
 * Loading the compiled addon (build/Release/attentive.node) and the shape of what it exports.
 * Node-only: it uses createRequire, which is how ES modules load `.node` files.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** What the C addon exports (native/addon.c). Arguments are positional to keep calls cheap. */
export interface NativeAddon {
  alloc(dtype: 0 | 1, size: number): Float32Array | Int32Array;
  /** Address of the array's first element modulo 64. */
  alignmentOf(a: Float32Array | Int32Array): number;
  gemm(
    transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
    a: Float32Array, aOffset: number, lda: number, strideA: number,
    b: Float32Array, bOffset: number, ldb: number, strideB: number,
    beta: number, c: Float32Array, cOffset: number, ldc: number, strideC: number, batch: number,
  ): void;
  /** desc = [ndim, ...shape, ...strides] */
  unary(op: number, x: Float32Array, xOffset: number, desc: Int32Array, out: Float32Array, p: number): void;
  /** desc = [ndim, ...shape, ...stridesA, ...stridesB] */
  binary(op: number, a: Float32Array, aOffset: number, b: Float32Array, bOffset: number, desc: Int32Array, out: Float32Array): void;
  softmax(x: Float32Array, rows: number, cols: number, out: Float32Array, log: boolean): void;
  softmaxBackward(y: Float32Array, dy: Float32Array, rows: number, cols: number, out: Float32Array, log: boolean): void;
  crossEntropy(
    x: Float32Array, rows: number, cols: number, targets: Int32Array, ignoreIndex: number, eps: number,
    loss: Float32Array, lse: Float32Array,
  ): void;
  crossEntropyBackward(
    x: Float32Array, rows: number, cols: number, targets: Int32Array, ignoreIndex: number, eps: number,
    lse: Float32Array, g: Float32Array, out: Float32Array,
  ): void;
  reduce(op: number, x: Float32Array, outer: number, r: number, inner: number, out: Float32Array | Int32Array): void;
  sumSquares(x: Float32Array): number;
  indexSelect(x: Float32Array, outer: number, n: number, inner: number, index: Int32Array, out: Float32Array): void;
  indexAdd(src: Float32Array, outer: number, n: number, inner: number, index: Int32Array, out: Float32Array): void;
  adam(
    param: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array, amsgrad: Float32Array | null,
    lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, decoupled: boolean, step: number,
  ): void;
  sgd(
    param: Float32Array, grad: Float32Array, buf: Float32Array | null,
    lr: number, momentum: number, dampening: number, weightDecay: number, nesterov: boolean, first: boolean,
  ): void;
  /** geom = [n, cIn, h, w, kh, kw, strideH, strideW, padH, padW, dilationH, dilationW, outH, outW] */
  im2col(x: Float32Array, geom: Int32Array, out: Float32Array): void;
  col2im(cols: Float32Array, geom: Int32Array, out: Float32Array): void;
  /** gates [b, 4h], c [b, h] -> hc [b, 2h], saved [b, 5h] */
  lstmCell(gates: Float32Array, c: Float32Array, b: number, h: number, hc: Float32Array, saved: Float32Array): void;
  lstmCellBackward(
    dhc: Float32Array, c: Float32Array, saved: Float32Array, b: number, h: number, dgates: Float32Array, dc: Float32Array,
  ): void;
  /** desc = [ndim, ...shape, ...strides]; float32 <-> int32 conversion by the arrays' types */
  copy(x: Float32Array | Int32Array, xOffset: number, desc: Int32Array, out: Float32Array | Int32Array): void;
  /** desc = [ndim, ...shape, ...stridesCond, ...stridesA, ...stridesB] */
  where(
    cond: Float32Array | Int32Array, condOffset: number, a: Float32Array, aOffset: number, b: Float32Array, bOffset: number,
    desc: Int32Array, out: Float32Array,
  ): void;
  fill(out: Float32Array | Int32Array, value: number): void;
  gather(x: Float32Array | Int32Array, outer: number, n: number, inner: number, index: Int32Array, m: number, out: Float32Array | Int32Array): void;
  scatterAdd(src: Float32Array, outer: number, n: number, inner: number, index: Int32Array, m: number, out: Float32Array): void;
  topk(x: Float32Array, rows: number, cols: number, k: number, largest: boolean, values: Float32Array, indices: Int32Array): void;
  cumsum(x: Float32Array, outer: number, r: number, inner: number, out: Float32Array): void;
  /** geom = [n, c, h, w, kh, kw, strideH, strideW, padH, padW, outH, outW] */
  maxPool2d(x: Float32Array, geom: Int32Array, out: Float32Array, argmax: Int32Array): void;
  maxPool2dBackward(dy: Float32Array, argmax: Int32Array, geom: Int32Array, dx: Float32Array): void;
  avgPool2d(x: Float32Array, geom: Int32Array, countIncludePad: boolean, out: Float32Array): void;
  avgPool2dBackward(dy: Float32Array, geom: Int32Array, countIncludePad: boolean, dx: Float32Array): void;
  /** see native/addon_sdpa.c for the argument order and `dims` */
  sdpa(
    dims: Int32Array, scale: number, q: Float32Array, qOff: Int32Array, k: Float32Array, kOff: Int32Array, v: Float32Array, vOff: Int32Array,
    mask: Float32Array | null, maskOff: Int32Array | null, drop: Float32Array | null, weights: Float32Array, out: Float32Array, outOff: Int32Array,
  ): void;
  sdpaBackward(
    dims: Int32Array, scale: number, q: Float32Array, qOff: Int32Array, k: Float32Array, kOff: Int32Array, v: Float32Array, vOff: Int32Array,
    mask: Float32Array | null, maskOff: Int32Array | null, drop: Float32Array | null, weights: Float32Array,
    dOut: Float32Array, dOutOff: Int32Array, dq: Float32Array, dqOff: Int32Array, dk: Float32Array, dkOff: Int32Array, dv: Float32Array, dvOff: Int32Array,
  ): void;
  layerNorm(
    x: Float32Array, rows: number, cols: number, weight: Float32Array | null, bias: Float32Array | null, eps: number,
    out: Float32Array, mean: Float32Array, rstd: Float32Array,
  ): void;
  layerNormBackward(
    dy: Float32Array, x: Float32Array, rows: number, cols: number, weight: Float32Array | null, mean: Float32Array, rstd: Float32Array,
    dx: Float32Array, dWeight: Float32Array | null, dBias: Float32Array | null,
  ): void;
  setNumThreads(n: number): void;
  numThreads(): number;
  info(): { isa: string; gemmKernel: string; threads: number; cpus: number };
}

/** Absolute path of the addon: `<package root>/build/Release/attentive.node` (same depth from src/ and dist/). */
export const addonPath: string = fileURLToPath(new URL('../../../build/Release/attentive.node', import.meta.url));

/** Every function of {@link NativeAddon}: an addon built from older sources lacks some of them. */
export const ADDON_FUNCTIONS: readonly (keyof NativeAddon)[] = [
  'alloc', 'alignmentOf', 'gemm', 'unary', 'binary', 'softmax', 'softmaxBackward', 'crossEntropy',
  'crossEntropyBackward', 'reduce', 'sumSquares', 'indexSelect', 'indexAdd', 'adam', 'sgd', 'im2col',
  'col2im', 'lstmCell', 'lstmCellBackward', 'copy', 'where', 'fill', 'gather', 'scatterAdd',
  'topk', 'cumsum', 'maxPool2d', 'maxPool2dBackward', 'avgPool2d', 'avgPool2dBackward', 'sdpa', 'sdpaBackward',
  'layerNorm', 'layerNormBackward', 'setNumThreads', 'numThreads', 'info',
];

/** The functions of {@link ADDON_FUNCTIONS} that `addon` does not export. */
export function missingAddonFunctions(addon: object): string[] {
  return ADDON_FUNCTIONS.filter((f) => typeof (addon as Record<string, unknown>)[f] !== 'function');
}

/**
 * Loads the addon; returns it, or the reason it could not be loaded. An addon left from an older
 * build (the sources gained kernels since) is refused with the missing names, so the TypeScript
 * backend is used with a warning instead of a kernel call failing in the middle of a run.
 */
export function loadAddon(): { addon: NativeAddon | null; error: string | null } {
  if (process.env.ATTENTIVE_BACKEND === 'js') return { addon: null, error: 'disabled by ATTENTIVE_BACKEND=js' };
  try {
    const require = createRequire(import.meta.url);
    const addon = require(addonPath) as NativeAddon;
    const missing = missingAddonFunctions(addon);
    if (missing.length > 0) {
      return { addon: null, error: `loadAddon: ${addonPath} was built from older sources (it lacks ${missing.join(', ')}); run \`node scripts/build-native.mjs\`` };
    }
    return { addon, error: null };
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    return { addon: null, error: `loadAddon: cannot load ${addonPath} (${msg}); run \`node scripts/build-native.mjs\`` };
  }
}
