/** Settings and the feed-forward block shared by the Transformer encoder and decoder layers. */
import * as F from '../../autograd/ops/index.js';
import type { Generator } from '../../tensor/rng.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { Dropout } from './dropout.js';
import type { Linear } from './linear.js';

/** Settings shared by the Transformer layers; defaults are torch's. */
export interface TransformerLayerOptions {
  /** hidden size of the feed-forward block (default 2048) */
  dimFeedforward?: number;
  /** dropout after attention, inside and after the feed-forward block, and on attention weights (default 0.1) */
  dropout?: number;
  /** feed-forward activation (default 'relu'; 'gelu' is the exact erf form, as torch) */
  activation?: 'relu' | 'gelu';
  /** LayerNorm epsilon (default 1e-5) */
  layerNormEps?: number;
  /** [N, L, E] instead of [L, N, E] (default false) */
  batchFirst?: boolean;
  /** pre-LN (x + f(norm(x))) instead of post-LN (norm(x + f(x))) (default false) */
  normFirst?: boolean;
  /** for initialisation and dropout masks (default: the global generator) */
  generator?: Generator;
}

/** The options with torch's defaults filled in. */
export function layerDefaults(o: TransformerLayerOptions): Required<Omit<TransformerLayerOptions, 'generator'>> & { generator?: Generator } {
  const activation = o.activation ?? 'relu';
  if (activation !== 'relu' && activation !== 'gelu') throw new Error(`Transformer layer: activation must be 'relu' or 'gelu', got '${String(activation)}'`);
  return {
    dimFeedforward: o.dimFeedforward ?? 2048, dropout: o.dropout ?? 0.1, activation, layerNormEps: o.layerNormEps ?? 1e-5,
    batchFirst: o.batchFirst ?? false, normFirst: o.normFirst ?? false, generator: o.generator,
  };
}

/** The position-wise feed-forward block shared by both layer kinds: linear2(dropout(act(linear1(x)))). */
export function feedForward(x: Tensor, linear1: Linear, linear2: Linear, dropout: Dropout, activation: 'relu' | 'gelu'): Tensor {
  const h = linear1.forward(x);
  return linear2.forward(dropout.forward(activation === 'relu' ? F.relu(h) : F.gelu(h)));
}

