import * as F from '../../autograd/ops/index.js';
import { flatView } from '../../backend/flat-view.js';
import { getBackend } from '../../backend/registry.js';
import { bernoulli } from '../../tensor/creation.js';
import type { Generator } from '../../tensor/rng.js';
import { Tensor } from '../../tensor/tensor.js';
import { Module } from '../module.js';

/** Inverted dropout: zeroes with probability p and scales the rest by 1/(1-p); identity in eval mode. */
export function dropout(x: Tensor, p: number, training: boolean, generator?: Generator): Tensor {
  if (!(p >= 0 && p <= 1)) throw new Error(`dropout: probability must be in [0, 1], got ${p}`);
  if (!training || p === 0) return x;
  if (p === 1) return F.mul(x, 0);
  const mask = bernoulli(1 - p, x.shape, { generator });
  // the mask is fresh and carries no gradient: scale it in place rather than allocate a scaled copy
  const m = mask.data as Float32Array;
  getBackend().unary('mulScalar', flatView(m), m, 1 / (1 - p));
  return F.mul(x, mask);
}

export class Dropout extends Module {
  constructor(readonly p = 0.5, readonly generator?: Generator) {
    super();
    if (!(p >= 0 && p <= 1)) throw new Error(`Dropout: probability must be in [0, 1], got ${p}`);
  }

  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training, this.generator);
  }
}
