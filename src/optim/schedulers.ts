/**
 * Learning-rate schedules. Each keeps the base lr of every parameter group and sets the group's
 * lr on `step()`, following torch's convention: construct after the optimizer (lr = value for
 * epoch 0), call `step()` after each optimizer step (or epoch).
 */
interface HasGroups {
  paramGroups: { options: { lr: number } }[];
}

export abstract class LRScheduler {
  readonly baseLrs: number[];
  lastEpoch = 0;

  /**
   * Subclasses call `this.apply()` at the end of their constructor: the epoch-0 lr depends on
   * their own fields, which are not yet assigned while this constructor runs.
   */
  constructor(protected readonly optimizer: HasGroups) {
    this.baseLrs = optimizer.paramGroups.map((g) => g.options.lr);
  }

  /** The lr of group i at epoch t. */
  protected abstract lrAt(base: number, t: number): number;

  protected apply(): void {
    this.optimizer.paramGroups.forEach((g, i) => (g.options.lr = this.lrAt(this.baseLrs[i], this.lastEpoch)));
  }

  step(): void {
    this.lastEpoch++;
    this.apply();
  }

  getLastLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.options.lr);
  }

  stateDict(): { lastEpoch: number; baseLrs: number[] } {
    return { lastEpoch: this.lastEpoch, baseLrs: this.baseLrs.slice() };
  }

  loadStateDict(s: { lastEpoch: number; baseLrs?: number[] }): void {
    this.lastEpoch = s.lastEpoch;
    if (s.baseLrs) this.baseLrs.splice(0, this.baseLrs.length, ...s.baseLrs);
    this.apply();
  }
}

export class StepLR extends LRScheduler {
  constructor(opt: HasGroups, readonly stepSize: number, readonly gamma = 0.1) {
    if (!(stepSize > 0)) throw new Error(`StepLR: stepSize must be positive, got ${stepSize}`);
    super(opt);
    this.apply();
  }
  protected lrAt(base: number, t: number): number {
    return base * this.gamma ** Math.floor(t / this.stepSize);
  }
}

export class ExponentialLR extends LRScheduler {
  constructor(opt: HasGroups, readonly gamma: number) {
    super(opt);
    this.apply();
  }
  protected lrAt(base: number, t: number): number {
    return base * this.gamma ** t;
  }
}

/** Cosine from base to etaMin over tMax steps (closed form; periodic beyond tMax like torch's). */
export class CosineAnnealingLR extends LRScheduler {
  constructor(opt: HasGroups, readonly tMax: number, readonly etaMin = 0) {
    if (!(tMax > 0)) throw new Error(`CosineAnnealingLR: tMax must be positive, got ${tMax}`);
    super(opt);
    this.apply();
  }
  protected lrAt(base: number, t: number): number {
    return this.etaMin + ((base - this.etaMin) * (1 + Math.cos((Math.PI * t) / this.tMax))) / 2;
  }
}

/** Linear ramp of the factor from startFactor to endFactor over totalIters steps (warmup). */
export class LinearLR extends LRScheduler {
  constructor(opt: HasGroups, readonly startFactor = 1 / 3, readonly endFactor = 1, readonly totalIters = 5) {
    if (!(startFactor > 0 && startFactor <= 1)) throw new Error(`LinearLR: startFactor must be in (0, 1], got ${startFactor}`);
    super(opt);
    this.apply();
  }
  protected lrAt(base: number, t: number): number {
    const f = this.startFactor + ((this.endFactor - this.startFactor) * Math.min(t, this.totalIters)) / this.totalIters;
    return base * f;
  }
}

/** lr = base · fn(t). */
export class LambdaLR extends LRScheduler {
  constructor(opt: HasGroups, readonly fn: (t: number) => number) {
    super(opt);
    this.apply();
  }
  protected lrAt(base: number, t: number): number {
    return base * this.fn(t);
  }
}

/**
 * The Transformer's schedule ("Noam"): lr = base · d^-0.5 · min(s^-0.5, s · warmup^-1.5) with
 * s = t + 1 (inverse square root decay after a linear warmup).
 */
export class NoamLR extends LRScheduler {
  constructor(opt: HasGroups, readonly dModel: number, readonly warmup: number) {
    super(opt);
    this.apply();
  }
  protected lrAt(base: number, t: number): number {
    const s = t + 1;
    return base * this.dModel ** -0.5 * Math.min(s ** -0.5, s * this.warmup ** -1.5);
  }
}

export interface PlateauOptions {
  mode?: 'min' | 'max';
  factor?: number;
  patience?: number;
  threshold?: number;
  thresholdMode?: 'rel' | 'abs';
  cooldown?: number;
  minLr?: number;
  eps?: number;
}

/** Cuts the lr by `factor` when a metric has not improved for `patience` evaluations (torch semantics). */
export class ReduceLROnPlateau {
  private best: number;
  private badEpochs = 0;
  private cooldownLeft = 0;
  readonly o: Required<PlateauOptions>;

  constructor(private readonly optimizer: HasGroups, o: PlateauOptions = {}) {
    this.o = { mode: 'min', factor: 0.1, patience: 10, threshold: 1e-4, thresholdMode: 'rel', cooldown: 0, minLr: 0, eps: 1e-8, ...o };
    if (!(this.o.factor < 1)) throw new Error(`ReduceLROnPlateau: factor must be < 1, got ${this.o.factor}`);
    this.best = this.o.mode === 'min' ? Infinity : -Infinity;
  }

  private better(a: number, best: number): boolean {
    const { mode, threshold, thresholdMode } = this.o;
    if (mode === 'min') return thresholdMode === 'rel' ? a < best * (1 - threshold) : a < best - threshold;
    return thresholdMode === 'rel' ? a > best * (1 + threshold) : a > best + threshold;
  }

  /** Feed the latest metric; returns true when the lr was reduced. */
  step(metric: number): boolean {
    if (this.better(metric, this.best)) {
      this.best = metric;
      this.badEpochs = 0;
    } else this.badEpochs++;
    if (this.cooldownLeft > 0) {
      this.cooldownLeft--;
      this.badEpochs = 0;
    }
    if (this.badEpochs > this.o.patience) {
      let reduced = false;
      for (const g of this.optimizer.paramGroups) {
        const next = Math.max(g.options.lr * this.o.factor, this.o.minLr);
        if (g.options.lr - next > this.o.eps) {
          g.options.lr = next;
          reduced = true;
        }
      }
      this.cooldownLeft = this.o.cooldown;
      this.badEpochs = 0;
      return reduced;
    }
    return false;
  }

  stateDict(): { best: number; badEpochs: number; cooldownLeft: number } {
    return { best: this.best, badEpochs: this.badEpochs, cooldownLeft: this.cooldownLeft };
  }

  loadStateDict(s: { best: number; badEpochs: number; cooldownLeft: number }): void {
    this.best = s.best;
    this.badEpochs = s.badEpochs;
    this.cooldownLeft = s.cooldownLeft;
  }
}
