import { Tensor } from '../tensor/tensor.js';
import { fmtShape } from '../tensor/shape.js';
import { noGrad } from './grad-mode.js';
import { backward } from './engine.js';

export interface GradcheckOptions {
  /** finite-difference step (torch.autograd.gradcheck's default 1e-6) */
  eps?: number;
  /** absolute tolerance (torch's default 1e-5) */
  atol?: number;
  /** relative tolerance, against the numeric gradient (torch's default 1e-3) */
  rtol?: number;
  /** weights for the scalar objective sum(w · f(x)); random fixed weights catch more bugs than sum() */
  seedWeights?: Float64Array | Float32Array;
}

/** PyTorch's defaults (torch.autograd.gradcheck), meaningful in float64 only. */
export const GRADCHECK_DEFAULTS = { eps: 1e-6, atol: 1e-5, rtol: 1e-3 } as const;

/**
 * Compares analytic gradients with central finite differences of sum(w ⊙ f(inputs)), in float64
 * with PyTorch's tolerances: |analytic - numeric| ≤ atol + rtol·|numeric| for every element.
 *
 * Every float input is perturbed (in place, through its storage, so non-contiguous views and
 * module parameters work) and must be float64: in float32 a step of 1e-6 is below the rounding
 * of the values themselves. Convert with `x.to('float64')`, and a module with `module.to('float64')`.
 * int32 inputs (indices, targets) are passed through unchanged. f must compute in float64 too: a
 * float32 result means some op dropped to float32, and is an error.
 *
 * Returns the worst absolute mismatch; throws naming the input, element and both values when an
 * element is outside the tolerance.
 */
export function gradcheck(f: (...xs: Tensor[]) => Tensor, inputs: Tensor[], opts: GradcheckOptions = {}): { maxAbsErr: number } {
  const eps = opts.eps ?? GRADCHECK_DEFAULTS.eps;
  const atol = opts.atol ?? GRADCHECK_DEFAULTS.atol;
  const rtol = opts.rtol ?? GRADCHECK_DEFAULTS.rtol;
  inputs.forEach((x, k) => {
    if (x.dtype === 'float32') {
      throw new Error(
        `gradcheck: input ${k} (shape ${fmtShape(x.shape)}) is float32; finite differences with eps ${eps} need float64 ` +
          "inputs (x.to('float64'), module.to('float64'))",
      );
    }
    x.grad = null;
    if (x.dtype === 'float64') x.requiresGrad = true;
  });
  const out = f(...inputs);
  if (out.dtype !== 'float64') {
    throw new Error(`gradcheck: f returned a ${out.dtype} tensor of shape ${fmtShape(out.shape)} for float64 inputs: some op computed in ${out.dtype}`);
  }
  const n = out.size;
  let w = opts.seedWeights;
  if (!w) {
    w = new Float64Array(n);
    // deterministic pseudo-random weights in [0.5, 1.5) with alternating sign
    let s = 12345;
    for (let i = 0; i < n; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      w[i] = (0.5 + (s >>> 8) / 16777216) * (i % 2 ? -1 : 1);
    }
  }
  if (w.length !== n) throw new Error(`gradcheck: seedWeights has ${w.length} values, f's output has ${n}`);
  const weights = new Tensor(Float64Array.from(w), out.shape.slice());
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
    if (x.dtype !== 'float64') return;
    if (x.grad && x.grad.dtype !== 'float64') throw new Error(`gradcheck: input ${k} received a ${x.grad.dtype} gradient`);
    const analytic = x.grad ? x.grad.values() : new Float64Array(x.size);
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
      if (!(err <= atol + rtol * Math.abs(numeric))) {
        throw new Error(
          `gradcheck: input ${k} (shape ${fmtShape(x.shape)}) element ${i}: analytic ${a} vs numeric ${numeric} (|diff| ${err}, ` +
            `allowed ${atol + rtol * Math.abs(numeric)})`,
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
