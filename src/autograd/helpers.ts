import type { DType, View } from '../backend/backend.js';
import { getBackend } from '../backend/registry.js';
import { Tensor } from '../tensor/tensor.js';
import { fmtShape, numel } from '../tensor/shape.js';

/** Fresh zero-filled contiguous tensor. */
export function empty(shape: readonly number[], dtype: DType = 'float32'): Tensor {
  return new Tensor(getBackend().alloc(dtype, numel(shape)), shape.slice());
}

export function onesLike(t: Tensor): Tensor {
  const out = empty(t.shape, floatType(t));
  getBackend().fill(out.data, 1);
  return out;
}

/** A view of `t` expanded (stride 0) to `shape`, which must be a broadcast of t.shape. */
export function expandedView(t: View, shape: readonly number[]): View {
  const nd = shape.length;
  const off = nd - t.shape.length;
  const strides = new Array<number>(nd);
  for (let i = 0; i < nd; i++) {
    const j = i - off;
    if (j < 0) strides[i] = 0;
    else if (t.shape[j] === shape[i]) strides[i] = t.shape[j] === 1 ? 0 : t.strides[j];
    else if (t.shape[j] === 1) strides[i] = 0;
    else throw new Error(`expand: cannot expand ${fmtShape(t.shape)} to ${fmtShape(shape)}`);
  }
  return { data: t.data, shape, strides, offset: t.offset };
}

/**
 * Strides of `t` when its elements fill a gap-free block starting at its offset in some dimension
 * order (a contiguous tensor, or e.g. the transposed view of one); null otherwise.
 */
export function denseStrides(t: View): readonly number[] | null {
  const dims: number[] = [];
  for (let i = 0; i < t.shape.length; i++) {
    if (t.shape[i] === 0) return null;
    if (t.shape[i] > 1) dims.push(i);
  }
  dims.sort((x, y) => t.strides[x] - t.strides[y]);
  let expected = 1;
  for (const d of dims) {
    if (t.strides[d] !== expected) return null;
    expected *= t.shape[d];
  }
  return t.strides;
}

function sameStrides(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function flat(t: View, n: number): View {
  return { data: t.data, shape: [n], strides: [1], offset: t.offset };
}

/**
 * prev + g as a new owned tensor (prev null: a copy of g). When g is a dense block in another
 * dimension order (the gradient of a transposed weight, summed over time steps) and prev has
 * that layout too, the sum keeps it: the additions stay sequential passes over memory instead of
 * strided ones. Otherwise the result is contiguous.
 */
export function accumulate(prev: Tensor | null, g: Tensor): Tensor {
  const n = g.size;
  const layout = denseStrides(g);
  if (layout && n > 1 && !g.isContiguous() && (prev === null || (denseStrides(prev) && sameStrides(prev.strides, layout)))) {
    const out = new Tensor(getBackend().alloc(floatType(g), n), g.shape.slice(), layout.slice());
    if (prev === null) getBackend().copy(flat(g, n), out.data);
    else getBackend().binary('add', flat(prev, n), flat(g, n), out.data as Float32Array);
    return out;
  }
  return accumulateContiguous(prev, g);
}

/** prev + g (prev null: g) as a new contiguous tensor. */
export function accumulateContiguous(prev: Tensor | null, g: Tensor): Tensor {
  const out = empty(g.shape, prev ? floatType(prev, g) : floatType(g));
  if (prev === null) getBackend().copy(g, out.data);
  else getBackend().binary('add', prev, g, out.data as Float32Array);
  return out;
}

/**
 * acc += g in place, for an accumulator this backward pass allocated; true when done. That needs
 * acc contiguous, or dense in g's own layout (then the addition runs over the flat block).
 */
export function addInto(acc: Tensor, g: Tensor): boolean {
  const n = acc.size;
  if (acc.isContiguous() && acc.offset === 0) {
    getBackend().binary('add', acc, g, acc.data as Float32Array);
    return true;
  }
  if (!denseStrides(acc) || !denseStrides(g) || !sameStrides(acc.strides, g.strides)) return false;
  getBackend().binary('add', flat(acc, n), flat(g, n), (acc.data as Float32Array).subarray(acc.offset, acc.offset + n));
  return true;
}

/** Throws a dtype error naming the op unless `t` is floating point (float32 or float64). */
export function requireFloat(op: string, t: Tensor, what = 'input'): void {
  if (t.dtype === 'int32') throw new Error(`${op}: ${what} must be float32 or float64, got ${t.dtype} (shape ${fmtShape(t.shape)})`);
}

/**
 * The float dtype an op computes in for these inputs: float64 when any of them is float64 (as
 * torch promotes), else float32 (int32 inputs such as masks count as float32).
 */
export function floatType(...ts: readonly (Tensor | null | undefined)[]): 'float32' | 'float64' {
  for (const t of ts) if (t && t.dtype === 'float64') return 'float64';
  return 'float32';
}

/** Fresh zero-filled float storage in the dtype of `like` (scratch buffers of fused ops). */
export function floatScratch(like: Tensor, size: number): Float32Array {
  return getBackend().alloc(floatType(like), size) as Float32Array;
}

/** `t` itself when it has `dtype`, else a contiguous copy converted to it (not recorded). */
export function castTo(t: Tensor, dtype: DType): Tensor {
  if (t.dtype === dtype) return t;
  const out = empty(t.shape, dtype);
  getBackend().copy(t, out.data);
  return out;
}

export function requireInt(op: string, t: Tensor, what = 'index'): void {
  if (t.dtype !== 'int32') throw new Error(`${op}: ${what} must be int32, got ${t.dtype} (shape ${fmtShape(t.shape)})`);
}

/** A contiguous version of `t` (itself when already contiguous). Not recorded: use ops.contiguous for autograd. */
export function contiguousData(t: Tensor): Storage {
  return t.values();
}

type Storage = Float32Array | Float64Array | Int32Array;
