import { Optimizer, type ParamState, type ParamsArg } from './optimizer.js';

export interface SGDOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
}

/** torch.optim.SGD: g += wd·p; buf = μ·buf + (1-dampening)·g (buf = g on the first step); p -= lr·(nesterov ? g + μ·buf : buf). */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: ParamsArg<SGDOptions>, o: SGDOptions) {
    super('SGD', params, { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, ...o });
  }

  protected override validate(o: SGDOptions): void {
    super.validate(o);
    if ((o.momentum ?? 0) < 0) throw new Error(`SGD: invalid momentum ${o.momentum}`);
    if ((o.weightDecay ?? 0) < 0) throw new Error(`SGD: invalid weightDecay ${o.weightDecay}`);
    if (o.nesterov && ((o.momentum ?? 0) <= 0 || (o.dampening ?? 0) !== 0)) throw new Error('SGD: nesterov needs momentum > 0 and dampening 0');
  }

  protected update(p: Float32Array, g: Float32Array, st: ParamState, o: SGDOptions): void {
    const mu = o.momentum ?? 0, damp = o.dampening ?? 0, wd = o.weightDecay ?? 0, lr = o.lr;
    if (mu === 0) {
      for (let i = 0; i < p.length; i++) p[i] -= lr * (g[i] + wd * p[i]);
      return;
    }
    const first = !st.buffers.momentum_buffer;
    const buf = this.buffer(st, 'momentum_buffer', p.length);
    for (let i = 0; i < p.length; i++) {
      const gi = g[i] + wd * p[i];
      const b = first ? gi : mu * buf[i] + (1 - damp) * gi;
      buf[i] = b;
      p[i] -= lr * (o.nesterov ? gi + mu * b : b);
    }
  }
}
