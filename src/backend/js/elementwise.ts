import type { BinaryOp, UnaryOp, View } from '../backend.js';
import { erf, gelu, sigmoid, softplus } from './math.js';

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
 * Visits the storage offsets of up to three views of the same shape in row-major order.
 * The innermost axis is a tight loop; outer axes advance with counters (no per-element division).
 */
export function forEachOffset(
  shape: readonly number[],
  views: readonly View[],
  body: (i: number, offs: Int32Array | number[]) => void,
): void {
  const nd = shape.length;
  const nv = views.length;
  let total = 1;
  for (const d of shape) total *= d;
  if (total === 0) return;
  const offs = new Array<number>(nv);
  for (let v = 0; v < nv; v++) offs[v] = views[v].offset;
  if (nd === 0) {
    body(0, offs);
    return;
  }
  const idx = new Array<number>(nd).fill(0);
  const inner = shape[nd - 1];
  const innerStrides = views.map((v) => v.strides[nd - 1]);
  const cur = new Array<number>(nv);
  let i = 0;
  while (i < total) {
    for (let v = 0; v < nv; v++) cur[v] = offs[v];
    for (let j = 0; j < inner; j++) {
      body(i++, cur);
      for (let v = 0; v < nv; v++) cur[v] += innerStrides[v];
    }
    // advance outer counters
    for (let ax = nd - 2; ax >= 0; ax--) {
      idx[ax]++;
      for (let v = 0; v < nv; v++) offs[v] += views[v].strides[ax];
      if (idx[ax] < shape[ax]) break;
      for (let v = 0; v < nv; v++) offs[v] -= views[v].strides[ax] * shape[ax];
      idx[ax] = 0;
    }
  }
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
  forEachOffset(x.shape, [x], (i, offs) => {
    out[i] = f(d[offs[0]], p);
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
  forEachOffset(a.shape, [a, b], (i, offs) => {
    out[i] = f(da[offs[0]], db[offs[1]]);
  });
}

export function whereKernel(cond: View, a: View, b: View, out: Float32Array): void {
  const dc = cond.data;
  const da = a.data;
  const db = b.data;
  forEachOffset(cond.shape, [cond, a, b], (i, offs) => {
    out[i] = dc[offs[0]] !== 0 ? da[offs[1]] : db[offs[2]];
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
  forEachOffset(x.shape, [x], (i, offs) => {
    out[i] = toInt ? Math.trunc(d[offs[0]]) : d[offs[0]];
  });
}
