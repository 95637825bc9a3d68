import { flatView } from '../backend/flat-view.js';
import { getBackend } from '../backend/registry.js';
import type { Parameter } from '../nn/parameter.js';

/**
 * Scales all gradients so their global L2 norm is at most maxNorm (torch's clip_grad_norm_,
 * factor maxNorm / (norm + 1e-6)). Returns the norm before clipping; a non-finite norm is returned
 * as is and the gradients are left untouched, so the caller can skip the step.
 */
export function clipGradNorm(params: Iterable<Parameter>, maxNorm: number, normType = 2): number {
  const grads = [...params].map((p) => p.grad).filter((g) => g !== null);
  const backend = getBackend();
  let total = 0;
  for (const g of grads) {
    const v = g!.values() as Float32Array;
    if (normType === 2) total += backend.sumSquares(v);
    else if (normType === Infinity) for (let i = 0; i < v.length; i++) total = Math.max(total, Math.abs(v[i]));
    else for (let i = 0; i < v.length; i++) total += Math.abs(v[i]) ** normType;
  }
  if (normType !== Infinity) total = total ** (1 / normType);
  if (!Number.isFinite(total)) return total;
  const coef = maxNorm / (total + 1e-6);
  if (coef < 1) {
    for (const g of grads) {
      // grads are owned contiguous tensors (the engine allocates them), so scale in place
      const d = g!.data as Float32Array;
      backend.unary('mulScalar', flatView(d), d, coef);
    }
  }
  return total;
}

/** Clamps every gradient value into [-clipValue, clipValue]. */
export function clipGradValue(params: Iterable<Parameter>, clipValue: number): void {
  for (const p of params) {
    if (!p.grad) continue;
    const d = p.grad.data as Float32Array;
    for (let i = 0; i < d.length; i++) d[i] = Math.min(clipValue, Math.max(-clipValue, d[i]));
  }
}
