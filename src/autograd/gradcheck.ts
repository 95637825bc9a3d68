import { Tensor } from '../tensor/tensor.js';
import { fmtShape } from '../tensor/shape.js';
import { noGrad } from './grad-mode.js';
import { backward } from './engine.js';

export interface GradcheckOptions {
  /** finite-difference step */
  eps?: number;
  atol?: number;
  rtol?: number;
  /** weights for the scalar objective sum(w · f(x)); random fixed weights catch more bugs than sum() */
  seedWeights?: Float32Array;
}

/**
 * Compares analytic gradients with central finite differences of sum(w ⊙ f(inputs)).
 * Finite differences run in float32 on the backend, so `eps` and tolerances are chosen for float32
 * (default eps 1e-2 on values of order 1; callers keep inputs away from kinks).
 * Returns the worst mismatch; throws with details when above tolerance.
 */
export function gradcheck(f: (...xs: Tensor[]) => Tensor, inputs: Tensor[], opts: GradcheckOptions = {}): { maxAbsErr: number } {
  const eps = opts.eps ?? 1e-2;
  const atol = opts.atol ?? 2e-3;
  const rtol = opts.rtol ?? 2e-2;
  for (const x of inputs) {
    x.grad = null;
    if (x.dtype === 'float32') x.requiresGrad = true;
  }
  const out = f(...inputs);
  const n = out.size;
  let w = opts.seedWeights;
  if (!w) {
    w = new Float32Array(n);
    // deterministic pseudo-random weights in [0.5, 1.5) with alternating sign
    let s = 12345;
    for (let i = 0; i < n; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      w[i] = (0.5 + (s >>> 8) / 16777216) * (i % 2 ? -1 : 1);
    }
  }
  const weights = new Tensor(w, out.shape.slice());
  backward(out, weights);
  const objective = () =>
    noGrad(() => {
      const o = f(...inputs).values();
      let acc = 0;
      for (let i = 0; i < o.length; i++) acc += o[i] * w![i];
      return acc;
    });
  let maxAbsErr = 0;
  inputs.forEach((x, k) => {
    if (x.dtype !== 'float32') return;
    const analytic = x.grad ? x.grad.values() : new Float32Array(x.size);
    // perturb through the element's storage position so non-contiguous views work too
    const positions = storagePositions(x);
    for (let i = 0; i < positions.length; i++) {
      const p = positions[i];
      const orig = x.data[p];
      x.data[p] = orig + eps;
      const fp = objective();
      x.data[p] = orig - eps;
      const fm = objective();
      x.data[p] = orig;
      const numeric = (fp - fm) / (2 * eps);
      const a = analytic[i];
      const err = Math.abs(a - numeric);
      maxAbsErr = Math.max(maxAbsErr, err);
      if (err > atol + rtol * Math.abs(numeric)) {
        throw new Error(
          `gradcheck: input ${k} (shape ${fmtShape(x.shape)}) element ${i}: analytic ${a} vs numeric ${numeric} (|diff| ${err})`,
        );
      }
    }
  });
  return { maxAbsErr };
}

function storagePositions(x: Tensor): number[] {
  const out: number[] = [];
  const walk = (d: number, off: number) => {
    if (d === x.ndim) { out.push(off); return; }
    for (let i = 0; i < x.shape[d]; i++) walk(d + 1, off + i * x.strides[d]);
  };
  walk(0, x.offset);
  return out;
}
