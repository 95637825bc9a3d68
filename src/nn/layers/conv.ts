import * as F from '../../autograd/ops/index.js';
import type { Conv2dOptions, ConvTranspose2dOptions } from '../../autograd/ops/conv.js';
import { pair, type IntPair } from '../../autograd/ops/vision-args.js';
import { zeros } from '../../tensor/creation.js';
import type { Generator } from '../../tensor/rng.js';
import { Tensor } from '../../tensor/tensor.js';
import { uniform_ } from '../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';

export interface Conv2dConfig extends Conv2dOptions {
  bias?: boolean;
  generator?: Generator;
}

/**
 * 2-D convolution layer. Shapes: [N, Cin, H, W] -> [N, Cout, Ho, Wo]; weight [Cout, Cin/groups, kH, kW].
 * Init (torch default): U(-1/√fanIn, 1/√fanIn) with fanIn = Cin/groups·kH·kW, for weight and bias.
 */
export class Conv2d extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly kernelSize: [number, number];

  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: IntPair, readonly options: Conv2dConfig = {}) {
    super();
    const groups = options.groups ?? 1;
    if (inChannels % groups || outChannels % groups) {
      throw new Error(`Conv2d: groups ${groups} must divide both inChannels ${inChannels} and outChannels ${outChannels}`);
    }
    this.kernelSize = pair('Conv2d', 'kernelSize', kernelSize, 1);
    const [kh, kw] = this.kernelSize;
    const fanIn = (inChannels / groups) * kh * kw;
    const bound = 1 / Math.sqrt(fanIn);
    this.weight = new Parameter(uniform_(zeros([outChannels, inChannels / groups, kh, kw]), -bound, bound, options.generator));
    this.bias = options.bias === false ? null : new Parameter(uniform_(zeros([outChannels]), -bound, bound, options.generator));
  }

  forward(x: Tensor): Tensor {
    const { stride, padding, dilation, groups } = this.options;
    return F.conv2d(x, this.weight, this.bias, { stride, padding, dilation, groups });
  }
}

export interface ConvTranspose2dConfig extends ConvTranspose2dOptions {
  bias?: boolean;
  generator?: Generator;
}

/**
 * Transposed convolution layer. Shapes: [N, Cin, H, W] -> [N, Cout, Ho, Wo]; weight
 * [Cin, Cout/groups, kH, kW]. Init as torch: fanIn from weight dim 1 (Cout/groups·kH·kW).
 */
export class ConvTranspose2d extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly kernelSize: [number, number];

  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: IntPair, readonly options: ConvTranspose2dConfig = {}) {
    super();
    const groups = options.groups ?? 1;
    if (inChannels % groups || outChannels % groups) {
      throw new Error(`ConvTranspose2d: groups ${groups} must divide both inChannels ${inChannels} and outChannels ${outChannels}`);
    }
    this.kernelSize = pair('ConvTranspose2d', 'kernelSize', kernelSize, 1);
    const [kh, kw] = this.kernelSize;
    const fanIn = (outChannels / groups) * kh * kw;
    const bound = 1 / Math.sqrt(fanIn);
    this.weight = new Parameter(uniform_(zeros([inChannels, outChannels / groups, kh, kw]), -bound, bound, options.generator));
    this.bias = options.bias === false ? null : new Parameter(uniform_(zeros([outChannels]), -bound, bound, options.generator));
  }

  forward(x: Tensor): Tensor {
    const { stride, padding, outputPadding, dilation, groups } = this.options;
    return F.convTranspose2d(x, this.weight, this.bias, { stride, padding, outputPadding, dilation, groups });
  }
}
