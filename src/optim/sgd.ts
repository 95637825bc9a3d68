import { getBackend } from '../backend/registry.js';
import type { SgdArgs } from '../backend/backend.js';
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
    const mu = o.momentum ?? 0;
    const first = mu !== 0 && !st.buffers.momentum_buffer;
    const args: SgdArgs = {
      param: p, grad: g, buf: mu === 0 ? null : this.buffer(st, 'momentum_buffer', p.length),
      lr: o.lr, momentum: mu, dampening: o.dampening ?? 0, weightDecay: o.weightDecay ?? 0, nesterov: o.nesterov ?? false, first,
    };
    getBackend().sgd(args);
  }
}
