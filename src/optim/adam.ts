import { getBackend } from '../backend/registry.js';
import { Optimizer, type ParamState, type ParamsArg } from './optimizer.js';

export interface AdamOptions {
  lr: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
}

class AdamBase extends Optimizer<AdamOptions> {
  constructor(kind: string, params: ParamsArg<AdamOptions>, o: AdamOptions, private readonly decoupled: boolean, defaultWd: number) {
    super(kind, params, { betas: [0.9, 0.999], eps: 1e-8, weightDecay: defaultWd, amsgrad: false, ...o });
  }

  protected override validate(o: AdamOptions): void {
    super.validate(o);
    const [b1, b2] = o.betas ?? [0.9, 0.999];
    if (!(b1 >= 0 && b1 < 1)) throw new Error(`${this.kind}: invalid beta1 ${b1} (must be in [0, 1))`);
    if (!(b2 >= 0 && b2 < 1)) throw new Error(`${this.kind}: invalid beta2 ${b2} (must be in [0, 1))`);
    if (!((o.eps ?? 1e-8) >= 0)) throw new Error(`${this.kind}: invalid eps ${o.eps}`);
    if (!((o.weightDecay ?? 0) >= 0)) throw new Error(`${this.kind}: invalid weightDecay ${o.weightDecay}`);
  }

  protected update(p: Float32Array, g: Float32Array, st: ParamState, o: AdamOptions): void {
    const args = {
      param: p, grad: g,
      m: this.buffer(st, 'exp_avg', p.length),
      v: this.buffer(st, 'exp_avg_sq', p.length),
      lr: o.lr, beta1: o.betas![0], beta2: o.betas![1], eps: o.eps!, weightDecay: o.weightDecay!,
      decoupled: this.decoupled, step: st.step,
      amsgrad: o.amsgrad ? this.buffer(st, 'max_exp_avg_sq', p.length) : null,
    };
    getBackend().adam(args);
  }
}

/** torch.optim.Adam (L2 weight decay added to the gradient). */
export class Adam extends AdamBase {
  constructor(params: ParamsArg<AdamOptions>, o: AdamOptions) {
    super('Adam', params, o, false, 0);
  }
}

/** torch.optim.AdamW (decoupled weight decay, default 0.01). */
export class AdamW extends AdamBase {
  constructor(params: ParamsArg<AdamOptions>, o: AdamOptions) {
    super('AdamW', params, o, true, 0.01);
  }
}
