import * as F from '../../autograd/ops/index.js';
import type { AvgPool2dOptions, MaxPool2dOptions, UpsampleOptions } from '../../autograd/ops/pool.js';
import type { IntPair } from '../../autograd/ops/vision-args.js';
import { Tensor } from '../../tensor/tensor.js';
import { Module } from '../module.js';

/** [N, C, H, W] -> [N, C, Ho, Wo], max over each window. */
export class MaxPool2d extends Module {
  constructor(readonly kernelSize: IntPair, readonly options: MaxPool2dOptions = {}) { super(); }
  forward(x: Tensor): Tensor { return F.maxPool2d(x, this.kernelSize, this.options); }
}

/** [N, C, H, W] -> [N, C, Ho, Wo], mean over each window. */
export class AvgPool2d extends Module {
  constructor(readonly kernelSize: IntPair, readonly options: AvgPool2dOptions = {}) { super(); }
  forward(x: Tensor): Tensor { return F.avgPool2d(x, this.kernelSize, this.options); }
}

/** [N, C, H, W] -> [N, C, outH, outW] with PyTorch's adaptive windows. */
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: number | readonly [number | null, number | null]) { super(); }
  forward(x: Tensor): Tensor { return F.adaptiveAvgPool2d(x, this.outputSize); }
}

/** Nearest-neighbour upsampling by a scale factor or to a size. */
export class Upsample extends Module {
  constructor(readonly options: UpsampleOptions) { super(); }
  forward(x: Tensor): Tensor { return F.upsampleNearest(x, this.options); }
}
