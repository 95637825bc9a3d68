/**
 * Fused ops: one kernel (and one graph node) where a composition of primitives would create many
 * small tensors. Each is tested against its composition.
 */
import { getBackend } from '../../backend/registry.js';
import { lstmCellBackwardKernel, lstmCellKernel } from '../../backend/js/lstm.js';
import { Tensor } from '../../tensor/tensor.js';
import { fmtShape } from '../../tensor/shape.js';
import { record } from '../engine.js';
import { empty, requireFloat } from '../helpers.js';
import { narrow } from './view.js';

/**
 * LSTM cell from summed gate pre-activations (PyTorch gate order i, f, g, o):
 * c' = σ(f) ⊙ c + σ(i) ⊙ tanh(g), h' = σ(o) ⊙ tanh(c').
 * Shapes: gates [B, 4H], c [B, H] -> { h [B, H], c [B, H] } (views of one [B, 2H] result).
 */
export function lstmCell(gates: Tensor, c: Tensor): { h: Tensor; c: Tensor } {
  requireFloat('lstmCell', gates, 'gates');
  requireFloat('lstmCell', c, 'cell state');
  if (gates.ndim !== 2 || c.ndim !== 2 || gates.shape[0] !== c.shape[0] || gates.shape[1] !== 4 * c.shape[1]) {
    throw new Error(`lstmCell: expected gates [B, 4H] and c [B, H], got ${fmtShape(gates.shape)} and ${fmtShape(c.shape)}`);
  }
  const [b, h] = c.shape;
  const be = getBackend();
  const g = gates.values() as Float32Array;
  const cv = c.values() as Float32Array;
  const hc = empty([b, 2 * h]);
  const saved = new Float32Array(b * 5 * h);
  (be.lstmCell ?? lstmCellKernel)(g, cv, b, h, hc.data as Float32Array, saved);
  record(hc, 'lstmCell', [gates, c], (grad) => {
    const dgates = empty([b, 4 * h]);
    const dc = empty([b, h]);
    (be.lstmCellBackward ?? lstmCellBackwardKernel)(
      grad.values() as Float32Array, cv, saved, b, h, dgates.data as Float32Array, dc.data as Float32Array,
    );
    return [dgates, dc];
  });
  return { h: narrow(hc, 1, 0, h), c: narrow(hc, 1, h, h) };
}
