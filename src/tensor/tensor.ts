import type { DType, Storage, View } from '../backend/backend.js';
import { getBackend } from '../backend/registry.js';
import { contiguousStrides, fmtShape, numel } from './shape.js';

/** A node of the autograd graph: the op that produced a tensor and how to push gradients back. */
export interface GradNode {
  readonly name: string;
  readonly inputs: readonly Tensor[];
  /**
   * Returns one gradient per input (null where an input needs none). Set to null once the graph
   * has been freed by a backward pass without `retainGraph`. `into[k]`, when not null, is the
   * running gradient sum the pass already holds for input k, contiguous and owned by the pass: a
   * rule may add its contribution into it in place (a GEMM with β = 1) and return that same
   * tensor, which tells the engine the addition is done.
   */
  backward: ((grad: Tensor, into: readonly (Tensor | null)[]) => readonly (Tensor | null | undefined)[]) | null;
}

export type GradHook = (grad: Tensor) => Tensor | void;

export type NestedArray = number | boolean | readonly NestedArray[];

let nextId = 1;

/**
 * An n-dimensional array: a strided view on a flat typed-array storage, plus its autograd state.
 * Views (reshape, transpose, slice, expand ...) share storage and differ only in shape, strides and
 * offset. Ops never mutate their inputs.
 */
export class Tensor implements View {
  readonly id = nextId++;
  readonly data: Storage;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
  readonly dtype: DType;
  requiresGrad = false;
  grad: Tensor | null = null;
  gradFn: GradNode | null = null;
  /** Non-leaf tensors keep their gradient only when asked (as torch's retain_grad). */
  retainsGrad = false;
  hooks: GradHook[] | null = null;
  /** Optional label shown in errors and graph dumps. */
  name?: string;

  constructor(data: Storage, shape: readonly number[], strides?: readonly number[], offset = 0) {
    this.data = data;
    this.shape = shape;
    this.strides = strides ?? contiguousStrides(shape);
    this.offset = offset;
    this.dtype = data instanceof Int32Array ? 'int32' : data instanceof Float64Array ? 'float64' : 'float32';
  }

  get ndim(): number {
    return this.shape.length;
  }

  /** Number of elements. */
  get size(): number {
    return numel(this.shape);
  }

  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  isContiguous(): boolean {
    let s = 1;
    for (let i = this.shape.length - 1; i >= 0; i--) {
      if (this.shape[i] !== 1 && this.strides[i] !== s) return false;
      s *= this.shape[i];
    }
    return true;
  }

  /** True when this tensor covers its whole storage in order (so `data` can be used directly). */
  isDense(): boolean {
    return this.offset === 0 && this.data.length === this.size && this.isContiguous();
  }

  /** A contiguous typed array with this tensor's values in row-major order (shared when possible). */
  values(): Storage {
    if (this.isDense()) return this.data;
    if (this.isContiguous()) return this.data.subarray(this.offset, this.offset + this.size);
    const out = getBackend().alloc(this.dtype, this.size);
    getBackend().copy(this, out);
    return out;
  }

  /** A fresh copy of the values as a typed array (never shares storage). */
  dataSync(): Storage {
    const v = this.values();
    return v === this.data || v.buffer === this.data.buffer ? v.slice() : v;
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new Error(`item: tensor of shape ${fmtShape(this.shape)} has ${this.size} elements, expected 1`);
    return this.data[this.offset];
  }

  /** Nested JS arrays (a number for 0-d tensors). */
  toArray(): NestedArray {
    const flat = this.values();
    if (this.ndim === 0) return flat[0];
    const build = (dim: number, base: number): NestedArray[] => {
      const n = this.shape[dim];
      const inner = numel(this.shape.slice(dim + 1));
      const out: NestedArray[] = [];
      for (let i = 0; i < n; i++) {
        out.push(dim === this.ndim - 1 ? flat[base + i] : build(dim + 1, base + i * inner));
      }
      return out;
    };
    return build(0, 0);
  }

  /** Registers a hook called with this tensor's gradient during backward; it may return a replacement. */
  registerHook(hook: GradHook): () => void {
    (this.hooks ??= []).push(hook);
    return () => {
      if (this.hooks) this.hooks = this.hooks.filter((h) => h !== hook);
    };
  }

  /** Keep `.grad` on a non-leaf tensor after backward. */
  retainGrad(): this {
    this.retainsGrad = true;
    return this;
  }

  /** Marks a leaf as requiring gradients (in place, returns this). */
  requiresGrad_(flag = true): this {
    if (!this.isLeaf && !flag) throw new Error('requiresGrad_: cannot turn off gradients of a non-leaf tensor; use detach()');
    if (flag && this.dtype === 'int32') throw new Error(`requiresGrad_: only float32 and float64 tensors can require gradients (got ${this.dtype})`);
    this.requiresGrad = flag;
    return this;
  }

  toString(): string {
    const body = this.size <= 64 ? JSON.stringify(this.toArray()) : `[${this.size} values]`;
    return `Tensor(${body}, shape=${fmtShape(this.shape)}, dtype=${this.dtype}${this.requiresGrad ? ', requiresGrad' : ''})`;
  }
}

/** Wraps a fresh contiguous storage as a tensor. */
export function fromStorage(data: Storage, shape: readonly number[]): Tensor {
  if (data.length !== numel(shape)) {
    throw new Error(`fromStorage: ${data.length} values do not fill shape ${fmtShape(shape)} (${numel(shape)} elements)`);
  }
  return new Tensor(data, shape);
}
