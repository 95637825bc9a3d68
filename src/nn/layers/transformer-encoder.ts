import * as F from '../../autograd/ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Module } from '../module.js';
import { ModuleList } from './containers.js';
import { Dropout } from './dropout.js';
import { Linear } from './linear.js';
import { MultiheadAttention } from './multihead-attention.js';
import { LayerNorm } from './normalization.js';
import { feedForward, layerDefaults, type TransformerLayerOptions } from './transformer-options.js';

export type { TransformerLayerOptions } from './transformer-options.js';

export interface EncoderLayerForwardOptions {
  /** [L, L] or [N·H, L, L]: int32 boolean (nonzero = masked) or float32 additive */
  srcMask?: Tensor | null;
  /** [N, L]: int32 boolean (nonzero = padding) or float32 additive */
  srcKeyPaddingMask?: Tensor | null;
}

/**
 * torch.nn.TransformerEncoderLayer: self-attention then a feed-forward block, each with a
 * residual connection and LayerNorm (after the sum, or before the block with normFirst).
 * Parameters: self_attn.*, linear1, linear2, norm1, norm2. Shapes: src [L, N, E] (batchFirst
 * [N, L, E]) -> same.
 */
export class TransformerEncoderLayer extends Module {
  self_attn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  norm1: LayerNorm;
  norm2: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  readonly options: ReturnType<typeof layerDefaults>;

  constructor(readonly dModel: number, readonly nhead: number, opts: TransformerLayerOptions = {}) {
    super();
    const o = layerDefaults(opts);
    this.options = o;
    const g = o.generator;
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: o.dropout, batchFirst: o.batchFirst, generator: g });
    this.linear1 = new Linear(dModel, o.dimFeedforward, { generator: g });
    this.dropout = new Dropout(o.dropout, g);
    this.linear2 = new Linear(o.dimFeedforward, dModel, { generator: g });
    this.norm1 = new LayerNorm(dModel, o.layerNormEps);
    this.norm2 = new LayerNorm(dModel, o.layerNormEps);
    this.dropout1 = new Dropout(o.dropout, g);
    this.dropout2 = new Dropout(o.dropout, g);
  }

  forward(src: Tensor, opts: EncoderLayerForwardOptions = {}): Tensor {
    let x = src;
    if (this.options.normFirst) {
      x = F.add(x, this.selfAttention(this.norm1.forward(x), opts));
      x = F.add(x, this.dropout2.forward(this.ff(this.norm2.forward(x))));
    } else {
      x = this.norm1.forward(F.add(x, this.selfAttention(x, opts)));
      x = this.norm2.forward(F.add(x, this.dropout2.forward(this.ff(x))));
    }
    return x;
  }

  private selfAttention(x: Tensor, opts: EncoderLayerForwardOptions): Tensor {
    const { output } = this.self_attn.forward(x, x, x, { attnMask: opts.srcMask, keyPaddingMask: opts.srcKeyPaddingMask, needWeights: false });
    return this.dropout1.forward(output);
  }

  private ff(x: Tensor): Tensor {
    return feedForward(x, this.linear1, this.linear2, this.dropout, this.options.activation);
  }

  /**
   * The self-attention weights of this layer for `src` (the picture of a word attending to the
   * other words of its sentence): [N, L, L] averaged, or [N, H, L, L] per head.
   */
  attentionWeights(src: Tensor, opts: EncoderLayerForwardOptions & { averageAttnWeights?: boolean } = {}): Tensor {
    const x = this.options.normFirst ? this.norm1.forward(src) : src;
    return this.self_attn.forward(x, x, x, {
      attnMask: opts.srcMask, keyPaddingMask: opts.srcKeyPaddingMask, needWeights: true, averageAttnWeights: opts.averageAttnWeights,
    }).weights!;
  }

  /** A copy with the same settings and the same parameter values (what torch's deepcopy gives). */
  clone(): TransformerEncoderLayer {
    const c = new TransformerEncoderLayer(this.dModel, this.nhead, this.options);
    c.loadStateDict(this.stateDict());
    return c.train(this.training);
  }
}

export interface EncoderForwardOptions {
  /** [L, L] or [N·H, L, L] */
  mask?: Tensor | null;
  /** [N, L] */
  srcKeyPaddingMask?: Tensor | null;
}

/**
 * torch.nn.TransformerEncoder: `numLayers` copies of a layer (same initial values, as torch's
 * deep copies) under `layers.0`, `layers.1`, ..., then an optional final `norm`.
 */
export class TransformerEncoder extends Module {
  layers: ModuleList<TransformerEncoderLayer>;
  norm: LayerNorm | null;

  constructor(encoderLayer: TransformerEncoderLayer, readonly numLayers: number, norm: LayerNorm | null = null) {
    super();
    if (!(Number.isInteger(numLayers) && numLayers > 0)) throw new Error(`TransformerEncoder: numLayers must be a positive integer, got ${numLayers}`);
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => encoderLayer.clone()));
    this.norm = norm;
  }

  forward(src: Tensor, opts: EncoderForwardOptions = {}): Tensor {
    let x = src;
    for (const layer of this.layers) x = layer.forward(x, { srcMask: opts.mask, srcKeyPaddingMask: opts.srcKeyPaddingMask });
    return this.norm ? this.norm.forward(x) : x;
  }
}
