import * as F from '../../autograd/ops/index.js';
import { noGrad } from '../../autograd/grad-mode.js';
import { ones, zeros } from '../../tensor/creation.js';
import { Tensor } from '../../tensor/tensor.js';
import { fmtShape } from '../../tensor/shape.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';

/** Normalises over the trailing `normalizedShape` dims: (x - mean) / sqrt(var + eps) · weight + bias. */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(normalizedShape: number | number[], readonly eps = 1e-5, elementwiseAffine = true) {
    super();
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape.slice();
    this.weight = elementwiseAffine ? new Parameter(ones(this.normalizedShape)) : null;
    this.bias = elementwiseAffine ? new Parameter(zeros(this.normalizedShape)) : null;
  }

  /** x [..., *normalizedShape] -> same shape */
  forward(x: Tensor): Tensor {
    const k = this.normalizedShape.length;
    const tail = x.shape.slice(x.ndim - k);
    if (x.ndim < k || tail.some((d, i) => d !== this.normalizedShape[i])) {
      throw new Error(`LayerNorm(${fmtShape(this.normalizedShape)}): input shape ${fmtShape(x.shape)} does not end with the normalized shape`);
    }
    return F.layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }
}

/**
 * Batch normalisation over all dims but the channel dim 1. Training uses batch statistics
 * (biased variance to normalise, unbiased for the running estimate, as torch); eval uses the
 * running estimates.
 */
class BatchNormBase extends Module {
  weight: Parameter | null;
  bias: Parameter | null;
  declare running_mean: Tensor | null;
  declare running_var: Tensor | null;
  declare num_batches_tracked: Tensor | null;

  constructor(
    readonly numFeatures: number,
    readonly eps = 1e-5,
    readonly momentum: number | null = 0.1,
    affine = true,
    readonly trackRunningStats = true,
    private readonly dims: number[] = [2, 3],
    private readonly label = 'BatchNorm',
  ) {
    super();
    this.weight = affine ? new Parameter(ones([numFeatures])) : null;
    this.bias = affine ? new Parameter(zeros([numFeatures])) : null;
    if (trackRunningStats) {
      this.registerBuffer('running_mean', zeros([numFeatures]));
      this.registerBuffer('running_var', ones([numFeatures]));
      this.registerBuffer('num_batches_tracked', zeros([], { dtype: 'int32' }));
    } else {
      this.registerBuffer('running_mean', null);
      this.registerBuffer('running_var', null);
      this.registerBuffer('num_batches_tracked', null);
    }
  }

  forward(x: Tensor): Tensor {
    if (!this.dims.includes(x.ndim) || x.shape[1] !== this.numFeatures) {
      throw new Error(`${this.label}(${this.numFeatures}): expected input with ${this.dims.join(' or ')} dims and ${this.numFeatures} channels in dim 1, got ${fmtShape(x.shape)}`);
    }
    const axes = [0, ...Array.from({ length: x.ndim - 2 }, (_, i) => i + 2)];
    const bshape = x.shape.map((d, i) => (i === 1 ? d : 1));
    const useBatch = this.training || !this.trackRunningStats;
    let mean: Tensor, variance: Tensor;
    if (useBatch) {
      const n = x.size / this.numFeatures;
      if (this.training && n <= 1) throw new Error(`${this.label}: expected more than 1 value per channel when training, got input ${fmtShape(x.shape)}`);
      mean = F.mean(x, axes, true);
      variance = F.mean(F.square(F.sub(x, mean)), axes, true);
      if (this.training && this.trackRunningStats) {
        noGrad(() => {
          const nbt = this.num_batches_tracked!;
          nbt.data[0] += 1;
          const m = this.momentum ?? 1 / nbt.data[0];
          const rm = this.running_mean!.data as Float32Array;
          const rv = this.running_var!.data as Float32Array;
          const bm = mean.values(), bv = variance.values();
          for (let c = 0; c < this.numFeatures; c++) {
            rm[c] = (1 - m) * rm[c] + m * bm[c];
            rv[c] = (1 - m) * rv[c] + m * bv[c] * (n / (n - 1));
          }
        });
      }
    } else {
      mean = F.reshape(this.running_mean!, bshape);
      variance = F.reshape(this.running_var!, bshape);
    }
    let y = F.mul(F.sub(x, mean), F.rsqrt(F.add(variance, this.eps)));
    if (this.weight) y = F.mul(y, F.reshape(this.weight, bshape));
    if (this.bias) y = F.add(y, F.reshape(this.bias, bshape));
    return y;
  }
}

/** Input [N, C] or [N, C, L]. */
export class BatchNorm1d extends BatchNormBase {
  constructor(numFeatures: number, eps = 1e-5, momentum: number | null = 0.1, affine = true, trackRunningStats = true) {
    super(numFeatures, eps, momentum, affine, trackRunningStats, [2, 3], 'BatchNorm1d');
  }
}

/** Input [N, C, H, W]. */
export class BatchNorm2d extends BatchNormBase {
  constructor(numFeatures: number, eps = 1e-5, momentum: number | null = 0.1, affine = true, trackRunningStats = true) {
    super(numFeatures, eps, momentum, affine, trackRunningStats, [4], 'BatchNorm2d');
  }
}
