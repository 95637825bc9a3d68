import { getBackend } from '../../backend/registry.js';
import { Tensor } from '../../tensor/tensor.js';
import { checkShape, contiguousStrides, fmtShape, normAxis, numel } from '../../tensor/shape.js';
import { record } from '../engine.js';
import { empty, expandedView, floatType } from '../helpers.js';
import { sumToShape } from './reduce.js';

/** A view sharing x's storage; the gradient of a view is reshaped/rearranged back by `back`. */
function makeView(x: Tensor, shape: readonly number[], strides: readonly number[], offset: number): Tensor {
  return new Tensor(x.data, shape, strides, offset);
}

/** A contiguous copy when needed (always owned data when `force`). */
export function contiguous(x: Tensor): Tensor {
  if (x.isContiguous()) return x;
  const out = empty(x.shape, x.dtype);
  getBackend().copy(x, out.data);
  return record(out, 'contiguous', [x], (g) => [g]);
}

export function clone(x: Tensor): Tensor {
  const out = empty(x.shape, x.dtype);
  getBackend().copy(x, out.data);
  return record(out, 'clone', [x], (g) => [g]);
}

/** A tensor sharing data but cut from the graph. */
export function detach(x: Tensor): Tensor {
  return new Tensor(x.data, x.shape, x.strides, x.offset);
}

function resolveShape(op: string, x: Tensor, shape: readonly number[]): number[] {
  const out = shape.slice();
  const inferred = out.indexOf(-1);
  if (inferred !== out.lastIndexOf(-1)) throw new Error(`${op}: only one dimension can be -1, got ${fmtShape(shape)}`);
  if (inferred >= 0) {
    const known = out.reduce((p, d, i) => (i === inferred ? p : p * d), 1);
    if (known === 0 || x.size % known !== 0) {
      throw new Error(`${op}: cannot reshape tensor of shape ${fmtShape(x.shape)} (${x.size} elements) into ${fmtShape(shape)}`);
    }
    out[inferred] = x.size / known;
  }
  checkShape(op, out);
  if (numel(out) !== x.size) {
    throw new Error(`${op}: cannot reshape tensor of shape ${fmtShape(x.shape)} (${x.size} elements) into ${fmtShape(shape)} (${numel(out)} elements)`);
  }
  return out;
}

/**
 * Strides for viewing x as `shape` without copying, or null when the memory layout does not allow
 * it (torch's view rule: each run of merged/split dims must be contiguous within itself).
 */
function viewStrides(x: Tensor, shape: readonly number[]): number[] | null {
  if (x.isContiguous()) return contiguousStrides(shape);
  // group old dims (ignoring size-1) and match them to new dims by products
  const oldDims = x.shape.map((d, i) => [d, x.strides[i]] as const).filter(([d]) => d !== 1);
  const strides = new Array<number>(shape.length).fill(0);
  let oi = 0;
  let ni = 0;
  while (ni < shape.length) {
    if (shape[ni] === 1) { strides[ni] = 1; ni++; continue; }
    if (oi >= oldDims.length) return null;
    // take a chunk of old dims that are contiguous with each other
    let oldProd = oldDims[oi][0];
    let chunkEnd = oi;
    const newStart = ni;
    let newProd = shape[ni];
    while (oldProd !== newProd) {
      if (oldProd < newProd) {
        chunkEnd++;
        if (chunkEnd >= oldDims.length) return null;
        if (oldDims[chunkEnd - 1][1] !== oldDims[chunkEnd][1] * oldDims[chunkEnd][0]) return null;
        oldProd *= oldDims[chunkEnd][0];
      } else {
        ni++;
        if (ni >= shape.length) return null;
        newProd *= shape[ni];
      }
    }
    // assign strides to new dims newStart..ni from the innermost old stride
    let s = oldDims[chunkEnd][1];
    for (let k = ni; k >= newStart; k--) {
      strides[k] = s;
      s *= shape[k];
    }
    oi = chunkEnd + 1;
    ni++;
  }
  return strides;
}

/** Reshape; a view when the layout allows, otherwise a copy (like torch.reshape). */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const s = resolveShape('reshape', x, shape);
  const strides = viewStrides(x, s);
  const out = strides ? makeView(x, s, strides, x.offset) : (() => {
    const o = empty(s, x.dtype);
    getBackend().copy(x, o.data);
    return o;
  })();
  return record(out, 'reshape', [x], (g) => [reshape(g, x.shape)]);
}

/** Like reshape but never copies: throws when the layout does not allow a view. */
export function view(x: Tensor, shape: readonly number[]): Tensor {
  const s = resolveShape('view', x, shape);
  const strides = viewStrides(x, s);
  if (!strides) {
    throw new Error(`view: tensor of shape ${fmtShape(x.shape)} with strides ${fmtShape(x.strides)} cannot be viewed as ${fmtShape(s)} without a copy; use reshape()`);
  }
  const out = makeView(x, s, strides, x.offset);
  return record(out, 'view', [x], (g) => [reshape(g, x.shape)]);
}

export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normAxis('flatten', startDim, x.ndim);
  const e = normAxis('flatten', endDim, x.ndim);
  if (s > e) throw new Error(`flatten: startDim ${startDim} comes after endDim ${endDim}`);
  const shape = [...x.shape.slice(0, s), numel(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
  return reshape(x, shape);
}

export function permute(x: Tensor, dims: readonly number[]): Tensor {
  if (dims.length !== x.ndim) throw new Error(`permute: got ${dims.length} dims ${fmtShape(dims)} for a tensor with ${x.ndim} dimensions`);
  const p = dims.map((d) => normAxis('permute', d, x.ndim));
  if (new Set(p).size !== p.length) throw new Error(`permute: repeated dimension in ${fmtShape(dims)}`);
  const out = makeView(x, p.map((i) => x.shape[i]), p.map((i) => x.strides[i]), x.offset);
  const inv = new Array<number>(p.length);
  p.forEach((d, i) => (inv[d] = i));
  return record(out, 'permute', [x], (g) => [permute(g, inv)]);
}

export function transpose(x: Tensor, dim0 = -2, dim1 = -1): Tensor {
  if (x.ndim < 2 && dim0 === -2 && dim1 === -1) return x;
  const a = normAxis('transpose', dim0, x.ndim);
  const b = normAxis('transpose', dim1, x.ndim);
  const perm = x.shape.map((_, i) => i);
  perm[a] = b;
  perm[b] = a;
  return permute(x, perm);
}

/** Elements start..start+length-1 along `dim`, as a view. */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  const d = normAxis('narrow', dim, x.ndim);
  const n = x.shape[d];
  if (start < 0) start += n;
  if (!Number.isInteger(start) || !Number.isInteger(length) || start < 0 || length < 0 || start + length > n) {
    throw new Error(`narrow: range [${start}, ${start + length}) is outside dimension ${dim} of size ${n} (shape ${fmtShape(x.shape)})`);
  }
  const shape = x.shape.slice();
  shape[d] = length;
  const out = makeView(x, shape, x.strides, x.offset + start * x.strides[d]);
  return record(out, 'narrow', [x], (g) => [padInto(g, x.shape, d, start)]);
}

/** Python-style slice along one dim: start/end may be negative or omitted; step > 0. */
export function slice(x: Tensor, dim: number, start?: number, end?: number, step = 1): Tensor {
  const d = normAxis('slice', dim, x.ndim);
  const n = x.shape[d];
  if (!Number.isInteger(step) || step <= 0) throw new Error(`slice: step must be a positive integer, got ${step}`);
  let s = start ?? 0, e = end ?? n;
  if (s < 0) s += n;
  if (e < 0) e += n;
  s = Math.min(Math.max(s, 0), n);
  e = Math.min(Math.max(e, s), n);
  const len = Math.ceil((e - s) / step);
  const shape = x.shape.slice();
  shape[d] = len;
  const strides = x.strides.slice();
  strides[d] = x.strides[d] * step;
  const out = makeView(x, shape, strides, x.offset + s * x.strides[d]);
  return record(out, 'slice', [x], (g) => {
    const gx = empty(x.shape, floatType(x));
    const target = new Tensor(gx.data, shape, contiguousStridesFor(x.shape, d, step), s * contiguousStrides(x.shape)[d]);
    // write g into the strided positions of a zero tensor
    copyInto(g, target);
    return [gx];
  });
}

function contiguousStridesFor(shape: readonly number[], d: number, step: number): number[] {
  const st = contiguousStrides(shape);
  st[d] *= step;
  return st;
}

function copyInto(src: Tensor, dst: Tensor): void {
  // dst is a strided window onto fresh zeros; copy element by element through a contiguous temp
  const vals = src.values();
  const tmpIdx = new Int32Array(dst.size);
  let i = 0;
  const walk = (dim: number, off: number) => {
    if (dim === dst.ndim) { tmpIdx[i++] = off; return; }
    for (let k = 0; k < dst.shape[dim]; k++) walk(dim + 1, off + k * dst.strides[dim]);
  };
  walk(0, dst.offset);
  const d = dst.data;
  for (let k = 0; k < tmpIdx.length; k++) d[tmpIdx[k]] = vals[k];
}

/** Zero tensor of `shape` with g placed at offset `start` along `dim` (block copies, no per-element walk). */
function padInto(g: Tensor, shape: readonly number[], dim: number, start: number): Tensor {
  const out = empty(shape, floatType(g));
  const outer = numel(shape.slice(0, dim));
  const inner = numel(shape.slice(dim + 1));
  const len = g.shape[dim];
  const block = len * inner;
  const rowOut = shape[dim] * inner;
  const src = g.values();
  const dst = out.data;
  for (let o = 0; o < outer; o++) dst.set(src.subarray(o * block, (o + 1) * block), o * rowOut + start * inner);
  return out;
}

/** Selects index `i` along `dim`, removing that dimension (a view). */
export function select(x: Tensor, dim: number, index: number): Tensor {
  const d = normAxis('select', dim, x.ndim);
  const n = x.shape[d];
  const i = index < 0 ? index + n : index;
  if (!Number.isInteger(i) || i < 0 || i >= n) throw new Error(`select: index ${index} is out of range for dimension ${dim} of size ${n}`);
  const shape = x.shape.filter((_, k) => k !== d);
  const strides = x.strides.filter((_, k) => k !== d);
  const out = makeView(x, shape, strides, x.offset + i * x.strides[d]);
  return record(out, 'select', [x], (g) => {
    const kept = x.shape.slice();
    kept[d] = 1;
    return [padInto(reshape(g, kept), x.shape, d, i)];
  });
}

/** Broadcast view to `shape` (-1 keeps a size); the gradient sums over the expanded axes. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  const off = shape.length - x.ndim;
  if (off < 0) throw new Error(`expand: target ${fmtShape(shape)} has fewer dimensions than the input ${fmtShape(x.shape)}`);
  const target = shape.map((d, i) => (d === -1 && i >= off ? x.shape[i - off] : d));
  const v = expandedView(x, target);
  const out = new Tensor(x.data, target, v.strides, x.offset);
  return record(out, 'expand', [x], (g) => [sumToShape(g, x.shape)]);
}

export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normAxis('unsqueeze', dim, x.ndim + 1);
  const shape = x.shape.slice();
  shape.splice(d, 0, 1);
  const strides = x.strides.slice();
  strides.splice(d, 0, d < x.ndim ? x.strides[d] * x.shape[d] : 1);
  const out = makeView(x, shape, strides, x.offset);
  return record(out, 'unsqueeze', [x], (g) => [reshape(g, x.shape)]);
}

/** Removes size-1 dims (all, or the given one which must have size 1... or is left alone like torch). */
export function squeeze(x: Tensor, dim?: number): Tensor {
  let keep: number[];
  if (dim === undefined) keep = x.shape.map((_, i) => i).filter((i) => x.shape[i] !== 1);
  else {
    const d = normAxis('squeeze', dim, x.ndim);
    keep = x.shape.map((_, i) => i).filter((i) => i !== d || x.shape[i] !== 1);
  }
  const out = makeView(x, keep.map((i) => x.shape[i]), keep.map((i) => x.strides[i]), x.offset);
  return record(out, 'squeeze', [x], (g) => [reshape(g, x.shape)]);
}
