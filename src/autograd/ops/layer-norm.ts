/**
 * Layer normalisation over the trailing dims as one graph node:
 *   y = (x - mean) / √(var + eps) · weight + bias, statistics per row of the trailing `k` dims
 * (biased variance, as torch). Shapes: x [..., *normalized], weight and bias [*normalized] or null.
 * Composed from primitives it was nine ops forward and about fifteen backward, each allocating a
 * tensor of x's size; a Transformer step runs it after every sub-block.
 */
import { getBackend } from '../../backend/registry.js';
import { Tensor } from '../../tensor/tensor.js';
import { fmtShape, numel } from '../../tensor/shape.js';
import { record } from '../engine.js';
import { empty, floatType, requireFloat } from '../helpers.js';

export function layerNorm(x: Tensor, normalizedShape: readonly number[], weight: Tensor | null = null, bias: Tensor | null = null, eps = 1e-5): Tensor {
  requireFloat('layerNorm', x, 'input');
  const k = normalizedShape.length;
  const tail = x.shape.slice(x.ndim - k);
  if (k === 0 || x.ndim < k || tail.some((d, i) => d !== normalizedShape[i])) {
    throw new Error(`layerNorm: input shape ${fmtShape(x.shape)} does not end with the normalized shape ${fmtShape(normalizedShape)}`);
  }
  for (const [t, what] of [[weight, 'weight'], [bias, 'bias']] as const) {
    if (t && (t.size !== numel(normalizedShape) || t.ndim !== k)) throw new Error(`layerNorm: ${what} ${fmtShape(t.shape)} must have the normalized shape ${fmtShape(normalizedShape)}`);
    if (t) requireFloat('layerNorm', t, what);
  }
  const cols = numel(normalizedShape), rows = x.size / cols;
  const be = getBackend();
  const dt = floatType(x, weight, bias);
  const xv = x.values() as Float32Array;
  const wv = weight ? (weight.values() as Float32Array) : null;
  const out = empty(x.shape, dt);
  const mean = be.alloc(dt, rows) as Float32Array, rstd = be.alloc(dt, rows) as Float32Array;
  be.layerNorm(xv, rows, cols, wv, bias ? (bias.values() as Float32Array) : null, eps, out.data as Float32Array, mean, rstd);
  const inputs = [x, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
  record(out, 'layerNorm', inputs, (grad) => {
    const dx = empty(x.shape, dt);
    const dw = weight?.requiresGrad ? empty(weight.shape, dt) : null;
    const db = bias?.requiresGrad ? empty(bias.shape, dt) : null;
    be.layerNormBackward(grad.values() as Float32Array, xv, rows, cols, wv, mean, rstd, dx.data as Float32Array,
      dw ? (dw.data as Float32Array) : null, db ? (db.data as Float32Array) : null);
    return [x.requiresGrad ? dx : null, ...(weight ? [dw] : []), ...(bias ? [db] : [])];
  });
  return out;
}
