import * as F from '../autograd/ops/index.js';
import { scalar } from '../autograd/ops/scalar.js';
import type { Parameter } from '../nn/parameter.js';
import { Tensor } from '../tensor/tensor.js';

/** λ · Σ|w| over the given parameters, as a differentiable scalar to add to the loss. */
export function l1Penalty(params: Iterable<Parameter>, lambda: number): Tensor {
  let total: Tensor = scalar(0);
  for (const p of params) total = F.add(total, F.sum(F.abs(p)));
  return F.mul(total, lambda);
}

/** (λ/2) · Σw² (so its gradient is λ·w, the same as weight decay λ in SGD). */
export function l2Penalty(params: Iterable<Parameter>, lambda: number): Tensor {
  let total: Tensor = scalar(0);
  for (const p of params) total = F.add(total, F.sum(F.square(p)));
  return F.mul(total, lambda / 2);
}
