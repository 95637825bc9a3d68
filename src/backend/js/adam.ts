import type { AdamArgs } from '../backend.js';

/** One Adam/AdamW step in place, with PyTorch's bias correction and epsilon placement. */
export function adamKernel(a: AdamArgs): void {
  const { param, grad, m, v, lr, beta1, beta2, eps, weightDecay, decoupled, step, amsgrad } = a;
  const bc1 = 1 - Math.pow(beta1, step);
  const bc2 = 1 - Math.pow(beta2, step);
  const stepSize = lr / bc1;
  const sqrtBc2 = Math.sqrt(bc2);
  for (let i = 0; i < param.length; i++) {
    let g = grad[i];
    let p = param[i];
    if (weightDecay !== 0) {
      if (decoupled) p *= 1 - lr * weightDecay;
      else g += weightDecay * p;
    }
    const mi = beta1 * m[i] + (1 - beta1) * g;
    const vi = beta2 * v[i] + (1 - beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    let vHat = vi;
    if (amsgrad) {
      if (vi > amsgrad[i]) amsgrad[i] = vi;
      vHat = amsgrad[i];
    }
    param[i] = p - stepSize * (mi / (Math.sqrt(vHat) / sqrtBc2 + eps));
  }
}
