import type { ReduceOp } from '../../backend/backend.js';
import { getBackend } from '../../backend/registry.js';
import { Tensor } from '../../tensor/tensor.js';
import { fmtShape, normAxes, normAxis, numel, shapesEqual } from '../../tensor/shape.js';
import { record } from '../engine.js';
import { empty, expandedView } from '../helpers.js';

export type Axes = number | readonly number[];

interface Plan {
  /** contiguous input laid out as [outer, r, inner] */
  data: Float32Array | Int32Array;
  outer: number;
  r: number;
  inner: number;
  /** output shape with reduced axes kept as 1 */
  keptShape: number[];
  /** output shape with reduced axes dropped */
  droppedShape: number[];
}

/**
 * Brings the reduced axes into one contiguous middle block. When they already are (e.g. the last
 * axis, or axis 0 of a contiguous tensor) no copy is made; otherwise the input is permuted
 * (reduced axes last) and copied once.
 */
function plan(op: string, x: Tensor, axes: Axes | undefined): Plan {
  const ax = normAxes(op, axes, x.ndim);
  const keptShape = x.shape.map((d, i) => (ax.includes(i) ? 1 : d));
  const droppedShape = x.shape.filter((_, i) => !ax.includes(i));
  const r = ax.reduce((p, i) => p * x.shape[i], 1);
  const consecutive = ax.length === 0 || ax[ax.length - 1] - ax[0] === ax.length - 1;
  if (consecutive && x.isContiguous()) {
    const first = ax.length ? ax[0] : x.ndim;
    const outer = numel(x.shape.slice(0, first));
    const inner = ax.length ? numel(x.shape.slice(ax[ax.length - 1] + 1)) : 1;
    return { data: x.values(), outer, r, inner, keptShape, droppedShape };
  }
  const keep = x.shape.map((_, i) => i).filter((i) => !ax.includes(i));
  const perm = [...keep, ...ax];
  const view = { data: x.data, shape: perm.map((p) => x.shape[p]), strides: perm.map((p) => x.strides[p]), offset: x.offset };
  const data = getBackend().alloc(x.dtype, x.size);
  getBackend().copy(view, data);
  return { data, outer: numel(droppedShape), r, inner: 1, keptShape, droppedShape };
}

function runReduce(op: ReduceOp, name: string, x: Tensor, axes: Axes | undefined, keepdim: boolean, outDtype: 'float32' | 'int32' = 'float32') {
  const p = plan(name, x, axes);
  const out = empty(keepdim ? p.keptShape : p.droppedShape, outDtype);
  if (p.r === 0 && (op === 'max' || op === 'min' || op === 'argmax' || op === 'argmin')) {
    throw new Error(`${name}: cannot reduce over an empty dimension (input shape ${fmtShape(x.shape)})`);
  }
  getBackend().reduce(op, p.data, p.outer, p.r, p.inner, out.data);
  return { out, p };
}

/** Broadcasts a reduced gradient back to the input's shape. */
function expandBack(g: Tensor, keptShape: readonly number[], shape: readonly number[]): Tensor {
  const gk = new Tensor(g.values(), keptShape);
  const out = empty(shape);
  getBackend().copy(expandedView(gk, shape), out.data);
  return out;
}

export function sum(x: Tensor, axes?: Axes, keepdim = false): Tensor {
  const { out, p } = runReduce('sum', 'sum', x, axes, keepdim);
  return record(out, 'sum', [x], (g) => [expandBack(g, p.keptShape, x.shape)]);
}

export function mean(x: Tensor, axes?: Axes, keepdim = false): Tensor {
  const { out, p } = runReduce('sum', 'mean', x, axes, keepdim);
  const n = p.r;
  const d = out.data as Float32Array;
  for (let i = 0; i < d.length; i++) d[i] /= n;
  return record(out, 'mean', [x], (g) => {
    const e = expandBack(g, p.keptShape, x.shape);
    const ed = e.data as Float32Array;
    for (let i = 0; i < ed.length; i++) ed[i] /= n;
    return [e];
  });
}

function maxMin(op: 'max' | 'min', x: Tensor, axes: Axes | undefined, keepdim: boolean): Tensor {
  const { out, p } = runReduce(op, op, x, axes, keepdim);
  return record(out, op, [x], (g) => {
    // gradient split evenly among tied maxima (torch's max over all dims does the same)
    const full = expandBack(out, p.keptShape, x.shape);
    const xv = x.values();
    const fd = full.data as Float32Array;
    const mask = empty(x.shape);
    const md = mask.data as Float32Array;
    for (let i = 0; i < md.length; i++) md[i] = xv[i] === fd[i] ? 1 : 0;
    const counts = runReduce('sum', op, mask, axes, true).out;
    const ge = expandBack(g, p.keptShape, x.shape).data as Float32Array;
    const ce = expandBack(counts, p.keptShape, x.shape).data as Float32Array;
    for (let i = 0; i < md.length; i++) md[i] = md[i] ? ge[i] / ce[i] : 0;
    return [mask];
  });
}

export function max(x: Tensor, axes?: Axes, keepdim = false): Tensor {
  return maxMin('max', x, axes, keepdim);
}

export function min(x: Tensor, axes?: Axes, keepdim = false): Tensor {
  return maxMin('min', x, axes, keepdim);
}

/** Index of the largest value along `axis` (flattened input when omitted); first index on ties. */
export function argmax(x: Tensor, axis?: number, keepdim = false): Tensor {
  if (axis === undefined) return runReduce('argmax', 'argmax', flatView(x), 0, false, 'int32').out;
  return runReduce('argmax', 'argmax', x, normAxis('argmax', axis, x.ndim), keepdim, 'int32').out;
}

export function argmin(x: Tensor, axis?: number, keepdim = false): Tensor {
  if (axis === undefined) return runReduce('argmin', 'argmin', flatView(x), 0, false, 'int32').out;
  return runReduce('argmin', 'argmin', x, normAxis('argmin', axis, x.ndim), keepdim, 'int32').out;
}

function flatView(x: Tensor): Tensor {
  return new Tensor(x.values(), [x.size]);
}

export function logsumexp(x: Tensor, axes?: Axes, keepdim = false): Tensor {
  const { out, p } = runReduce('logsumexp', 'logsumexp', x, axes, keepdim);
  return record(out, 'logsumexp', [x], (g) => {
    // d lse / dx = softmax(x) = exp(x - lse)
    const lse = expandBack(out, p.keptShape, x.shape).data as Float32Array;
    const ge = expandBack(g, p.keptShape, x.shape).data as Float32Array;
    const xv = x.values();
    const res = empty(x.shape);
    const rd = res.data as Float32Array;
    for (let i = 0; i < rd.length; i++) rd[i] = lse[i] === -Infinity ? 0 : ge[i] * Math.exp(xv[i] - lse[i]);
    return [res];
  });
}

export function cumsum(x: Tensor, axis: number): Tensor {
  const a = normAxis('cumsum', axis, x.ndim);
  const outer = numel(x.shape.slice(0, a));
  const r = x.shape[a];
  const inner = numel(x.shape.slice(a + 1));
  const out = empty(x.shape);
  getBackend().cumsum(x.values() as Float32Array, outer, r, inner, out.data as Float32Array);
  return record(out, 'cumsum', [x], (g) => {
    // the adjoint of a prefix sum is a suffix sum
    const gd = g.values() as Float32Array;
    const res = empty(x.shape);
    const rd = res.data as Float32Array;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        let acc = 0;
        for (let j = r - 1; j >= 0; j--) {
          const k = (o * r + j) * inner + i;
          acc += gd[k];
          rd[k] = acc;
        }
      }
    }
    return [res];
  });
}

/** Sums a broadcast gradient back down to `shape` (the adjoint of broadcasting). */
export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  if (shapesEqual(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.ndim; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  const p = plan('sumToShape', g, axes);
  const out = empty(shape);
  getBackend().reduce('sum', p.data, p.outer, p.r, p.inner, out.data);
  return out;
}
