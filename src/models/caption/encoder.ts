import * as F from '../../autograd/ops/index.js';
import { Conv2d } from '../../nn/layers/conv.js';
import { ModuleList } from '../../nn/layers/containers.js';
import { BatchNorm2d } from '../../nn/layers/normalization.js';
import { Module } from '../../nn/module.js';
import { fmtShape } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { SCENE_SIDE } from '../../data/digit-scenes.js';

/** The pooling after each conv block: 84 -> 42 -> 21 -> 3, so the last map has one position per 28x28 cell. */
export const ENCODER_POOLS = [2, 2, 7] as const;

/**
 * CNN image encoder: three blocks of conv3x3 (padding 1) [+ BatchNorm on all or the last] + ReLU + max pooling
 * (2, 2, 7). Its last feature map is 3x3xD: one D-vector per cell of the scene grid, the
 * "regions" the attention decoder looks at. Each region sees exactly its own cell (the 7x7
 * pooling windows tile the 21x21 map along cell borders), plus the 3x3 kernels' fringe.
 */
export class CaptionEncoder extends Module {
  convs: ModuleList<Conv2d>;
  norms: ModuleList<BatchNorm2d> | null;

  /** Index of the first block with BatchNorm (norms.at(i - firstNorm) belongs to block i). */
  private readonly firstNorm: number;

  constructor(readonly channels: readonly number[], batchNorm: 'none' | 'last' | 'all' | boolean) {
    super();
    this.convs = new ModuleList<Conv2d>();
    channels.forEach((c, i) => this.convs.append(new Conv2d(i === 0 ? 1 : channels[i - 1], c, 3, { padding: 1 })));
    const mode = batchNorm === true ? 'all' : batchNorm === false ? 'none' : batchNorm;
    this.firstNorm = mode === 'all' ? 0 : mode === 'last' ? channels.length - 1 : channels.length;
    this.norms = mode === 'none' ? null : new ModuleList<BatchNorm2d>();
    if (this.norms) for (const c of channels.slice(this.firstNorm)) this.norms.append(new BatchNorm2d(c));
  }

  /** Region size D. */
  get regionSize(): number {
    return this.channels[this.channels.length - 1];
  }

  /** Shapes: images (B, 1, 84, 84) -> feature map (B, D, 3, 3). */
  featureMap(images: Tensor): Tensor {
    if (images.ndim !== 4 || images.shape[1] !== 1 || images.shape[2] !== SCENE_SIDE || images.shape[3] !== SCENE_SIDE) {
      throw new Error(`CaptionEncoder: images must be [B, 1, 84, 84], got ${fmtShape(images.shape)}`);
    }
    let x = images;
    for (let i = 0; i < this.channels.length; i++) {
      const conv = this.convs.at(i);
      if (this.norms && i >= this.firstNorm) {
        // max pooling before ReLU: the same values and gradients (ReLU is monotone), on a map 4-49 times smaller
        x = F.relu(F.maxPool2d(this.norms.at(i - this.firstNorm).forward(conv.forward(x)), ENCODER_POOLS[i]));
      } else {
        const { stride, padding, dilation, groups } = conv.options;
        x = F.conv2dReluMaxPool2d(x, conv.weight, conv.bias, { stride, padding, dilation, groups }, ENCODER_POOLS[i]);
      }
    }
    return x;
  }

  /** Shapes: images (B, 1, 84, 84) -> regions (B, 9, D), row-major from the top-left cell. */
  forward(images: Tensor): Tensor {
    return F.contiguous(F.transpose(F.flatten(this.featureMap(images), 2), 1, 2)); // (B, D, 9) -> (B, 9, D)
  }
}
