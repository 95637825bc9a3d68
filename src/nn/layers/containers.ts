import type { Tensor } from '../../tensor/tensor.js';
import { Module } from '../module.js';

/** Runs modules in order, each on the previous one's output. Children are named '0', '1', ... */
export class Sequential extends Module {
  readonly length: number;

  constructor(...modules: Module[]) {
    super();
    modules.forEach((m, i) => this.registerModule(String(i), m));
    this.length = modules.length;
  }

  at(i: number): Module {
    return (this as unknown as Record<string, Module>)[String(i)];
  }

  /** x -> modules[n-1](...modules[0](x)) */
  forward(x: Tensor): Tensor {
    let y = x;
    for (let i = 0; i < this.length; i++) y = (this.at(i).forward as (a: Tensor) => Tensor)(y);
    return y;
  }
}

/** A list of submodules registered under '0', '1', ... (no forward of its own). */
export class ModuleList<M extends Module = Module> extends Module {
  private count = 0;

  constructor(modules: M[] = []) {
    super();
    for (const m of modules) this.append(m);
  }

  append(m: M): this {
    this.registerModule(String(this.count++), m);
    return this;
  }

  get length(): number {
    return this.count;
  }

  at(i: number): M {
    if (i < 0) i += this.count;
    if (i < 0 || i >= this.count) throw new Error(`ModuleList: index ${i} out of range (length ${this.count})`);
    return (this as unknown as Record<string, M>)[String(i)];
  }

  *[Symbol.iterator](): Iterator<M> {
    for (let i = 0; i < this.count; i++) yield this.at(i);
  }

  forward(): never {
    throw new Error('ModuleList has no forward; iterate over its modules');
  }
}
