/**
 * Greedy layer-wise pretraining, as in the notes: train (w1, b1) on x and compute
 * h1 = σ(x w1ᵀ + b1); train (w2, b2) on h1 and compute h2; ... Each layer is an RBM or an
 * autoencoder (plain or denoising). The stack then unrolls into an MLP — Linear + Sigmoid per
 * pretrained layer plus a fresh output layer — that is fine-tuned with backprop.
 */
import { noGrad } from '../autograd/grad-mode.js';
import { defaultGenerator, type Generator } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { fmtShape } from '../tensor/shape.js';
import { Linear } from '../nn/layers/linear.js';
import { Sigmoid } from '../nn/layers/activations.js';
import { Sequential } from '../nn/layers/containers.js';
import type { Module } from '../nn/module.js';
import { RBM, trainRbm, type RbmEpochStats } from './rbm.js';
import { Autoencoder, trainAutoencoder, type AutoencoderEpochStats } from './autoencoder.js';

export type PretrainMethod = 'rbm' | 'ae' | 'dae';

/** Options of {@link pretrainStack}. */
export interface PretrainOptions {
  /** Layer widths from the input: [784, 500, 500] pretrains 784→500 and 500→500. */
  sizes: readonly number[];
  method: PretrainMethod;
  /** Epochs per layer. */
  epochs: number;
  batchSize?: number;
  /** Default: 0.05 for RBMs, 1e-3 (Adam) for autoencoders. */
  lr?: number;
  /** RBM: Gibbs steps (default 1), persistent CD (default false), momentum (default 0.5), weight decay (default 1e-4). */
  k?: number;
  persistent?: boolean;
  momentum?: number;
  weightDecay?: number;
  /** Denoising autoencoder masking fraction. Default 0.25 (only used by 'dae'). */
  corruption?: number;
  /** Autoencoders: tie decoder and encoder weights. Default true. */
  tied?: boolean;
  generator?: Generator;
  /** Rows of each layer's input on which the per-epoch monitors are computed. Default 500. */
  monitorRows?: number;
  /** Called after every epoch of every layer (layer 0 = the one next to the input). */
  onEpoch?: (layer: number, stats: RbmEpochStats | AutoencoderEpochStats) => void;
}

/** One pretrained layer: weight [out, in] and bias [out] in Linear's layout, plus its training history. */
export interface PretrainedLayer {
  weight: Tensor;
  bias: Tensor;
  method: PretrainMethod;
  history: (RbmEpochStats | AutoencoderEpochStats)[];
  /** The trained model itself (for filters, samples, checkpoints). */
  model: RBM | Autoencoder;
}

/** The hidden representation a pretrained layer hands to the next: σ(x Wᵀ + b), deterministic. */
export function propagate(layer: PretrainedLayer, x: Tensor): Tensor {
  return noGrad(() => x.matmul(layer.weight.transpose()).add(layer.bias).sigmoid());
}

/** Greedy layer-wise pretraining of `sizes.length − 1` layers on x [n, sizes[0]]. */
export function pretrainStack(x: Tensor, o: PretrainOptions): PretrainedLayer[] {
  const { sizes, method } = o;
  if (sizes.length < 2 || !sizes.every((s) => Number.isInteger(s) && s > 0)) throw new Error(`pretrainStack: sizes must be at least two positive integers, got [${sizes.join(',')}]`);
  if (!['rbm', 'ae', 'dae'].includes(method)) throw new Error(`pretrainStack: method must be 'rbm', 'ae' or 'dae', got '${method}'`);
  if (x.ndim !== 2 || x.shape[1] !== sizes[0]) throw new Error(`pretrainStack: expected data of shape [n, ${sizes[0]}], got ${fmtShape(x.shape)}`);
  const g = o.generator ?? defaultGenerator;
  const layers: PretrainedLayer[] = [];
  let h = x;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const onEpoch = (s: RbmEpochStats | AutoencoderEpochStats) => o.onEpoch?.(l, s);
    let layer: PretrainedLayer;
    if (method === 'rbm') {
      const rbm = new RBM({ nVisible: sizes[l], nHidden: sizes[l + 1], generator: g });
      const history = trainRbm(rbm, h, {
        epochs: o.epochs, batchSize: o.batchSize ?? 20, lr: o.lr ?? 0.05, k: o.k ?? 1, persistent: o.persistent ?? false,
        momentum: o.momentum ?? 0.5, weightDecay: o.weightDecay ?? 1e-4, generator: g, onEpoch,
        monitorData: noGrad(() => h.narrow(0, 0, Math.min(o.monitorRows ?? 500, h.shape[0])).contiguous()),
      });
      layer = { weight: rbm.weight, bias: rbm.hiddenBias, method, history, model: rbm };
    } else {
      const ae = new Autoencoder({ nVisible: sizes[l], nHidden: sizes[l + 1], tied: o.tied ?? true, generator: g });
      const history = trainAutoencoder(ae, h, {
        epochs: o.epochs, batchSize: o.batchSize ?? 32, lr: o.lr ?? 1e-3, corruption: method === 'dae' ? o.corruption ?? 0.25 : 0, generator: g, onEpoch,
      });
      layer = { weight: ae.encoder.weight, bias: ae.encoder.bias!, method, history, model: ae };
    }
    layers.push(layer);
    h = propagate(layer, h);
  }
  return layers;
}

/**
 * Unrolls pretrained layers into Sequential(Linear, Sigmoid, ..., Linear(last, nClasses)); the
 * weights are copied, so fine-tuning leaves the pretrained models untouched.
 */
export function unrollToMlp(layers: readonly PretrainedLayer[], nClasses: number, generator?: Generator): Sequential {
  if (layers.length === 0) throw new Error('unrollToMlp: no pretrained layers');
  const mods: Module[] = [];
  layers.forEach((p, i) => {
    const [out, inp] = p.weight.shape;
    if (i > 0 && inp !== layers[i - 1].weight.shape[0]) throw new Error(`unrollToMlp: layer ${i} takes ${inp} inputs but layer ${i - 1} gives ${layers[i - 1].weight.shape[0]}`);
    const lin = new Linear(inp, out, { generator });
    (lin.weight.data as Float32Array).set(p.weight.values());
    (lin.bias!.data as Float32Array).set(p.bias.values());
    mods.push(lin, new Sigmoid());
  });
  mods.push(new Linear(layers[layers.length - 1].weight.shape[0], nClasses, { generator }));
  return new Sequential(...mods);
}
