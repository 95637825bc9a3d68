/**
 * Fluent methods on Tensor (`x.add(y).relu().sum()`), installed on the prototype so that
 * tensor/ does not depend on autograd/ (the ops live above the Tensor class).
 */
import { Tensor } from '../tensor/tensor.js';
import type { TensorLike } from './ops/scalar.js';
import type { Axes } from './ops/reduce.js';
// The op files themselves, not ops/index.ts: that index loads this file, and importing it back would be a cycle.
import * as elementwise from './ops/elementwise.js';
import * as activation from './ops/activation.js';
import * as reduce from './ops/reduce.js';
import * as moments from './ops/moments.js';
import * as view from './ops/view.js';
import * as indexing from './ops/indexing.js';
import * as matmul from './ops/matmul.js';
import { backward, type BackwardOptions } from './engine.js';

const ops = { ...elementwise, ...activation, ...reduce, ...moments, ...view, ...indexing, ...matmul };

declare module '../tensor/tensor.js' {
  interface Tensor {
    add(other: TensorLike): Tensor;
    sub(other: TensorLike): Tensor;
    mul(other: TensorLike): Tensor;
    div(other: TensorLike): Tensor;
    pow(exponent: TensorLike): Tensor;
    neg(): Tensor;
    exp(): Tensor;
    log(): Tensor;
    sqrt(): Tensor;
    rsqrt(): Tensor;
    abs(): Tensor;
    sign(): Tensor;
    square(): Tensor;
    clamp(min?: number | null, max?: number | null): Tensor;
    sigmoid(): Tensor;
    tanh(): Tensor;
    relu(): Tensor;
    softmax(dim?: number): Tensor;
    logSoftmax(dim?: number): Tensor;
    sum(axes?: Axes, keepdim?: boolean): Tensor;
    mean(axes?: Axes, keepdim?: boolean): Tensor;
    var(axes?: Axes, keepdim?: boolean, correction?: number): Tensor;
    max(axes?: Axes, keepdim?: boolean): Tensor;
    min(axes?: Axes, keepdim?: boolean): Tensor;
    argmax(axis?: number, keepdim?: boolean): Tensor;
    argmin(axis?: number, keepdim?: boolean): Tensor;
    logsumexp(axes?: Axes, keepdim?: boolean): Tensor;
    matmul(other: Tensor): Tensor;
    reshape(...shape: number[] | [readonly number[]]): Tensor;
    view(...shape: number[] | [readonly number[]]): Tensor;
    flatten(startDim?: number, endDim?: number): Tensor;
    permute(...dims: number[] | [readonly number[]]): Tensor;
    transpose(dim0?: number, dim1?: number): Tensor;
    /** Matrix transpose of the last two dims. */
    readonly T: Tensor;
    narrow(dim: number, start: number, length: number): Tensor;
    slice(dim: number, start?: number, end?: number, step?: number): Tensor;
    select(dim: number, index: number): Tensor;
    expand(...shape: number[] | [readonly number[]]): Tensor;
    squeeze(dim?: number): Tensor;
    unsqueeze(dim: number): Tensor;
    contiguous(): Tensor;
    clone(): Tensor;
    detach(): Tensor;
    eq(other: TensorLike): Tensor;
    ne(other: TensorLike): Tensor;
    lt(other: TensorLike): Tensor;
    le(other: TensorLike): Tensor;
    gt(other: TensorLike): Tensor;
    ge(other: TensorLike): Tensor;
    maskedFill(mask: Tensor, value: number): Tensor;
    gather(dim: number, index: Tensor): Tensor;
    indexSelect(dim: number, index: Tensor): Tensor;
    backward(grad?: Tensor, options?: BackwardOptions): void;
    /** A float32 copy (or int32 with dtype 'int32'), cut from the graph. */
    to(dtype: 'float32' | 'int32'): Tensor;
  }
}

const shapeArgs = (args: (number | readonly number[])[]): number[] =>
  args.length === 1 && Array.isArray(args[0]) ? (args[0] as number[]).slice() : (args as number[]);

const P = Tensor.prototype;
P.add = function (o) { return ops.add(this, o); };
P.sub = function (o) { return ops.sub(this, o); };
P.mul = function (o) { return ops.mul(this, o); };
P.div = function (o) { return ops.div(this, o); };
P.pow = function (e) { return ops.pow(this, e); };
P.neg = function () { return ops.neg(this); };
P.exp = function () { return ops.exp(this); };
P.log = function () { return ops.log(this); };
P.sqrt = function () { return ops.sqrt(this); };
P.rsqrt = function () { return ops.rsqrt(this); };
P.abs = function () { return ops.abs(this); };
P.sign = function () { return ops.sign(this); };
P.square = function () { return ops.square(this); };
P.clamp = function (lo, hi) { return ops.clamp(this, lo, hi); };
P.sigmoid = function () { return ops.sigmoid(this); };
P.tanh = function () { return ops.tanh(this); };
P.relu = function () { return ops.relu(this); };
P.softmax = function (d) { return ops.softmax(this, d); };
P.logSoftmax = function (d) { return ops.logSoftmax(this, d); };
P.sum = function (a, k) { return ops.sum(this, a, k); };
P.mean = function (a, k) { return ops.mean(this, a, k); };
P.var = function (a, k, c) { return ops.variance(this, a, k, c); };
P.max = function (a, k) { return ops.max(this, a, k); };
P.min = function (a, k) { return ops.min(this, a, k); };
P.argmax = function (a, k) { return ops.argmax(this, a, k); };
P.argmin = function (a, k) { return ops.argmin(this, a, k); };
P.logsumexp = function (a, k) { return ops.logsumexp(this, a, k); };
P.matmul = function (o) { return ops.matmul(this, o); };
P.reshape = function (...s) { return ops.reshape(this, shapeArgs(s)); };
P.view = function (...s) { return ops.view(this, shapeArgs(s)); };
P.flatten = function (s, e) { return ops.flatten(this, s, e); };
P.permute = function (...d) { return ops.permute(this, shapeArgs(d)); };
P.transpose = function (a, b) { return ops.transpose(this, a, b); };
Object.defineProperty(P, 'T', { get(this: Tensor) { return ops.transpose(this, -2, -1); } });
P.narrow = function (d, s, l) { return ops.narrow(this, d, s, l); };
P.slice = function (d, s, e, st) { return ops.slice(this, d, s, e, st); };
P.select = function (d, i) { return ops.select(this, d, i); };
P.expand = function (...s) { return ops.expand(this, shapeArgs(s)); };
P.squeeze = function (d) { return ops.squeeze(this, d); };
P.unsqueeze = function (d) { return ops.unsqueeze(this, d); };
P.contiguous = function () { return ops.contiguous(this); };
P.clone = function () { return ops.clone(this); };
P.detach = function () { return ops.detach(this); };
P.eq = function (o) { return ops.eq(this, o); };
P.ne = function (o) { return ops.ne(this, o); };
P.lt = function (o) { return ops.lt(this, o); };
P.le = function (o) { return ops.le(this, o); };
P.gt = function (o) { return ops.gt(this, o); };
P.ge = function (o) { return ops.ge(this, o); };
P.maskedFill = function (m, v) { return ops.maskedFill(this, m, v); };
P.gather = function (d, i) { return ops.gather(this, d, i); };
P.indexSelect = function (d, i) { return ops.indexSelect(this, d, i); };
P.backward = function (g, o) { backward(this, g, o); };
P.to = function (dtype) {
  const out = new Tensor(dtype === 'int32' ? new Int32Array(this.size) : new Float32Array(this.size), this.shape.slice());
  const v = this.values();
  if (dtype === 'int32') for (let i = 0; i < v.length; i++) out.data[i] = Math.trunc(v[i]);
  else out.data.set(v);
  return out;
};
