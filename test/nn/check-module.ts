import assert from 'node:assert/strict';
import { gradcheck } from '../../src/autograd/gradcheck.js';
import type { Module } from '../../src/nn/module.js';
import type { Tensor } from '../../src/tensor/tensor.js';

/** Moves `m` to float64 and checks `f` by finite differences through `inputs` and every parameter of `m`. */
export function checkModule(m: Module, f: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): void {
  m.to('float64');
  const params = m.parameters();
  assert.ok(params.length > 0);
  gradcheck(f, [...inputs, ...params]);
  for (const p of params) assert.ok(p.grad && p.grad.dtype === 'float64', 'every parameter received a float64 gradient');
}
