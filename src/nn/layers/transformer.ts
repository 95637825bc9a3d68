import type { Generator } from '../../tensor/rng.js';
import type { Tensor } from '../../tensor/tensor.js';
import { fmtShape } from '../../tensor/shape.js';
import { xavierUniform_ } from '../init.js';
import { Module } from '../module.js';
import { generateSquareSubsequentMask } from './multihead-attention.js';
import { LayerNorm } from './normalization.js';
import { TransformerDecoder, TransformerDecoderLayer, type DecoderLayerForwardOptions } from './transformer-decoder.js';
import { TransformerEncoder, TransformerEncoderLayer, type TransformerLayerOptions } from './transformer-encoder.js';

export interface TransformerOptions extends TransformerLayerOptions {
  /** model width E (default 512) */
  dModel?: number;
  /** attention heads (default 8) */
  nhead?: number;
  /** encoder layers (default 6) */
  numEncoderLayers?: number;
  /** decoder layers (default 6) */
  numDecoderLayers?: number;
}

export interface TransformerForwardOptions extends DecoderLayerForwardOptions {
  /** [S, S] or [N·H, S, S] */
  srcMask?: Tensor | null;
  /** [N, S] */
  srcKeyPaddingMask?: Tensor | null;
}

/**
 * torch.nn.Transformer: a TransformerEncoder and a TransformerDecoder, each with a final
 * LayerNorm (`encoder.norm`, `decoder.norm`), every matrix re-initialised Xavier-uniform as
 * torch's _reset_parameters. Shapes: src [S, N, E], tgt [T, N, E] (batchFirst: [N, S, E],
 * [N, T, E]) -> [T, N, E]. Parameter names equal torch's, so its state dict loads as is.
 */
export class Transformer extends Module {
  encoder: TransformerEncoder;
  decoder: TransformerDecoder;
  readonly dModel: number;
  readonly nhead: number;
  readonly batchFirst: boolean;

  constructor(opts: TransformerOptions = {}) {
    super();
    const { dModel = 512, nhead = 8, numEncoderLayers = 6, numDecoderLayers = 6, ...layer } = opts;
    this.dModel = dModel;
    this.nhead = nhead;
    this.batchFirst = layer.batchFirst ?? false;
    const eps = layer.layerNormEps ?? 1e-5;
    this.encoder = new TransformerEncoder(new TransformerEncoderLayer(dModel, nhead, layer), numEncoderLayers, new LayerNorm(dModel, eps));
    this.decoder = new TransformerDecoder(new TransformerDecoderLayer(dModel, nhead, layer), numDecoderLayers, new LayerNorm(dModel, eps));
    const g: Generator | undefined = layer.generator;
    for (const p of this.parameters()) if (p.ndim > 1) xavierUniform_(p, 1, g);
  }

  forward(src: Tensor, tgt: Tensor, opts: TransformerForwardOptions = {}): Tensor {
    const nb = this.batchFirst ? 0 : 1;
    if (src.ndim !== tgt.ndim || (src.ndim === 3 && src.shape[nb] !== tgt.shape[nb])) {
      throw new Error(`Transformer: src ${fmtShape(src.shape)} and tgt ${fmtShape(tgt.shape)} must have the same batch size`);
    }
    if (src.shape[src.ndim - 1] !== this.dModel || tgt.shape[tgt.ndim - 1] !== this.dModel) {
      throw new Error(`Transformer: the feature size of src ${fmtShape(src.shape)} and tgt ${fmtShape(tgt.shape)} must equal dModel ${this.dModel}`);
    }
    const memory = this.encoder.forward(src, { mask: opts.srcMask, srcKeyPaddingMask: opts.srcKeyPaddingMask });
    return this.decoder.forward(tgt, memory, opts);
  }

  /** [n, n] float mask with -Infinity above the diagonal (torch's static method of the same name). */
  static generateSquareSubsequentMask(n: number): Tensor {
    return generateSquareSubsequentMask(n);
  }
}
