import type { BinaryOp, UnaryOp, View } from '../backend.js';
import { erf, gelu, sigmoid, softplus } from '../scalar-math.js';

type Unary = (x: number, p: number) => number;
type Binary = (a: number, b: number) => number;

export const UNARY: Record<UnaryOp, Unary> = {
  neg: (x) => -x,
  exp: (x) => Math.exp(x),
  log: (x) => Math.log(x),
  sqrt: (x) => Math.sqrt(x),
  rsqrt: (x) => 1 / Math.sqrt(x),
  abs: (x) => Math.abs(x),
  sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : x),
  sigmoid: (x) => sigmoid(x),
  tanh: (x) => Math.tanh(x),
  relu: (x) => (x > 0 ? x : 0),
  gelu: (x) => gelu(x),
  softplus: (x) => softplus(x),
  sin: (x) => Math.sin(x),
  cos: (x) => Math.cos(x),
  reciprocal: (x) => 1 / x,
  square: (x) => x * x,
  floor: (x) => Math.floor(x),
  ceil: (x) => Math.ceil(x),
  round: (x) => roundHalfEven(x),
  erf: (x) => erf(x),
  log1p: (x) => Math.log1p(x),
  expm1: (x) => Math.expm1(x),
  powScalar: (x, p) => Math.pow(x, p),
  addScalar: (x, p) => x + p,
  mulScalar: (x, p) => x * p,
  leakyRelu: (x, p) => (x > 0 ? x : x * p),
  elu: (x, p) => (x > 0 ? x : p * Math.expm1(x)),
  clampMin: (x, p) => (x < p ? p : x),
  clampMax: (x, p) => (x > p ? p : x),
  rsubScalar: (x, p) => p - x,
  rdivScalar: (x, p) => p / x,
  gtScalar: (x, p) => (x > p ? 1 : 0),
  geScalar: (x, p) => (x >= p ? 1 : 0),
  ltScalar: (x, p) => (x < p ? 1 : 0),
  leScalar: (x, p) => (x <= p ? 1 : 0),
  eqScalar: (x, p) => (x === p ? 1 : 0),
  neScalar: (x, p) => (x !== p ? 1 : 0),
};

export const BINARY: Record<BinaryOp, Binary> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: (a, b) => Math.pow(a, b),
  minimum: (a, b) => (a < b || Number.isNaN(a) ? a : b),
  maximum: (a, b) => (a > b || Number.isNaN(a) ? a : b),
  eq: (a, b) => (a === b ? 1 : 0),
  ne: (a, b) => (a !== b ? 1 : 0),
  lt: (a, b) => (a < b ? 1 : 0),
  le: (a, b) => (a <= b ? 1 : 0),
  gt: (a, b) => (a > b ? 1 : 0),
  ge: (a, b) => (a >= b ? 1 : 0),
  reluBackward: (g, x) => (x > 0 ? g : 0),
  sigmoidBackward: (g, y) => g * y * (1 - y),
  tanhBackward: (g, y) => g * (1 - y * y),
};

/** torch.round rounds half to even. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export function isContiguousView(v: View): boolean {
  let s = 1;
  for (let i = v.shape.length - 1; i >= 0; i--) {
    if (v.shape[i] !== 1 && v.strides[i] !== s) return false;
    s *= v.shape[i];
  }
  return true;
}

/**
 * Calls `row(offsets, inner)` once per innermost row of `shape`, with the storage offset of the
 * row's first element in each view. Kernels then run a tight loop over the row with the views'
 * innermost strides, so broadcast and transposed inputs cost no per-element callback.
 */
export function forEachRow(shape: readonly number[], views: readonly View[], row: (offs: number[], inner: number) => void): void {
  const nd = shape.length;
  const nv = views.length;
  let total = 1;
  for (const d of shape) total *= d;
  if (total === 0) return;
  const offs = views.map((v) => v.offset);
  if (nd <= 1) {
    row(offs, nd === 0 ? 1 : shape[0]);
    return;
  }
  const inner = shape[nd - 1];
  const rows = total / inner;
  const idx = new Array<number>(nd - 1).fill(0);
  for (let r = 0; r < rows; r++) {
    row(offs, inner);
    for (let ax = nd - 2; ax >= 0; ax--) {
      idx[ax]++;
      for (let v = 0; v < nv; v++) offs[v] += views[v].strides[ax];
      if (idx[ax] < shape[ax]) break;
      for (let v = 0; v < nv; v++) offs[v] -= views[v].strides[ax] * shape[ax];
      idx[ax] = 0;
    }
  }
}

/** Innermost stride of a view (1 for 0-d). */
function innerStride(v: View): number {
  return v.strides.length ? v.strides[v.strides.length - 1] : 1;
}

export function unaryKernel(op: UnaryOp, x: View, out: Float32Array, p = 0): void {
  const f = UNARY[op];
  if (!f) throw new Error(`unary: unknown op '${op}'`);
  const d = x.data;
  if (isContiguousView(x)) {
    const o = x.offset;
    for (let i = 0; i < out.length; i++) out[i] = f(d[o + i], p);
    return;
  }
  const sx = innerStride(x);
  let i = 0;
  forEachRow(x.shape, [x], (offs, n) => {
    let ox = offs[0];
    for (let j = 0; j < n; j++, ox += sx) out[i++] = f(d[ox], p);
  });
}

export function binaryKernel(op: BinaryOp, a: View, b: View, out: Float32Array): void {
  const f = BINARY[op];
  if (!f) throw new Error(`binary: unknown op '${op}'`);
  const da = a.data;
  const db = b.data;
  if (isContiguousView(a) && isContiguousView(b)) {
    const oa = a.offset;
    const ob = b.offset;
    for (let i = 0; i < out.length; i++) out[i] = f(da[oa + i], db[ob + i]);
    return;
  }
  const sa = innerStride(a), sb = innerStride(b);
  let i = 0;
  forEachRow(a.shape, [a, b], (offs, n) => {
    let oa = offs[0], ob = offs[1];
    for (let j = 0; j < n; j++, oa += sa, ob += sb) out[i++] = f(da[oa], db[ob]);
  });
}

export function whereKernel(cond: View, a: View, b: View, out: Float32Array): void {
  const dc = cond.data;
  const da = a.data;
  const db = b.data;
  const sc = innerStride(cond), sa = innerStride(a), sb = innerStride(b);
  let i = 0;
  forEachRow(cond.shape, [cond, a, b], (offs, n) => {
    let oc = offs[0], oa = offs[1], ob = offs[2];
    for (let j = 0; j < n; j++, oc += sc, oa += sa, ob += sb) out[i++] = dc[oc] !== 0 ? da[oa] : db[ob];
  });
}

export function copyKernel(x: View, out: Float32Array | Int32Array): void {
  const d = x.data;
  if (isContiguousView(x)) {
    const o = x.offset;
    if (d.constructor === out.constructor) {
      (out as Float32Array).set((d as Float32Array).subarray(o, o + out.length));
    } else if (out instanceof Int32Array) {
      // float -> int truncates toward zero, like a C cast and torch's .to(int32)
      for (let i = 0; i < out.length; i++) out[i] = Math.trunc(d[o + i]);
    } else {
      for (let i = 0; i < out.length; i++) out[i] = d[o + i];
    }
    return;
  }
  const toInt = out instanceof Int32Array && d instanceof Float32Array;
  const sx = innerStride(x);
  let i = 0;
  forEachRow(x.shape, [x], (offs, n) => {
    let ox = offs[0];
    if (toInt) for (let j = 0; j < n; j++, ox += sx) out[i++] = Math.trunc(d[ox]);
    else for (let j = 0; j < n; j++, ox += sx) out[i++] = d[ox];
  });
}
