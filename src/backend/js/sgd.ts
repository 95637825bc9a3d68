import type { SgdArgs } from '../backend.js';

/** One SGD step in place (torch.optim.SGD: momentum, dampening, weight decay, Nesterov). */
export function sgdKernel(a: SgdArgs): void {
  const { param: p, grad: g, buf, lr, momentum: mu, dampening: damp, weightDecay: wd, nesterov, first } = a;
  if (!buf) {
    for (let i = 0; i < p.length; i++) p[i] -= lr * (g[i] + wd * p[i]);
    return;
  }
  for (let i = 0; i < p.length; i++) {
    const gi = g[i] + wd * p[i];
    const b = first ? gi : mu * buf[i] + (1 - damp) * gi;
    buf[i] = b;
    p[i] -= lr * (nesterov ? gi + mu * b : b);
  }
}
