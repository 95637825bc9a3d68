/**
 * Anomaly detection (like torch.autograd.detect_anomaly): when on, every recorded op checks its
 * output, and backward checks every gradient it computes, for NaN, and throws naming the op and
 * the shapes at the first place a NaN appears, instead of letting it spread silently into the
 * weights. Off by default: the checks read every value.
 */
import type { Tensor } from '../tensor/tensor.js';
import { withFlag } from './scoped.js';
import { fmtShape } from '../tensor/shape.js';

let enabled = false;

export function setDetectAnomaly(on: boolean): void {
  enabled = on;
}

export function isAnomalyEnabled(): boolean {
  return enabled;
}

/** Runs `fn` with anomaly detection on. */
export function detectAnomaly<T>(fn: () => T): T {
  return withFlag(isAnomalyEnabled, setDetectAnomaly, true, fn);
}

function firstNaN(t: Tensor): number {
  if (t.dtype !== 'float32') return -1;
  const v = t.values();
  for (let i = 0; i < v.length; i++) if (v[i] !== v[i]) return i;
  return -1;
}

/** Throws when `out` holds a NaN that none of `inputs` held (the op itself produced it). */
export function checkForward(op: string, out: Tensor, inputs: readonly Tensor[]): void {
  const at = firstNaN(out);
  if (at < 0) return;
  const inherited = inputs.some((t) => firstNaN(t) >= 0);
  const shapes = inputs.map((t) => fmtShape(t.shape)).join(', ');
  throw new Error(
    inherited
      ? `${op}: input already contains NaN (inputs ${shapes}); the NaN was produced outside recorded ops`
      : `${op}: produced NaN at flat index ${at} of its output ${fmtShape(out.shape)} from finite inputs ${shapes} ` +
        '(e.g. log or sqrt of a negative number, 0/0, inf - inf)',
  );
}

/** Throws when a gradient computed by `op`'s backward rule contains NaN. */
export function checkBackward(op: string, grad: Tensor, inputIndex: number, upstream: Tensor): void {
  const at = firstNaN(grad);
  if (at < 0) return;
  throw new Error(
    `${op} backward: the gradient for input ${inputIndex} (shape ${fmtShape(grad.shape)}) has NaN at flat index ${at}` +
      (firstNaN(upstream) >= 0 ? ' (the incoming gradient already had NaN)' : ' from a finite incoming gradient'),
  );
}
