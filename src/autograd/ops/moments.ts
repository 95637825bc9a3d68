import type { Tensor } from '../../tensor/tensor.js';
import { numel } from '../../tensor/shape.js';
import { mul, sub } from './elementwise.js';
import { mean, sum, type Axes } from './reduce.js';

/** Variance; `correction` 1 (default) is the unbiased estimator, 0 the population variance (torch semantics). */
export function variance(x: Tensor, axes?: Axes, keepdim = false, correction = 1): Tensor {
  // composed from differentiable primitives so the gradient comes for free and stays exact
  const m = mean(x, axes, true);
  const centered = sub(x, m);
  const sq = mul(centered, centered);
  const s = sum(sq, axes, keepdim);
  const n = numel(x.shape) / Math.max(1, numel(m.shape));
  const denom = n - correction;
  return mul(s, 1 / denom);
}
