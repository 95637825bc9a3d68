import type { DType, View } from '../backend/backend.js';
import { getBackend } from '../backend/registry.js';
import { Tensor } from '../tensor/tensor.js';
import { fmtShape, numel } from '../tensor/shape.js';

/** Fresh zero-filled contiguous tensor. */
export function empty(shape: readonly number[], dtype: DType = 'float32'): Tensor {
  return new Tensor(getBackend().alloc(dtype, numel(shape)), shape.slice());
}

export function onesLike(t: Tensor): Tensor {
  const out = empty(t.shape);
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

/** prev + g as a new owned tensor (prev null: a contiguous copy of g). */
export function accumulate(prev: Tensor | null, g: Tensor): Tensor {
  const out = empty(g.shape);
  if (prev === null) getBackend().copy(g, out.data);
  else getBackend().binary('add', prev, g, out.data as Float32Array);
  return out;
}

/** Throws a dtype error naming the op unless `t` is float32. */
export function requireFloat(op: string, t: Tensor, what = 'input'): void {
  if (t.dtype !== 'float32') throw new Error(`${op}: ${what} must be float32, got ${t.dtype} (shape ${fmtShape(t.shape)})`);
}

export function requireInt(op: string, t: Tensor, what = 'index'): void {
  if (t.dtype !== 'int32') throw new Error(`${op}: ${what} must be int32, got ${t.dtype} (shape ${fmtShape(t.shape)})`);
}

/** A contiguous version of `t` (itself when already contiguous). Not recorded: use ops.contiguous for autograd. */
export function contiguousData(t: Tensor): Storage {
  return t.values();
}

type Storage = Float32Array | Int32Array;
