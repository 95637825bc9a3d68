import * as F from '../../autograd/ops/index.js';
import { zeros } from '../../tensor/creation.js';
import type { Generator } from '../../tensor/rng.js';
import { Tensor } from '../../tensor/tensor.js';
import { fmtShape } from '../../tensor/shape.js';
import { uniform_ } from '../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';

export interface LinearOptions {
  bias?: boolean;
  generator?: Generator;
}

/**
 * y = x Wᵀ + b. Shapes: x [..., inFeatures] -> [..., outFeatures]; weight [out, in] as in PyTorch.
 * Init (torch default): W, b ~ U(-1/√in, 1/√in).
 */
export class Linear extends Module {
  weight: Parameter;
  bias: Parameter | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, opts: LinearOptions = {}) {
    super();
    const bound = inFeatures > 0 ? 1 / Math.sqrt(inFeatures) : 0;
    this.weight = new Parameter(uniform_(zeros([outFeatures, inFeatures]), -bound, bound, opts.generator));
    this.bias = opts.bias === false ? null : new Parameter(uniform_(zeros([outFeatures]), -bound, bound, opts.generator));
  }

  forward(x: Tensor): Tensor {
    if (x.shape[x.ndim - 1] !== this.inFeatures) {
      throw new Error(`Linear(${this.inFeatures} -> ${this.outFeatures}): input has last dimension ${x.shape[x.ndim - 1]} (shape ${fmtShape(x.shape)})`);
    }
    return linear(x, this.weight, this.bias);
  }
}

/** Functional linear layer: x Wᵀ + b, one graph node (see the `linear` op). */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  return F.linear(x, weight, bias);
}

/** y_k = x1ᵀ A_k x2 + b_k. Shapes: [..., in1], [..., in2] -> [..., out]; weight [out, in1, in2]. */
export class Bilinear extends Module {
  weight: Parameter;
  bias: Parameter | null;

  constructor(readonly in1Features: number, readonly in2Features: number, readonly outFeatures: number, opts: LinearOptions = {}) {
    super();
    const bound = 1 / Math.sqrt(in1Features);
    this.weight = new Parameter(uniform_(zeros([outFeatures, in1Features, in2Features]), -bound, bound, opts.generator));
    this.bias = opts.bias === false ? null : new Parameter(uniform_(zeros([outFeatures]), -bound, bound, opts.generator));
  }

  forward(x1: Tensor, x2: Tensor): Tensor {
    if (x1.shape[x1.ndim - 1] !== this.in1Features || x2.shape[x2.ndim - 1] !== this.in2Features) {
      throw new Error(`Bilinear(${this.in1Features}, ${this.in2Features} -> ${this.outFeatures}): got inputs ${fmtShape(x1.shape)} and ${fmtShape(x2.shape)}`);
    }
    const lead = x1.shape.slice(0, -1);
    const a = F.reshape(x1, [-1, this.in1Features]); // (N, in1)
    const b = F.reshape(x2, [-1, this.in2Features]); // (N, in2)
    // (N, in1) x (in1, out*in2) -> (N, out, in2), then dot with x2
    const w = F.reshape(F.permute(this.weight, [1, 0, 2]), [this.in1Features, this.outFeatures * this.in2Features]);
    const t = F.reshape(F.matmul(a, w), [-1, this.outFeatures, this.in2Features]);
    let y = F.sum(F.mul(t, F.unsqueeze(b, 1)), 2); // (N, out)
    if (this.bias) y = F.add(y, this.bias);
    return F.reshape(y, [...lead, this.outFeatures]);
  }
}
