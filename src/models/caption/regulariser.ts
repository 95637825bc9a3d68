import * as F from '../../autograd/ops/index.js';
import { fmtShape } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';

/**
 * The doubly stochastic attention regulariser of Show, Attend and Tell:
 *   λ · Σ_i (1 − Σ_t α_ti)²,   averaged over the batch,
 * where the sum over t runs over the real words of each caption (mask 1) and i over the regions.
 * Softmax already makes every α_t sum to 1 over the regions; this pushes every region to receive
 * about as much attention in total over the caption, so no part of the image is ignored.
 * Shapes: alphas (B, T, R), mask (B, T) with 1 on words and 0 on padding -> scalar.
 */
export function doublyStochasticPenalty(alphas: Tensor, mask: Tensor, lambda: number): Tensor {
  if (alphas.ndim !== 3 || mask.ndim !== 2 || mask.shape[0] !== alphas.shape[0] || mask.shape[1] !== alphas.shape[1]) {
    throw new Error(`doublyStochasticPenalty: expected alphas [B, T, R] and mask [B, T], got ${fmtShape(alphas.shape)} and ${fmtShape(mask.shape)}`);
  }
  const totals = F.sum(F.mul(alphas, F.unsqueeze(mask, 2)), 1); // (B, R): Σ_t α_ti
  const perImage = F.sum(F.square(F.sub(1, totals)), 1); // (B)
  return F.mul(F.mean(perImage), lambda);
}
