import * as F from '../../autograd/ops/index.js';
import { randn } from '../../tensor/creation.js';
import type { Generator } from '../../tensor/rng.js';
import { Tensor } from '../../tensor/tensor.js';
import { Module } from '../module.js';

/** x + N(0, std²) noise in train mode, identity in eval mode (a regulariser on inputs or hidden units). */
export function gaussianNoise(x: Tensor, std: number, training: boolean, generator?: Generator): Tensor {
  if (!(std >= 0)) throw new Error(`gaussianNoise: std must be >= 0, got ${std}`);
  if (!training || std === 0) return x;
  return F.add(x, randn(x.shape, { std, generator }));
}

export class GaussianNoise extends Module {
  constructor(readonly std = 0.1, readonly generator?: Generator) {
    super();
    if (!(std >= 0)) throw new Error(`GaussianNoise: std must be >= 0, got ${std}`);
  }

  forward(x: Tensor): Tensor {
    return gaussianNoise(x, this.std, this.training, this.generator);
  }
}
