import { getBackend } from '../../backend/registry.js';
import { Tensor } from '../../tensor/tensor.js';
import { fmtShape, normAxis, numel } from '../../tensor/shape.js';
import { record } from '../engine.js';
import { empty, floatType } from '../helpers.js';
import { narrow, unsqueeze } from './view.js';

/** Joins tensors along an existing dimension. */
export function concat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new Error('concat: expected at least one tensor');
  const first = tensors[0];
  const d = normAxis('concat', dim, first.ndim);
  for (const t of tensors) {
    if (t.ndim !== first.ndim || t.shape.some((s, i) => i !== d && s !== first.shape[i])) {
      throw new Error(`concat: shapes ${tensors.map((x) => fmtShape(x.shape)).join(', ')} differ outside dimension ${dim}`);
    }
    // float32 with float64 promotes to float64 (as torch.cat); floats and int32 do not mix
    if (t.dtype !== first.dtype && (t.dtype === 'int32' || first.dtype === 'int32')) throw new Error(`concat: mixed dtypes ${first.dtype} and ${t.dtype}`);
  }
  const shape = first.shape.slice();
  shape[d] = tensors.reduce((p, t) => p + t.shape[d], 0);
  const out = empty(shape, first.dtype === 'int32' ? 'int32' : floatType(...tensors));
  const outer = numel(shape.slice(0, d));
  const inner = numel(shape.slice(d + 1));
  const rowOut = shape[d] * inner;
  let at = 0;
  for (const t of tensors) {
    const v = t.values();
    const row = t.shape[d] * inner;
    for (let o = 0; o < outer; o++) out.data.set(v.subarray(o * row, (o + 1) * row), o * rowOut + at);
    at += row;
  }
  return record(out, 'concat', tensors, (g) => {
    let start = 0;
    return tensors.map((t) => {
      const part = t.requiresGrad ? narrowCopy(g, d, start, t.shape[d]) : null;
      start += t.shape[d];
      return part;
    });
  });
}

/** A contiguous copy of a narrow slice, without recording. */
function narrowCopy(g: Tensor, d: number, start: number, len: number): Tensor {
  const v = narrow(g, d, start, len);
  const out = empty(v.shape, floatType(v));
  getBackend().copy(v, out.data);
  return out;
}

/** Joins tensors of identical shape along a new dimension. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new Error('stack: expected at least one tensor');
  const s0 = tensors[0].shape;
  for (const t of tensors) {
    if (t.ndim !== s0.length || t.shape.some((x, i) => x !== s0[i])) {
      throw new Error(`stack: all tensors must have the same shape, got ${tensors.map((x) => fmtShape(x.shape)).join(', ')}`);
    }
  }
  const d = normAxis('stack', dim, s0.length + 1);
  return concat(tensors.map((t) => unsqueeze(t, d)), d);
}

/** Splits into pieces of `sizeOrSections` (a size: equal pieces, last smaller; an array: those sizes). */
export function split(x: Tensor, sizeOrSections: number | readonly number[], dim = 0): Tensor[] {
  const d = normAxis('split', dim, x.ndim);
  const n = x.shape[d];
  let sizes: number[];
  if (typeof sizeOrSections === 'number') {
    if (!Number.isInteger(sizeOrSections) || sizeOrSections <= 0) throw new Error(`split: size must be a positive integer, got ${sizeOrSections}`);
    sizes = [];
    for (let s = 0; s < n; s += sizeOrSections) sizes.push(Math.min(sizeOrSections, n - s));
  } else {
    sizes = sizeOrSections.slice();
    const total = sizes.reduce((a, b) => a + b, 0);
    if (total !== n) throw new Error(`split: sections ${fmtShape(sizes)} sum to ${total}, but dimension ${dim} has size ${n}`);
  }
  const out: Tensor[] = [];
  let start = 0;
  for (const s of sizes) {
    out.push(narrow(x, d, start, s));
    start += s;
  }
  return out;
}

/** Splits into `chunks` pieces of equal size (the last may be smaller), like torch.chunk. */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  const d = normAxis('chunk', dim, x.ndim);
  if (!Number.isInteger(chunks) || chunks <= 0) throw new Error(`chunk: chunks must be a positive integer, got ${chunks}`);
  return split(x, Math.max(1, Math.ceil(x.shape[d] / chunks)), d);
}
