import { Optimizer, type ParamState, type ParamsArg } from './optimizer.js';

export interface RMSpropOptions {
  lr: number;
  alpha?: number;
  eps?: number;
  weightDecay?: number;
  momentum?: number;
  centered?: boolean;
}

/** torch.optim.RMSprop (eps added outside the square root, as torch does). */
export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(params: ParamsArg<RMSpropOptions>, o: RMSpropOptions) {
    super('RMSprop', params, { alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, ...o });
  }

  protected override validate(o: RMSpropOptions): void {
    super.validate(o);
    if (!((o.alpha ?? 0.99) >= 0)) throw new Error(`RMSprop: invalid alpha ${o.alpha}`);
    if (!((o.eps ?? 1e-8) >= 0)) throw new Error(`RMSprop: invalid eps ${o.eps}`);
    if (!((o.momentum ?? 0) >= 0)) throw new Error(`RMSprop: invalid momentum ${o.momentum}`);
    if (!((o.weightDecay ?? 0) >= 0)) throw new Error(`RMSprop: invalid weightDecay ${o.weightDecay}`);
  }

  protected update(p: Float32Array, g: Float32Array, st: ParamState, o: RMSpropOptions): void {
    const alpha = o.alpha!, eps = o.eps!, wd = o.weightDecay!, mu = o.momentum!, lr = o.lr;
    const sq = this.buffer(st, 'square_avg', p.length);
    const gAvg = o.centered ? this.buffer(st, 'grad_avg', p.length) : null;
    const buf = mu > 0 ? this.buffer(st, 'momentum_buffer', p.length) : null;
    for (let i = 0; i < p.length; i++) {
      const gi = g[i] + wd * p[i];
      sq[i] = alpha * sq[i] + (1 - alpha) * gi * gi;
      let avg: number;
      if (gAvg) {
        gAvg[i] = alpha * gAvg[i] + (1 - alpha) * gi;
        avg = Math.sqrt(sq[i] - gAvg[i] * gAvg[i]) + eps;
      } else avg = Math.sqrt(sq[i]) + eps;
      if (buf) {
        buf[i] = mu * buf[i] + gi / avg;
        p[i] -= lr * buf[i];
      } else p[i] -= (lr * gi) / avg;
    }
  }
}
