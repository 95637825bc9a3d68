import { getBackend } from '../../backend/registry.js';
import { Tensor } from '../../tensor/tensor.js';
import { fmtShape, normAxis, numel } from '../../tensor/shape.js';
import { record } from '../engine.js';
import { empty, requireInt, floatType } from '../helpers.js';

function checkRange(op: string, index: Int32Array, n: number, what: string): void {
  for (let i = 0; i < index.length; i++) {
    const v = index[i];
    if (v < 0 || v >= n) throw new Error(`${op}: index ${v} (at position ${i}) is out of range for ${what} of size ${n}`);
  }
}

/** Picks whole slices along `dim` (torch.index_select); index is a 1-D int32 tensor. */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  requireInt('indexSelect', index);
  if (index.ndim !== 1) throw new Error(`indexSelect: index must be 1-D, got shape ${fmtShape(index.shape)}`);
  const d = normAxis('indexSelect', dim, x.ndim);
  const idx = index.values() as Int32Array;
  checkRange('indexSelect', idx, x.shape[d], `dimension ${dim}`);
  const outer = numel(x.shape.slice(0, d));
  const inner = numel(x.shape.slice(d + 1));
  const shape = x.shape.slice();
  shape[d] = idx.length;
  const out = empty(shape, x.dtype);
  getBackend().indexSelect(x.values(), outer, x.shape[d], inner, idx, out.data);
  return record(out, 'indexSelect', [x], (g) => {
    const gx = empty(x.shape, floatType(x));
    getBackend().indexAdd(g.values() as Float32Array, outer, x.shape[d], inner, idx, gx.data as Float32Array);
    return [gx];
  });
}

/** Row lookup: weight [num, dim], indices of any shape -> [...indices.shape, dim]. */
export function embedding(weight: Tensor, indices: Tensor, paddingIdx?: number | null): Tensor {
  requireInt('embedding', indices, 'indices');
  if (weight.ndim !== 2) throw new Error(`embedding: weight must be 2-D [num, dim], got ${fmtShape(weight.shape)}`);
  const idx = indices.values() as Int32Array;
  const [num, dim] = weight.shape;
  checkRange('embedding', idx, num, 'an embedding table');
  const out = empty([...indices.shape, dim], floatType(weight));
  getBackend().indexSelect(weight.values(), 1, num, dim, idx, out.data);
  return record(out, 'embedding', [weight], (g) => {
    const gw = empty(weight.shape, floatType(weight));
    getBackend().indexAdd(g.values() as Float32Array, 1, num, dim, idx, gw.data as Float32Array);
    if (paddingIdx != null) (gw.data as Float32Array).fill(0, paddingIdx * dim, (paddingIdx + 1) * dim);
    return [gw];
  });
}

function gatherGeometry(op: string, x: Tensor, d: number, index: Tensor) {
  requireInt(op, index);
  if (index.ndim !== x.ndim) throw new Error(`${op}: index must have as many dimensions as the input (${x.ndim}), got ${fmtShape(index.shape)}`);
  for (let i = 0; i < x.ndim; i++) {
    if (i !== d && index.shape[i] !== x.shape[i]) {
      throw new Error(`${op}: index shape ${fmtShape(index.shape)} must match input shape ${fmtShape(x.shape)} outside dimension ${d}`);
    }
  }
  return { outer: numel(x.shape.slice(0, d)), inner: numel(x.shape.slice(d + 1)), n: x.shape[d], m: index.shape[d] };
}

/** torch.gather: out[..., j, ...] = x[..., index[..., j, ...], ...] along `dim`. */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  const d = normAxis('gather', dim, x.ndim);
  const { outer, inner, n, m } = gatherGeometry('gather', x, d, index);
  const idx = index.values() as Int32Array;
  checkRange('gather', idx, n, `dimension ${dim}`);
  const out = empty(index.shape, x.dtype);
  getBackend().gather(x.values(), outer, n, inner, idx, m, out.data);
  return record(out, 'gather', [x], (g) => {
    const gx = empty(x.shape, floatType(x));
    getBackend().scatterAdd(g.values() as Float32Array, outer, n, inner, idx, m, gx.data as Float32Array);
    return [gx];
  });
}

/** Out-of-place torch.scatter_add: a copy of x with src added at index positions along `dim`. */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  const d = normAxis('scatterAdd', dim, x.ndim);
  const { outer, inner, n, m } = gatherGeometry('scatterAdd', x, d, index);
  if (src.ndim !== index.ndim || src.shape.some((s, i) => s !== index.shape[i])) {
    throw new Error(`scatterAdd: src shape ${fmtShape(src.shape)} must equal index shape ${fmtShape(index.shape)}`);
  }
  const idx = index.values() as Int32Array;
  checkRange('scatterAdd', idx, n, `dimension ${dim}`);
  const out = empty(x.shape, floatType(x, src));
  out.data.set(x.values());
  getBackend().scatterAdd(src.values() as Float32Array, outer, n, inner, idx, m, out.data as Float32Array);
  return record(out, 'scatterAdd', [x, src], (g) => {
    let gs: Tensor | null = null;
    if (src.requiresGrad) {
      gs = empty(index.shape, floatType(g));
      getBackend().gather(g.values(), outer, n, inner, idx, m, gs.data);
    }
    return [g, gs];
  });
}

/** One-hot encoding of int32 labels -> float32 [..., numClasses]. */
export function oneHot(labels: Tensor, numClasses: number): Tensor {
  requireInt('oneHot', labels, 'labels');
  const idx = labels.values() as Int32Array;
  checkRange('oneHot', idx, numClasses, 'numClasses');
  const out = empty([...labels.shape, numClasses]);
  const d = out.data as Float32Array;
  for (let i = 0; i < idx.length; i++) d[i * numClasses + idx[i]] = 1;
  return out;
}

/** k largest (or smallest) values along the last... or given dim, sorted; returns values and int32 indices. */
export function topk(x: Tensor, k: number, dim = -1, largest = true): { values: Tensor; indices: Tensor } {
  const d = normAxis('topk', dim, x.ndim);
  const n = x.shape[d];
  if (!Number.isInteger(k) || k < 0 || k > n) throw new Error(`topk: k = ${k} is out of range for dimension ${dim} of size ${n}`);
  // move dim last, run the row kernel, move back
  const perm = x.shape.map((_, i) => i).filter((i) => i !== d).concat([d]);
  const moved = { data: x.data, shape: perm.map((p) => x.shape[p]), strides: perm.map((p) => x.strides[p]), offset: x.offset };
  const rows = numel(moved.shape) / Math.max(1, n);
  const flat = getBackend().alloc(floatType(x), numel(moved.shape)) as Float32Array;
  getBackend().copy(moved, flat);
  const vals = getBackend().alloc(floatType(x), rows * k) as Float32Array;
  const inds = new Int32Array(rows * k);
  getBackend().topk(flat, n === 0 ? 0 : rows, n, k, largest, vals, inds);
  const movedShape = [...moved.shape.slice(0, -1), k];
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  const finalShape = inv.map((i) => movedShape[i]);
  const valuesMoved = new Tensor(vals, movedShape);
  const indicesMoved = new Tensor(inds, movedShape);
  const values = permuteCopy(valuesMoved, inv, finalShape);
  const indices = permuteCopy(indicesMoved, inv, finalShape);
  record(values, 'topk', [x], (g) => {
    const gx = empty(x.shape, floatType(x));
    const gxm = { data: gx.data, shape: moved.shape, strides: perm.map((p) => gxStrides(x.shape)[p]), offset: 0 };
    // scatter g (in moved layout) back to the source positions
    const gm = permuteCopy(g, perm, movedShape).values() as Float32Array;
    const outer = rows;
    const gxd = gx.data as Float32Array;
    const coords = new Array<number>(moved.shape.length).fill(0);
    for (let r = 0; r < outer; r++) {
      let rem = r, base = 0;
      for (let a = moved.shape.length - 2; a >= 0; a--) {
        coords[a] = rem % moved.shape[a];
        rem = Math.floor(rem / moved.shape[a]);
        base += coords[a] * gxm.strides[a];
      }
      for (let j = 0; j < k; j++) gxd[base + inds[r * k + j] * gxm.strides[moved.shape.length - 1]] += gm[r * k + j];
    }
    return [gx];
  });
  return { values, indices };
}

function gxStrides(shape: readonly number[]): number[] {
  const st = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) { st[i] = s; s *= shape[i]; }
  return st;
}

function permuteCopy(t: Tensor, perm: readonly number[], shape: readonly number[]): Tensor {
  const v = { data: t.data, shape, strides: perm.map((p) => t.strides[p]), offset: t.offset };
  const out = empty(shape, t.dtype);
  getBackend().copy(v, out.data);
  return out;
}

/** Sorts along `dim` (stable; NaN last when ascending). */
export function sort(x: Tensor, dim = -1, descending = false): { values: Tensor; indices: Tensor } {
  const d = normAxis('sort', dim, x.ndim);
  return topk(x, x.shape[d], d, descending);
}
