import { Optimizer, type ParamState, type ParamsArg } from './optimizer.js';

export interface AdagradOptions {
  lr: number;
  lrDecay?: number;
  weightDecay?: number;
  initialAccumulatorValue?: number;
  eps?: number;
}

/** torch.optim.Adagrad: clr = lr / (1 + (t-1)·lrDecay); sum += g²; p -= clr·g / (√sum + eps). */
export class Adagrad extends Optimizer<AdagradOptions> {
  constructor(params: ParamsArg<AdagradOptions>, o: AdagradOptions) {
    super('Adagrad', params, { lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, ...o });
  }

  protected override validate(o: AdagradOptions): void {
    super.validate(o);
    for (const k of ['lrDecay', 'weightDecay', 'initialAccumulatorValue', 'eps'] as const) {
      if (!((o[k] ?? 0) >= 0)) throw new Error(`Adagrad: invalid ${k} ${o[k]}`);
    }
  }

  protected update(p: Float32Array, g: Float32Array, st: ParamState, o: AdagradOptions): void {
    const first = !st.buffers.sum;
    const sum = this.buffer(st, 'sum', p.length);
    if (first && o.initialAccumulatorValue) sum.fill(o.initialAccumulatorValue);
    const clr = o.lr / (1 + (st.step - 1) * o.lrDecay!);
    const wd = o.weightDecay!, eps = o.eps!;
    for (let i = 0; i < p.length; i++) {
      const gi = g[i] + wd * p[i];
      sum[i] += gi * gi;
      p[i] -= (clr * gi) / (Math.sqrt(sum[i]) + eps);
    }
  }
}
