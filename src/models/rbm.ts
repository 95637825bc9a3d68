/**
 * Restricted Boltzmann machines: Bernoulli–Bernoulli (binary or [0, 1] visibles) and
 * Gaussian–Bernoulli (real visibles with unit variance, so standardise the data first), trained
 * with contrastive divergence (CD-k) or persistent CD, without autograd: the update is
 *
 *     ΔW = lr · (ph0ᵀ v0 / B − ph1ᵀ v1 / B')      (W is [nHidden, nVisible], the Linear layout)
 *
 * where ph0 = p(h | v0) on the data and (v1, ph1) come from the end of the Gibbs chain. Weights
 * use the layout of a Linear(nVisible → nHidden) layer, so a trained RBM unrolls into an MLP
 * layer by copying `weight` and `hiddenBias`.
 */
import * as F from '../autograd/ops/index.js';
import { noGrad } from '../autograd/grad-mode.js';
import { bernoulli, randn, zeros } from '../tensor/creation.js';
import { defaultGenerator, Generator } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { fmtShape } from '../tensor/shape.js';
import { Module } from '../nn/module.js';
import { Parameter } from '../nn/parameter.js';

export type RbmVisible = 'bernoulli' | 'gaussian';

/** Configuration of an {@link RBM}. */
export interface RbmConfig {
  nVisible: number;
  nHidden: number;
  /** Visible unit type. Default 'bernoulli'. */
  visible?: RbmVisible;
  /** Std of the Gaussian initial weights (biases start at 0). Default 0.01, as scikit-learn. */
  initStd?: number;
  generator?: Generator;
}

/** Training hyperparameters for {@link RbmTrainer} and {@link trainRbm}. */
export interface RbmTrainOptions {
  epochs: number;
  /** Default 10 (scikit-learn's default). */
  batchSize?: number;
  /** Default 0.1 for Bernoulli visibles, 0.001 for Gaussian ones. */
  lr?: number;
  /** Gibbs steps per update (CD-k). Default 1. */
  k?: number;
  /** Persistent CD: the negative chain continues from the previous update instead of the data. Default false. */
  persistent?: boolean;
  /** Default 0. */
  momentum?: number;
  /** L2 weight decay on W (not on biases). Default 0. */
  weightDecay?: number;
  /** Target mean activation of each hidden unit; enables the sparsity penalty on hidden biases. */
  sparsityTarget?: number;
  /** Strength of the sparsity penalty. Default 0.1. */
  sparsityCost?: number;
  /** Decay of the running estimate of hidden activity. Default 0.95. */
  sparsityDecay?: number;
  /**
   * Sample binary visibles in the negative phase (as scikit-learn does) instead of using their
   * probabilities (Hinton's recommendation: less noise). Default false. Gaussian visibles are
   * sampled with unit variance when true.
   */
  sampleVisible?: boolean;
  /** Shuffle the rows every epoch. Default true. */
  shuffle?: boolean;
  generator?: Generator;
  /** Rows on which the per-epoch monitors are computed. Default: the first ≤ 500 training rows. */
  monitorData?: Tensor;
  /** Seed of the bit flips of the pseudo-likelihood monitor (fixed so epochs are comparable). Default 0. */
  monitorSeed?: number;
  /** Called after every epoch with its statistics. */
  onEpoch?: (stats: RbmEpochStats) => void;
}

/** Monitors after one epoch (epoch 0 = before training). */
export interface RbmEpochStats {
  epoch: number;
  /** Mean squared error per visible unit of the mean-field reconstruction v → p(h|v) → E[v|h]. */
  reconError: number;
  /** Mean pseudo-log-likelihood as scikit-learn's score_samples (Bernoulli visibles only, else NaN). */
  pseudoLogLikelihood: number;
  /** Mean free energy of the monitor rows. */
  freeEnergy: number;
  seconds: number;
}

/** A Restricted Boltzmann machine. Shapes: v [B, nVisible], h [B, nHidden]. */
export class RBM extends Module {
  weight: Parameter; // [nHidden, nVisible]
  visibleBias: Parameter; // [nVisible]
  hiddenBias: Parameter; // [nHidden]
  readonly nVisible: number;
  readonly nHidden: number;
  readonly visible: RbmVisible;

  constructor(config: RbmConfig) {
    super();
    const { nVisible, nHidden } = config;
    if (!(Number.isInteger(nVisible) && nVisible > 0 && Number.isInteger(nHidden) && nHidden > 0)) {
      throw new Error(`RBM: nVisible and nHidden must be positive integers, got ${nVisible} and ${nHidden}`);
    }
    this.nVisible = nVisible;
    this.nHidden = nHidden;
    this.visible = config.visible ?? 'bernoulli';
    if (this.visible !== 'bernoulli' && this.visible !== 'gaussian') throw new Error(`RBM: visible must be 'bernoulli' or 'gaussian', got '${String(this.visible)}'`);
    this.weight = new Parameter(randn([nHidden, nVisible], { std: config.initStd ?? 0.01, generator: config.generator }), false);
    this.visibleBias = new Parameter(zeros([nVisible]), false);
    this.hiddenBias = new Parameter(zeros([nHidden]), false);
  }

  private check(fn: string, v: Tensor, width: number, what: string): void {
    if (v.ndim !== 2 || v.shape[1] !== width) throw new Error(`RBM.${fn}: expected ${what} of shape [B, ${width}], got ${fmtShape(v.shape)}`);
  }

  /** p(h = 1 | v) = σ(v Wᵀ + c). [B, nVisible] → [B, nHidden]. */
  hiddenProbs(v: Tensor): Tensor {
    this.check('hiddenProbs', v, this.nVisible, 'visibles');
    return noGrad(() => F.sigmoid(F.add(F.matmul(v, F.transpose(this.weight)), this.hiddenBias)));
  }

  /** E[v | h]: σ(h W + b) for Bernoulli visibles, h W + b for Gaussian ones. [B, nHidden] → [B, nVisible]. */
  visibleMean(h: Tensor): Tensor {
    this.check('visibleMean', h, this.nHidden, 'hiddens');
    return noGrad(() => {
      const a = F.add(F.matmul(h, this.weight), this.visibleBias);
      return this.visible === 'bernoulli' ? F.sigmoid(a) : a;
    });
  }

  /** A sample of v given its mean (Bernoulli draws, or mean + N(0, 1) noise). */
  sampleVisible(mean: Tensor, g: Generator = defaultGenerator): Tensor {
    if (this.visible === 'bernoulli') return bernoulli(mean, undefined, { generator: g });
    return noGrad(() => F.add(mean, randn(mean.shape, { generator: g })));
  }

  /** The whole forward pass of the unrolled layer: p(h | v). */
  forward(v: Tensor): Tensor {
    return this.hiddenProbs(v);
  }

  /**
   * Free energy F(v) = −log Σ_h exp(−E(v, h)) per row: −v·b − Σ_j softplus(v Wⱼ + cⱼ) for Bernoulli
   * visibles, ½‖v − b‖² − Σ_j softplus(v Wⱼ + cⱼ) for Gaussian ones. [B, nVisible] → [B].
   */
  freeEnergy(v: Tensor): Tensor {
    this.check('freeEnergy', v, this.nVisible, 'visibles');
    return noGrad(() => {
      const hidden = F.sum(F.softplus(F.add(F.matmul(v, F.transpose(this.weight)), this.hiddenBias)), 1);
      const vis = this.visible === 'bernoulli'
        ? F.neg(F.sum(F.mul(v, this.visibleBias), 1))
        : F.mul(F.sum(F.square(F.sub(v, this.visibleBias)), 1), 0.5);
      return F.sub(vis, hidden);
    });
  }

  /**
   * Pseudo-log-likelihood per row exactly as scikit-learn's BernoulliRBM.score_samples: flip one
   * randomly chosen unit of each row (v → 1 − v) and return nVisible · log σ(F(v_flipped) − F(v)).
   * The flipped positions are drawn from `g`, one per row, in row order.
   */
  pseudoLogLikelihood(v: Tensor, g: Generator = defaultGenerator): Tensor {
    if (this.visible !== 'bernoulli') throw new Error('RBM.pseudoLogLikelihood: defined for Bernoulli visibles only');
    this.check('pseudoLogLikelihood', v, this.nVisible, 'visibles');
    const [n, d] = v.shape;
    const flipped = Float32Array.from(v.values());
    for (let i = 0; i < n; i++) {
      const j = g.randint(0, d);
      flipped[i * d + j] = 1 - flipped[i * d + j];
    }
    const fe = this.freeEnergy(v).values();
    const fe2 = this.freeEnergy(new Tensor(flipped, [n, d])).values();
    const out = new Float32Array(n);
    // log σ(x) = −softplus(−x), computed stably
    for (let i = 0; i < n; i++) {
      const x = fe2[i] - fe[i];
      out[i] = d * (x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x)));
    }
    return new Tensor(out, [n]);
  }

  /** Mean squared error per unit of the mean-field reconstruction E[v | p(h | v)]. */
  reconstructionError(v: Tensor): number {
    const r = this.visibleMean(this.hiddenProbs(v)).values();
    const x = v.values();
    let s = 0;
    for (let i = 0; i < x.length; i++) s += (x[i] - r[i]) ** 2;
    return s / x.length;
  }

  /**
   * Runs `steps` rounds of block Gibbs sampling v → h → v from `init` ([n, nVisible]; default:
   * Bernoulli(0.5) noise, or N(0, 1) for Gaussian visibles) and returns the final E[v | h], which
   * is what one draws as a picture.
   */
  gibbs(steps: number, init: Tensor | number, g: Generator = defaultGenerator): Tensor {
    if (!(Number.isInteger(steps) && steps >= 1)) throw new Error(`RBM.gibbs: steps must be a positive integer, got ${steps}`);
    let v = typeof init === 'number'
      ? (this.visible === 'bernoulli' ? bernoulli(0.5, [init, this.nVisible], { generator: g }) : randn([init, this.nVisible], { generator: g }))
      : init;
    let mean = v;
    for (let s = 0; s < steps; s++) {
      const h = bernoulli(this.hiddenProbs(v), undefined, { generator: g });
      mean = this.visibleMean(h);
      v = this.sampleVisible(mean, g);
    }
    return mean;
  }

  /** The monitors of {@link RbmEpochStats} on `v`. */
  monitor(v: Tensor, monitorSeed = 0): Omit<RbmEpochStats, 'epoch' | 'seconds'> {
    const fe = this.freeEnergy(v).values();
    let feMean = 0;
    for (let i = 0; i < fe.length; i++) feMean += fe[i] / fe.length;
    let pll = NaN;
    if (this.visible === 'bernoulli') {
      const p = this.pseudoLogLikelihood(v, new Generator(monitorSeed)).values();
      pll = 0;
      for (let i = 0; i < p.length; i++) pll += p[i] / p.length;
    }
    return { reconError: this.reconstructionError(v), pseudoLogLikelihood: pll, freeEnergy: feMean };
  }
}

/** What one CD update used: the data-side hidden probabilities and the chain's end. */
export interface CdStepResult {
  ph0: Tensor; // [B, nHidden]
  v1: Tensor; // [B', nVisible]
  ph1: Tensor; // [B', nHidden]
}

/**
 * Holds the training state of an RBM (velocities, persistent chain, sparsity estimate) and applies
 * CD-k / PCD updates one mini-batch at a time.
 */
export class RbmTrainer {
  readonly o: Required<Omit<RbmTrainOptions, 'sparsityTarget' | 'monitorData' | 'onEpoch' | 'generator'>> & Pick<RbmTrainOptions, 'sparsityTarget'>;
  readonly generator: Generator;
  private readonly vW: Float32Array;
  private readonly vb: Float32Array;
  private readonly vc: Float32Array;
  private chain: Tensor | null = null; // persistent hidden states [batchSize, nHidden]
  private q: Float32Array | null = null; // running mean hidden activity

  constructor(readonly rbm: RBM, o: RbmTrainOptions) {
    const gaussian = rbm.visible === 'gaussian';
    this.o = {
      epochs: o.epochs, batchSize: o.batchSize ?? 10, lr: o.lr ?? (gaussian ? 0.001 : 0.1), k: o.k ?? 1,
      persistent: o.persistent ?? false, momentum: o.momentum ?? 0, weightDecay: o.weightDecay ?? 0,
      sparsityTarget: o.sparsityTarget, sparsityCost: o.sparsityCost ?? 0.1, sparsityDecay: o.sparsityDecay ?? 0.95,
      sampleVisible: o.sampleVisible ?? false, shuffle: o.shuffle ?? true, monitorSeed: o.monitorSeed ?? 0,
    };
    const c = this.o;
    const bad = (what: string, v: unknown) => { throw new Error(`RbmTrainer: invalid ${what} ${String(v)}`); };
    if (!(Number.isInteger(c.epochs) && c.epochs >= 0)) bad('epochs', c.epochs);
    if (!(Number.isInteger(c.batchSize) && c.batchSize >= 1)) bad('batchSize', c.batchSize);
    if (!(c.lr > 0)) bad('lr', c.lr);
    if (!(Number.isInteger(c.k) && c.k >= 1)) bad('k', c.k);
    if (!(c.momentum >= 0 && c.momentum < 1)) bad('momentum', c.momentum);
    if (!(c.weightDecay >= 0)) bad('weightDecay', c.weightDecay);
    if (c.sparsityTarget !== undefined && !(c.sparsityTarget > 0 && c.sparsityTarget < 1)) bad('sparsityTarget', c.sparsityTarget);
    this.generator = o.generator ?? defaultGenerator;
    this.vW = new Float32Array(rbm.nHidden * rbm.nVisible);
    this.vb = new Float32Array(rbm.nVisible);
    this.vc = new Float32Array(rbm.nHidden);
  }

  /** The negative phase: k Gibbs steps from the data (CD) or from the persistent chain (PCD). */
  private negative(ph0: Tensor): { v1: Tensor; ph1: Tensor } {
    const { rbm, generator: g } = this;
    const { k, persistent, sampleVisible } = this.o;
    let h: Tensor;
    if (persistent) {
      // scikit-learn's chain: hidden states, starting at zero, one row per batch slot
      this.chain ??= zeros([this.o.batchSize, rbm.nHidden]);
      h = this.chain;
    } else {
      h = bernoulli(ph0, undefined, { generator: g });
    }
    let v1 = h, ph1 = h;
    for (let s = 0; s < k; s++) {
      const mean = rbm.visibleMean(h);
      v1 = sampleVisible ? rbm.sampleVisible(mean, g) : mean;
      ph1 = rbm.hiddenProbs(v1);
      if (s < k - 1 || persistent) h = bernoulli(ph1, undefined, { generator: g });
    }
    if (persistent) this.chain = h;
    return { v1, ph1 };
  }

  /** One CD-k (or PCD) update on the mini-batch v0 [B, nVisible]. */
  step(v0: Tensor): CdStepResult {
    const { rbm } = this;
    const { lr, momentum: mu, weightDecay: wd } = this.o;
    const ph0 = rbm.hiddenProbs(v0);
    const { v1, ph1 } = this.negative(ph0);
    const b0 = v0.shape[0], b1 = v1.shape[0];
    const [pos, neg] = noGrad(() => [F.matmul(F.transpose(ph0), v0), F.matmul(F.transpose(ph1), v1)]); // (nH, nV)
    const P = pos.values(), N = neg.values();
    const W = rbm.weight.data as Float32Array;
    for (let i = 0; i < W.length; i++) {
      const grad = P[i] / b0 - N[i] / b1 - wd * W[i];
      this.vW[i] = mu * this.vW[i] + lr * grad;
      W[i] += this.vW[i];
    }
    const colMean = (t: Tensor, width: number, rows: number) => {
      const v = t.values(), out = new Float64Array(width);
      for (let r = 0; r < rows; r++) for (let j = 0; j < width; j++) out[j] += v[r * width + j];
      for (let j = 0; j < width; j++) out[j] /= rows;
      return out;
    };
    const v0m = colMean(v0, rbm.nVisible, b0), v1m = colMean(v1, rbm.nVisible, b1);
    const b = rbm.visibleBias.data as Float32Array;
    for (let j = 0; j < b.length; j++) {
      this.vb[j] = mu * this.vb[j] + lr * (v0m[j] - v1m[j]);
      b[j] += this.vb[j];
    }
    const h0m = colMean(ph0, rbm.nHidden, b0), h1m = colMean(ph1, rbm.nHidden, b1);
    const c = rbm.hiddenBias.data as Float32Array;
    const target = this.o.sparsityTarget;
    if (target !== undefined) {
      if (!this.q) this.q = Float32Array.from(h0m);
      else for (let j = 0; j < c.length; j++) this.q[j] = this.o.sparsityDecay * this.q[j] + (1 - this.o.sparsityDecay) * h0m[j];
    }
    for (let j = 0; j < c.length; j++) {
      // The sparsity penalty pulls each unit's running activity q_j toward the target through its bias.
      const sparse = this.q && target !== undefined ? this.o.sparsityCost * (target - this.q[j]) : 0;
      this.vc[j] = mu * this.vc[j] + lr * (h0m[j] - h1m[j] + sparse);
      c[j] += this.vc[j];
    }
    return { ph0, v1, ph1 };
  }

  /** One pass over x [n, nVisible] in mini-batches (shuffled unless `shuffle: false`). */
  epoch(x: Tensor): void {
    const n = x.shape[0];
    const bs = this.o.batchSize;
    const order = Array.from({ length: n }, (_, i) => i);
    if (this.o.shuffle) this.generator.shuffle(order);
    for (let start = 0; start < n; start += bs) {
      const idx = order.slice(start, start + bs);
      this.step(noGrad(() => F.indexSelect(x, 0, new Tensor(Int32Array.from(idx), [idx.length]))));
    }
  }
}

/** Trains `rbm` on x [n, nVisible] and returns the monitors before training and after every epoch. */
export function trainRbm(rbm: RBM, x: Tensor, o: RbmTrainOptions): RbmEpochStats[] {
  if (x.ndim !== 2 || x.shape[1] !== rbm.nVisible) throw new Error(`trainRbm: expected data of shape [n, ${rbm.nVisible}], got ${fmtShape(x.shape)}`);
  const trainer = new RbmTrainer(rbm, o);
  const mon = o.monitorData ?? noGrad(() => F.contiguous(F.narrow(x, 0, 0, Math.min(500, x.shape[0]))));
  const stats: RbmEpochStats[] = [{ epoch: 0, ...rbm.monitor(mon, trainer.o.monitorSeed), seconds: 0 }];
  o.onEpoch?.(stats[0]);
  for (let e = 1; e <= trainer.o.epochs; e++) {
    const t0 = performance.now();
    trainer.epoch(x);
    const seconds = (performance.now() - t0) / 1000;
    const s = { epoch: e, ...rbm.monitor(mon, trainer.o.monitorSeed), seconds };
    stats.push(s);
    o.onEpoch?.(s);
  }
  return stats;
}
