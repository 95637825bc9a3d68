/**
 * Argument handling shared by the convolution and pooling ops: PyTorch accepts either one number
 * or an [h, w] pair for every spatial setting, and 3-D unbatched input [C,H,W].
 */
import type { Tensor } from '../../tensor/tensor.js';
import { fmtShape } from '../../tensor/shape.js';
import { squeeze, unsqueeze } from './view.js';

/** One value for both spatial axes, or [height, width]. */
export type IntPair = number | readonly [number, number];

/** Normalises `value` to [h, w], checking both are integers ≥ `min`; errors name `op` and `name`. */
export function pair(op: string, name: string, value: IntPair, min: number): [number, number] {
  const p: [number, number] = typeof value === 'number' ? [value, value] : [value[0], value[1]];
  if (typeof value !== 'number' && (!Array.isArray(value) || value.length !== 2)) {
    throw new Error(`${op}: ${name} must be a number or an [h, w] pair, got ${JSON.stringify(value)}`);
  }
  for (const v of p) {
    if (!Number.isInteger(v) || v < min) {
      throw new Error(`${op}: ${name} must be ${min === 0 ? 'a non-negative' : 'a positive'} integer (or a pair of them), got ${JSON.stringify(value)}`);
    }
  }
  return p;
}

/** "3" for a square pair, "3x2" otherwise (how error messages show spatial settings). */
export function fmtPair(p: readonly [number, number]): string {
  return p[0] === p[1] ? `${p[0]}` : `${p[0]}x${p[1]}`;
}

/**
 * Runs a 4-D op on `x`, accepting 3-D unbatched [C,H,W] input as torch does: it is given a batch
 * axis of 1 (recorded, so gradients flow) and the result loses it again.
 */
export function withBatch(op: string, x: Tensor, f: (x4: Tensor) => Tensor): Tensor {
  if (x.ndim === 4) return f(x);
  if (x.ndim === 3) return squeeze(f(unsqueeze(x, 0)), 0);
  throw new Error(`${op}: expected input of shape [N,C,H,W] or unbatched [C,H,W], got ${fmtShape(x.shape)}`);
}
