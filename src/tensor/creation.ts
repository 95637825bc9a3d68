import type { DType } from '../backend/backend.js';
import { getBackend } from '../backend/registry.js';
import { defaultGenerator, type Generator } from './rng.js';
import { checkShape, fmtShape, numel } from './shape.js';
import { Tensor, type NestedArray } from './tensor.js';

export interface CreateOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

export interface RandomOptions extends CreateOptions {
  generator?: Generator;
}

const DTYPES: readonly DType[] = ['float32', 'float64', 'int32'];

function make(op: string, shape: readonly number[], opts: CreateOptions = {}): Tensor {
  checkShape(op, shape);
  const dtype = opts.dtype ?? 'float32';
  if (!DTYPES.includes(dtype)) throw new Error(`${op}: unknown dtype '${String(dtype)}' (expected ${DTYPES.join(', ')})`);
  const t = new Tensor(getBackend().alloc(dtype, numel(shape)), shape.slice());
  if (opts.requiresGrad) t.requiresGrad_();
  return t;
}

export function zeros(shape: readonly number[], opts?: CreateOptions): Tensor {
  return make('zeros', shape, opts);
}

export function ones(shape: readonly number[], opts?: CreateOptions): Tensor {
  return full(shape, 1, opts);
}

export function full(shape: readonly number[], value: number, opts?: CreateOptions): Tensor {
  const t = make('full', shape, opts);
  getBackend().fill(t.data, value);
  return t;
}

export function zerosLike(t: Tensor, opts?: CreateOptions): Tensor {
  return zeros(t.shape, { dtype: t.dtype, ...opts });
}

export function onesLike(t: Tensor, opts?: CreateOptions): Tensor {
  return ones(t.shape, { dtype: t.dtype, ...opts });
}

/** Values start, start+step, ... below end (like torch.arange); int32 when all arguments are integers. */
export function arange(start: number, end?: number, step = 1, opts: CreateOptions = {}): Tensor {
  if (end === undefined) {
    end = start;
    start = 0;
  }
  if (step === 0) throw new Error('arange: step must be nonzero');
  const n = Math.max(0, Math.ceil((end - start) / step));
  const dtype = opts.dtype ?? (Number.isInteger(start) && Number.isInteger(end) && Number.isInteger(step) ? 'int32' : 'float32');
  const t = make('arange', [n], { ...opts, dtype });
  for (let i = 0; i < n; i++) t.data[i] = start + i * step;
  return t;
}

export function linspace(start: number, end: number, steps: number, opts?: CreateOptions): Tensor {
  if (!Number.isInteger(steps) || steps < 0) throw new Error(`linspace: steps must be a non-negative integer, got ${steps}`);
  const t = make('linspace', [steps], opts);
  const d = steps > 1 ? (end - start) / (steps - 1) : 0;
  // torch fills the second half from the end so the last value is exactly `end`; a single step is `start`
  const half = steps === 1 ? 1 : Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) t.data[i] = i < half ? start + d * i : end - d * (steps - 1 - i);
  return t;
}

export function eye(n: number, m = n, opts?: CreateOptions): Tensor {
  const t = make('eye', [n, m], opts);
  for (let i = 0; i < Math.min(n, m); i++) t.data[i * m + i] = 1;
  return t;
}

/** Builds a tensor from (nested) arrays or a typed array (with `shape`). */
export function tensor(values: NestedArray | Float32Array | Float64Array | Int32Array, opts: CreateOptions & { shape?: readonly number[] } = {}): Tensor {
  if (values instanceof Float32Array || values instanceof Float64Array || values instanceof Int32Array) {
    const shape = opts.shape ?? [values.length];
    if (numel(shape) !== values.length) throw new Error(`tensor: ${values.length} values do not fill shape ${fmtShape(shape)}`);
    const dtype = opts.dtype ?? (values instanceof Int32Array ? 'int32' : values instanceof Float64Array ? 'float64' : 'float32');
    const t = make('tensor', shape, { ...opts, dtype });
    for (let i = 0; i < values.length; i++) t.data[i] = values[i];
    return t;
  }
  const shape: number[] = [];
  let probe: NestedArray = values;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe.length > 0 ? probe[0] : 0;
    if ((probe as unknown) === undefined) break;
  }
  const flat: number[] = [];
  const walk = (v: NestedArray, dim: number, path: string) => {
    if (dim === shape.length) {
      if (Array.isArray(v)) throw new Error(`tensor: ragged nested array at ${path || 'top level'} (expected a number)`);
      const num = typeof v === 'boolean' ? (v ? 1 : 0) : (v as number);
      if (typeof num !== 'number') throw new Error(`tensor: non-numeric value ${String(v)} at ${path}`);
      flat.push(num);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[dim]) {
      throw new Error(`tensor: ragged nested array at ${path || 'top level'}: expected length ${shape[dim]}, got ${Array.isArray(v) ? v.length : 'a number'}`);
    }
    v.forEach((x, i) => walk(x, dim + 1, `${path}[${i}]`));
  };
  walk(values, 0, '');
  const dtype = opts.dtype ?? 'float32';
  const t = make('tensor', shape, { ...opts, dtype });
  for (let i = 0; i < flat.length; i++) t.data[i] = flat[i];
  return t;
}

/** Uniform in [low, high). */
export function rand(shape: readonly number[], opts: RandomOptions & { low?: number; high?: number } = {}): Tensor {
  const g = opts.generator ?? defaultGenerator;
  const t = make('rand', shape, opts);
  const lo = opts.low ?? 0, hi = opts.high ?? 1;
  if (!(hi >= lo) || !Number.isFinite(lo) || !Number.isFinite(hi)) throw new Error(`rand: need finite low <= high, got [${lo}, ${hi})`);
  for (let i = 0; i < t.data.length; i++) t.data[i] = lo + (hi - lo) * g.random();
  return t;
}

/** Normal with the given mean and std (default standard normal). */
export function randn(shape: readonly number[], opts: RandomOptions & { mean?: number; std?: number } = {}): Tensor {
  const g = opts.generator ?? defaultGenerator;
  const t = make('randn', shape, opts);
  const m = opts.mean ?? 0, s = opts.std ?? 1;
  if (!(s >= 0) || !Number.isFinite(m)) throw new Error(`randn: std must be a non-negative number and mean finite, got mean ${m}, std ${s}`);
  for (let i = 0; i < t.data.length; i++) t.data[i] = m + s * g.normal();
  return t;
}

/** Integers uniform in [low, high), int32. */
export function randint(low: number, high: number, shape: readonly number[], opts: RandomOptions = {}): Tensor {
  if (!(high > low)) throw new Error(`randint: empty range [${low}, ${high})`);
  const g = opts.generator ?? defaultGenerator;
  const t = make('randint', shape, { ...opts, dtype: opts.dtype ?? 'int32' });
  for (let i = 0; i < t.data.length; i++) t.data[i] = g.randint(low, high);
  return t;
}

/** 1 with probability p (scalar or a tensor of probabilities), else 0; float32 unless `dtype` says otherwise. */
export function bernoulli(p: number | Tensor, shape?: readonly number[], opts: RandomOptions = {}): Tensor {
  const g = opts.generator ?? defaultGenerator;
  if (typeof p === 'number') {
    if (!(p >= 0 && p <= 1)) throw new Error(`bernoulli: probability must be in [0, 1], got ${p}`);
    const t = make('bernoulli', shape ?? [], opts);
    for (let i = 0; i < t.data.length; i++) t.data[i] = g.random() < p ? 1 : 0;
    return t;
  }
  const probs = p.values();
  const t = make('bernoulli', p.shape, opts);
  for (let i = 0; i < t.data.length; i++) {
    const q = probs[i];
    if (!(q >= 0 && q <= 1)) throw new Error(`bernoulli: probability ${q} at flat index ${i} is outside [0, 1]`);
    t.data[i] = g.random() < q ? 1 : 0;
  }
  return t;
}
