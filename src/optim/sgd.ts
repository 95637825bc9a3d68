import { getBackend } from '../backend/registry.js';
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
    const be = getBackend();
    if (!first && wd === 0 && damp === 0 && !o.nesterov && be.name === 'native' && p.length >= 65536) {
      // the common case as four multi-threaded native passes instead of one scalar JS loop:
      // buf = mu·buf + g; p -= lr·buf
      const flat = (a: Float32Array) => ({ data: a, shape: [a.length], strides: [1], offset: 0 });
      const tmp = scratch(p.length);
      be.unary('mulScalar', flat(buf), buf, mu);
      be.binary('add', flat(buf), flat(g), buf);
      be.unary('mulScalar', flat(buf), tmp, lr);
      be.binary('sub', flat(p), flat(tmp), p);
      return;
    }
    for (let i = 0; i < p.length; i++) {
      const gi = g[i] + wd * p[i];
      const b = first ? gi : mu * buf[i] + (1 - damp) * gi;
      buf[i] = b;
      p[i] -= lr * (o.nesterov ? gi + mu * b : b);
    }
  }
}

let scratchBuffer = new Float32Array(0);
/** A temporary for one update, reused across parameters and steps (never part of the state). */
function scratch(n: number): Float32Array {
  if (scratchBuffer.length < n) scratchBuffer = new Float32Array(n);
  return scratchBuffer.subarray(0, n);
}
