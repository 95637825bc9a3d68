/**
 * One-hidden-layer autoencoders for layer-wise pretraining: plain or denoising (masking noise:
 * each input unit is set to 0 with probability `corruption`, the clean input is the target), with
 * tied (decoder = encoderᵀ) or untied weights, trained with autograd.
 */
import * as F from '../autograd/ops/index.js';
import { noGrad } from '../autograd/grad-mode.js';
import { bernoulli, zeros } from '../tensor/creation.js';
import { defaultGenerator, type Generator } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { fmtShape } from '../tensor/shape.js';
import { Module } from '../nn/module.js';
import { Parameter } from '../nn/parameter.js';
import { Linear } from '../nn/layers/linear.js';
import { binaryCrossEntropyWithLogits, mseLoss } from '../nn/losses.js';
import { Adam } from '../optim/adam.js';
import { SGD } from '../optim/sgd.js';

/** Configuration of an {@link Autoencoder}. */
export interface AutoencoderConfig {
  nVisible: number;
  nHidden: number;
  /** Decoder weight = encoder weightᵀ (half the parameters). Default true. */
  tied?: boolean;
  /**
   * 'bce': sigmoid outputs and binary cross-entropy, for inputs in [0, 1] (pixels, sigmoid codes).
   * 'mse': linear outputs and squared error, for real-valued inputs. Default 'bce'.
   */
  loss?: 'bce' | 'mse';
  generator?: Generator;
}

/** Shapes: x [B, nVisible] → code [B, nHidden] → reconstruction [B, nVisible]. */
export class Autoencoder extends Module {
  encoder: Linear;
  /** Untied decoder (null when tied). */
  decoder: Linear | null;
  /** Visible bias of the tied decoder (null when untied). */
  decoderBias: Parameter | null;
  readonly tied: boolean;
  readonly lossKind: 'bce' | 'mse';

  constructor(readonly config: AutoencoderConfig) {
    super();
    const { nVisible, nHidden } = config;
    if (!(Number.isInteger(nVisible) && nVisible > 0 && Number.isInteger(nHidden) && nHidden > 0)) {
      throw new Error(`Autoencoder: nVisible and nHidden must be positive integers, got ${nVisible} and ${nHidden}`);
    }
    this.tied = config.tied ?? true;
    this.lossKind = config.loss ?? 'bce';
    if (this.lossKind !== 'bce' && this.lossKind !== 'mse') throw new Error(`Autoencoder: loss must be 'bce' or 'mse', got '${String(this.lossKind)}'`);
    this.encoder = new Linear(nVisible, nHidden, { generator: config.generator });
    this.decoder = this.tied ? null : new Linear(nHidden, nVisible, { generator: config.generator });
    this.decoderBias = this.tied ? new Parameter(zeros([nVisible])) : null;
  }

  /** The code σ(x Wᵀ + b). [B, nVisible] → [B, nHidden]. */
  encode(x: Tensor): Tensor {
    if (x.ndim !== 2 || x.shape[1] !== this.config.nVisible) throw new Error(`Autoencoder.encode: expected [B, ${this.config.nVisible}], got ${fmtShape(x.shape)}`);
    return F.sigmoid(this.encoder.forward(x));
  }

  /** Decoder pre-activations (logits for 'bce', the reconstruction itself for 'mse'). */
  decodeLogits(h: Tensor): Tensor {
    if (this.decoder) return this.decoder.forward(h);
    return F.add(F.matmul(h, this.encoder.weight), this.decoderBias!);
  }

  /** The reconstruction of x. [B, nVisible] → [B, nVisible]. */
  forward(x: Tensor): Tensor {
    const z = this.decodeLogits(this.encode(x));
    return this.lossKind === 'bce' ? F.sigmoid(z) : z;
  }

  /** Reconstruction loss of `input` against `target`, summed over units and averaged over rows. */
  loss(input: Tensor, target: Tensor): Tensor {
    const z = this.decodeLogits(this.encode(input));
    const total = this.lossKind === 'bce' ? binaryCrossEntropyWithLogits(z, target, { reduction: 'sum' }) : mseLoss(z, target, 'sum');
    return F.div(total, input.shape[0]);
  }
}

/** Masking noise: each value is kept with probability 1 − `corruption`, else set to 0. */
export function maskingNoise(x: Tensor, corruption: number, g: Generator = defaultGenerator): Tensor {
  if (!(corruption >= 0 && corruption < 1)) throw new Error(`maskingNoise: corruption must be in [0, 1), got ${corruption}`);
  if (corruption === 0) return x;
  return noGrad(() => F.mul(x, bernoulli(1 - corruption, x.shape, { generator: g })));
}

/** Training hyperparameters of {@link trainAutoencoder}. */
export interface AutoencoderTrainOptions {
  epochs: number;
  batchSize?: number; // default 32
  /** Default 1e-3 for Adam, 0.1 for SGD. */
  lr?: number;
  optimizer?: 'adam' | 'sgd'; // default 'adam'
  momentum?: number; // SGD only; default 0.9
  /** Masking-noise fraction for a denoising autoencoder. Default 0 (plain). */
  corruption?: number;
  generator?: Generator;
  onEpoch?: (stats: AutoencoderEpochStats) => void;
}

/** Per-epoch statistics (epoch 0 = before training). */
export interface AutoencoderEpochStats {
  epoch: number;
  /** Mean training loss over the epoch's batches (on corrupted inputs for a denoising one). */
  trainLoss: number;
  /** Reconstruction loss of the clean monitor rows (the first ≤ 500 rows). */
  cleanLoss: number;
  seconds: number;
}

/** Trains `ae` on x [n, nVisible] with mini-batches; returns per-epoch statistics. */
export function trainAutoencoder(ae: Autoencoder, x: Tensor, o: AutoencoderTrainOptions): AutoencoderEpochStats[] {
  if (x.ndim !== 2 || x.shape[1] !== ae.config.nVisible) throw new Error(`trainAutoencoder: expected data of shape [n, ${ae.config.nVisible}], got ${fmtShape(x.shape)}`);
  if (!(Number.isInteger(o.epochs) && o.epochs >= 0)) throw new Error(`trainAutoencoder: epochs must be a non-negative integer, got ${o.epochs}`);
  const g = o.generator ?? defaultGenerator;
  const bs = o.batchSize ?? 32;
  const kind = o.optimizer ?? 'adam';
  const corruption = o.corruption ?? 0;
  const opt: { zeroGrad(): void; step(): void } = kind === 'adam'
    ? new Adam(ae.parameters(), { lr: o.lr ?? 1e-3 })
    : new SGD(ae.parameters(), { lr: o.lr ?? 0.1, momentum: o.momentum ?? 0.9 });
  const n = x.shape[0];
  const mon = noGrad(() => F.contiguous(F.narrow(x, 0, 0, Math.min(500, n))));
  const clean = () => noGrad(() => ae.loss(mon, mon).item());
  const stats: AutoencoderEpochStats[] = [{ epoch: 0, trainLoss: NaN, cleanLoss: clean(), seconds: 0 }];
  o.onEpoch?.(stats[0]);
  for (let e = 1; e <= o.epochs; e++) {
    const t0 = performance.now();
    const order = Array.from({ length: n }, (_, i) => i);
    g.shuffle(order);
    let sum = 0, batches = 0;
    for (let start = 0; start < n; start += bs) {
      const idx = order.slice(start, start + bs);
      const xb = noGrad(() => F.indexSelect(x, 0, new Tensor(Int32Array.from(idx), [idx.length])));
      const loss = ae.loss(maskingNoise(xb, corruption, g), xb);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      sum += loss.item();
      batches++;
    }
    const s = { epoch: e, trainLoss: sum / batches, cleanLoss: clean(), seconds: (performance.now() - t0) / 1000 };
    stats.push(s);
    o.onEpoch?.(s);
  }
  return stats;
}
