/**
 * Softmax cross-entropy with label smoothing as one graph node. Composed from logSoftmax, gather
 * and sums, a [N, C] loss over a large vocabulary allocates and walks several [N, C] temporaries
 * in each direction; here the forward pass keeps one log-sum-exp per row and the backward pass
 * writes the gradient, the only [N, C] array it allocates, in one sweep.
 */
import { getBackend } from '../../backend/registry.js';
import type { Tensor } from '../../tensor/tensor.js';
import { fmtShape } from '../../tensor/shape.js';
import { record } from '../engine.js';
import { empty, requireFloat } from '../helpers.js';

/**
 * Per-row losses [N] of logits [N, C] against int32 class targets [N] (torch's cross_entropy with
 * reduction 'none'): (1-ε)·(lse - x_t) + ε·(lse - mean_c x_c); rows whose target is
 * `ignoreIndex` give 0 and no gradient. `op` names the caller in error messages.
 */
export function softmaxCrossEntropy(
  logits: Tensor, targets: Int32Array, ignoreIndex = -100, labelSmoothing = 0, op = 'softmaxCrossEntropy',
): Tensor {
  requireFloat(op, logits, 'logits');
  if (logits.ndim !== 2) throw new Error(`${op}: expected logits [N, C], got ${fmtShape(logits.shape)}`);
  const [n, c] = logits.shape;
  if (!(targets instanceof Int32Array) || targets.length !== n) {
    const got = targets instanceof Int32Array ? `${targets.length} targets` : `a ${(targets as object)?.constructor?.name ?? typeof targets}`;
    throw new Error(`${op}: logits ${fmtShape(logits.shape)} need an Int32Array of ${n} targets, got ${got}`);
  }
  if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) throw new Error(`${op}: labelSmoothing must be in [0, 1], got ${labelSmoothing}`);
  // a copy: the backward pass must see the targets of this forward pass even if the caller reuses its buffer
  const t = targets.slice();
  for (let i = 0; i < n; i++) {
    const k = t[i];
    if (k !== ignoreIndex && (k < 0 || k >= c)) {
      throw new Error(`${op}: target ${k} at position ${i} is out of range for ${c} classes (ignoreIndex ${ignoreIndex})`);
    }
  }
  const be = getBackend();
  const x = logits.values() as Float32Array;
  const out = empty([n]);
  const lse = new Float32Array(n);
  be.crossEntropy(x, n, c, t, ignoreIndex, labelSmoothing, out.data as Float32Array, lse);
  return record(out, 'softmaxCrossEntropy', [logits], (grad) => {
    const dx = empty([n, c]);
    // values(): a reduced loss hands back a stride-0 expanded gradient
    const g = grad.values() as Float32Array;
    be.crossEntropyBackward(x, n, c, t, ignoreIndex, labelSmoothing, lse, g, dx.data as Float32Array);
    return [dx];
  });
}
