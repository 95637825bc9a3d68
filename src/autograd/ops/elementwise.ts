import type { BinaryOp, UnaryOp } from '../../backend/backend.js';
import { getBackend } from '../../backend/registry.js';
import { Tensor } from '../../tensor/tensor.js';
import { broadcastShapes, fmtShape } from '../../tensor/shape.js';
import { record } from '../engine.js';
import { empty, expandedView, floatType } from '../helpers.js';
import { asTensor, type TensorLike } from './scalar.js';
import { sumToShape } from './reduce.js';

/** Runs a unary kernel into a fresh float tensor of the same shape (float64 for float64 input, else float32). */
export function mapUnary(op: UnaryOp, x: Tensor, p?: number): Tensor {
  const out = empty(x.shape, floatType(x));
  getBackend().unary(op, x, out.data as Float32Array, p);
  return out;
}

/** Runs a broadcasting binary kernel into a fresh float tensor (float64 when either input is). */
export function mapBinary(op: BinaryOp, name: string, a: Tensor, b: Tensor): Tensor {
  const shape = broadcastShapes(name, a.shape, b.shape);
  const out = empty(shape, floatType(a, b));
  getBackend().binary(op, expandedView(a, shape), expandedView(b, shape), out.data as Float32Array);
  return out;
}

// ---- arithmetic ---------------------------------------------------------------------------

export function add(a: TensorLike, b: TensorLike): Tensor {
  if (typeof b === 'number' && typeof a !== 'number') {
    const out = mapUnary('addScalar', a, b);
    return record(out, 'add', [a], (g) => [g]);
  }
  const ta = asTensor(a, b), tb = asTensor(b, a);
  const out = mapBinary('add', 'add', ta, tb);
  return record(out, 'add', [ta, tb], (g) => [sumToShape(g, ta.shape), sumToShape(g, tb.shape)]);
}

export function sub(a: TensorLike, b: TensorLike): Tensor {
  if (typeof b === 'number' && typeof a !== 'number') {
    const out = mapUnary('addScalar', a, -b);
    return record(out, 'sub', [a], (g) => [g]);
  }
  if (typeof a === 'number' && typeof b !== 'number') {
    const out = mapUnary('rsubScalar', b, a);
    return record(out, 'sub', [b], (g) => [neg(g)]);
  }
  const ta = asTensor(a, b), tb = asTensor(b, a);
  const out = mapBinary('sub', 'sub', ta, tb);
  return record(out, 'sub', [ta, tb], (g) => [sumToShape(g, ta.shape), sumToShape(neg(g), tb.shape)]);
}

export function mul(a: TensorLike, b: TensorLike): Tensor {
  if (typeof b === 'number' && typeof a !== 'number') {
    const out = mapUnary('mulScalar', a, b);
    return record(out, 'mul', [a], (g) => [mapUnary('mulScalar', g, b)]);
  }
  if (typeof a === 'number' && typeof b !== 'number') return mul(b, a);
  const ta = asTensor(a, b), tb = asTensor(b, a);
  const out = mapBinary('mul', 'mul', ta, tb);
  return record(out, 'mul', [ta, tb], (g) => [
    ta.requiresGrad ? sumToShape(mapBinary('mul', 'mul', g, tb), ta.shape) : null,
    tb.requiresGrad ? sumToShape(mapBinary('mul', 'mul', g, ta), tb.shape) : null,
  ]);
}

export function div(a: TensorLike, b: TensorLike): Tensor {
  if (typeof b === 'number' && typeof a !== 'number') {
    const out = mapUnary('mulScalar', a, 1 / b);
    return record(out, 'div', [a], (g) => [mapUnary('mulScalar', g, 1 / b)]);
  }
  if (typeof a === 'number' && typeof b !== 'number') {
    const out = mapUnary('rdivScalar', b, a);
    // d(a/b)/db = -a/b^2 = -out/b
    return record(out, 'div', [b], (g) => [neg(mapBinary('div', 'div', mapBinary('mul', 'mul', g, out), b))]);
  }
  const ta = asTensor(a, b), tb = asTensor(b, a);
  const out = mapBinary('div', 'div', ta, tb);
  return record(out, 'div', [ta, tb], (g) => [
    ta.requiresGrad ? sumToShape(mapBinary('div', 'div', g, tb), ta.shape) : null,
    tb.requiresGrad ? sumToShape(neg(mapBinary('div', 'div', mapBinary('mul', 'mul', g, out), tb)), tb.shape) : null,
  ]);
}

export function pow(a: Tensor, b: TensorLike): Tensor {
  if (typeof b === 'number') {
    const out = mapUnary('powScalar', a, b);
    return record(out, 'pow', [a], (g) => [
      mapBinary('mul', 'pow', g, mapUnary('mulScalar', mapUnary('powScalar', a, b - 1), b)),
    ]);
  }
  const out = mapBinary('pow', 'pow', a, b);
  return record(out, 'pow', [a, b], (g) => [
    a.requiresGrad
      ? sumToShape(mapBinary('mul', 'pow', g, mapBinary('mul', 'pow', b, mapBinary('pow', 'pow', a, mapUnary('addScalar', b, -1)))), a.shape)
      : null,
    // d(a^b)/db = a^b · log(a); defined as 0 where a = 0 (and b > 0), as torch does
    b.requiresGrad
      ? sumToShape(mapBinary('mul', 'pow', g, safeMulLog(out, a)), b.shape)
      : null,
  ]);
}

function safeMulLog(out: Tensor, a: Tensor): Tensor {
  const shape = out.shape;
  const la = mapUnary('log', a);
  const prod = mapBinary('mul', 'pow', out, la);
  const zero = mapUnary('eqScalar', a, 0);
  const res = empty(shape, floatType(prod));
  getBackend().where(expandedView(zero, shape), expandedView(asTensor(0), shape), prod, res.data as Float32Array);
  return res;
}

export function neg(x: Tensor): Tensor {
  const out = mapUnary('neg', x);
  return record(out, 'neg', [x], (g) => [mapUnary('neg', g)]);
}

export function exp(x: Tensor): Tensor {
  const out = mapUnary('exp', x);
  return record(out, 'exp', [x], (g) => [mapBinary('mul', 'exp', g, out)]);
}

export function log(x: Tensor): Tensor {
  const out = mapUnary('log', x);
  return record(out, 'log', [x], (g) => [mapBinary('div', 'log', g, x)]);
}

export function log1p(x: Tensor): Tensor {
  const out = mapUnary('log1p', x);
  return record(out, 'log1p', [x], (g) => [mapBinary('div', 'log1p', g, mapUnary('addScalar', x, 1))]);
}

export function sqrt(x: Tensor): Tensor {
  const out = mapUnary('sqrt', x);
  return record(out, 'sqrt', [x], (g) => [mapBinary('div', 'sqrt', g, mapUnary('mulScalar', out, 2))]);
}

export function rsqrt(x: Tensor): Tensor {
  const out = mapUnary('rsqrt', x);
  // d x^-1/2 = -1/2 x^-3/2 = -1/2 out^3
  return record(out, 'rsqrt', [x], (g) => [mapBinary('mul', 'rsqrt', g, mapUnary('mulScalar', mapUnary('powScalar', out, 3), -0.5))]);
}

export function square(x: Tensor): Tensor {
  const out = mapUnary('square', x);
  return record(out, 'square', [x], (g) => [mapBinary('mul', 'square', g, mapUnary('mulScalar', x, 2))]);
}

export function reciprocal(x: Tensor): Tensor {
  const out = mapUnary('reciprocal', x);
  return record(out, 'reciprocal', [x], (g) => [mapUnary('neg', mapBinary('mul', 'reciprocal', g, mapUnary('square', out)))]);
}

export function abs(x: Tensor): Tensor {
  const out = mapUnary('abs', x);
  return record(out, 'abs', [x], (g) => [mapBinary('mul', 'abs', g, mapUnary('sign', x))]);
}

/** sign has zero gradient almost everywhere; recorded so graphs through it stay connected. */
export function sign(x: Tensor): Tensor {
  const out = mapUnary('sign', x);
  return record(out, 'sign', [x], () => [empty(x.shape, floatType(x))]);
}

export function sin(x: Tensor): Tensor {
  const out = mapUnary('sin', x);
  return record(out, 'sin', [x], (g) => [mapBinary('mul', 'sin', g, mapUnary('cos', x))]);
}

export function cos(x: Tensor): Tensor {
  const out = mapUnary('cos', x);
  return record(out, 'cos', [x], (g) => [mapUnary('neg', mapBinary('mul', 'cos', g, mapUnary('sin', x)))]);
}

/** Clamps into [min, max]; the gradient flows only where the input was inside (as torch). */
export function clamp(x: Tensor, min?: number | null, max?: number | null): Tensor {
  if (min == null && max == null) throw new Error('clamp: at least one of min and max must be given');
  if (min != null && max != null && min > max) throw new Error(`clamp: min (${min}) is greater than max (${max})`);
  let out = x;
  let pass: Tensor | null = null;
  if (min != null) {
    out = mapUnary('clampMin', out, min);
    pass = mapUnary('geScalar', x, min);
  }
  if (max != null) {
    out = mapUnary('clampMax', out, max);
    const le = mapUnary('leScalar', x, max);
    pass = pass ? mapBinary('mul', 'clamp', pass, le) : le;
  }
  const mask = pass as Tensor;
  return record(out, 'clamp', [x], (g) => [mapBinary('mul', 'clamp', g, mask)]);
}

function minMax(op: 'minimum' | 'maximum', a: Tensor, b: Tensor): Tensor {
  const out = mapBinary(op, op, a, b);
  return record(out, op, [a, b], (g) => {
    // ties split the gradient evenly, as torch does
    const shape = out.shape;
    const ea = mapBinary('eq', op, a, out);
    const eb = mapBinary('eq', op, b, out);
    const share = mapBinary('div', op, g, mapBinary('add', op, ea, eb));
    void shape;
    return [
      a.requiresGrad ? sumToShape(mapBinary('mul', op, share, ea), a.shape) : null,
      b.requiresGrad ? sumToShape(mapBinary('mul', op, share, eb), b.shape) : null,
    ];
  });
}

export function minimum(a: TensorLike, b: TensorLike): Tensor {
  return minMax('minimum', asTensor(a, b), asTensor(b, a));
}

export function maximum(a: TensorLike, b: TensorLike): Tensor {
  return minMax('maximum', asTensor(a, b), asTensor(b, a));
}

/** Elementwise select: cond (nonzero = true) ? a : b, all broadcast together. */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  const ta = asTensor(a, b), tb = asTensor(b, a);
  const shape = broadcastShapes('where', broadcastShapes('where', cond.shape, ta.shape), tb.shape);
  const out = empty(shape, floatType(ta, tb));
  getBackend().where(expandedView(cond, shape), expandedView(ta, shape), expandedView(tb, shape), out.data as Float32Array);
  return record(out, 'where', [ta, tb], (g) => {
    const zero = asTensor(0);
    const ga = empty(shape, floatType(g)), gb = empty(shape, floatType(g));
    getBackend().where(expandedView(cond, shape), g, expandedView(zero, shape), ga.data as Float32Array);
    getBackend().where(expandedView(cond, shape), expandedView(zero, shape), g, gb.data as Float32Array);
    return [ta.requiresGrad ? sumToShape(ga, ta.shape) : null, tb.requiresGrad ? sumToShape(gb, tb.shape) : null];
  });
}

/** Fills positions where `mask` is nonzero with `value` (mask broadcasts to x). */
export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  const shape = broadcastShapes('maskedFill', x.shape, mask.shape);
  if (shape.length !== x.shape.length || shape.some((d, i) => d !== x.shape[i])) {
    throw new Error(`maskedFill: mask of shape ${fmtShape(mask.shape)} must broadcast to the input's shape ${fmtShape(x.shape)}`);
  }
  const out = empty(shape, floatType(x));
  getBackend().where(expandedView(mask, shape), expandedView(asTensor(value, x), shape), x, out.data as Float32Array);
  return record(out, 'maskedFill', [x], (g) => {
    const gx = empty(shape, floatType(g));
    getBackend().where(expandedView(mask, shape), expandedView(asTensor(0), shape), g, gx.data as Float32Array);
    return [gx];
  });
}

// ---- comparisons (no gradient; results are 0/1 masks in the inputs' float dtype) -----------

function compare(op: BinaryOp, scalarOp: UnaryOp, a: Tensor, b: TensorLike): Tensor {
  if (typeof b === 'number') return mapUnary(scalarOp, a, b);
  return mapBinary(op, op, a, b);
}

export const eq = (a: Tensor, b: TensorLike) => compare('eq', 'eqScalar', a, b);
export const ne = (a: Tensor, b: TensorLike) => compare('ne', 'neScalar', a, b);
export const lt = (a: Tensor, b: TensorLike) => compare('lt', 'ltScalar', a, b);
export const le = (a: Tensor, b: TensorLike) => compare('le', 'leScalar', a, b);
export const gt = (a: Tensor, b: TensorLike) => compare('gt', 'gtScalar', a, b);
export const ge = (a: Tensor, b: TensorLike) => compare('ge', 'geScalar', a, b);

/** Checks every value is finite; throws naming `what` otherwise (for catching NaN early). */
export function assertFinite(x: Tensor, what: string): void {
  const v = x.values();
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i])) {
      throw new Error(`${what}: found ${v[i]} at flat index ${i} of a tensor of shape ${fmtShape(x.shape)}`);
    }
  }
}
