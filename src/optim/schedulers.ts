/**
 * Learning-rate schedules, one implementation each.
 *
 * Step functions (`warmupFactor`, `inverseSqrtRate`, `linearDecayRate`, `wsdRate`) give the lr
 * at an optimizer step; `LrSchedule` puts them behind one object a training loop calls once per
 * step (and once per validation, for the plateau rule), with a JSON state for exact resume.
 * The torch-style classes below (`StepLR`, `NoamLR`, `ReduceLROnPlateau` ...) keep the base lr of
 * every parameter group and set the group's lr on `step()`, following torch's convention:
 * construct after the optimizer (lr = value for epoch 0), call `step()` after each optimizer step
 * (or epoch).
 */
interface HasGroups {
  paramGroups: { options: { lr: number } }[];
}

/** Linear warmup factor at optimizer step `step` (1-based); every step schedule starts with it. */
export function warmupFactor(warmup: number, step: number): number {
  return warmup > 0 ? Math.min(1, step / warmup) : 1;
}

/** Factor of a straight-line decay to `final` over the last `fraction` of a run that is `progress` done. */
function decayTail(progress: number, fraction: number, final: number): number {
  const frac = Math.min(1, Math.max(0, (progress - (1 - fraction)) / fraction));
  return 1 - (1 - final) * frac;
}

/**
 * lr at optimizer step `step` (1-based): linear warmup to `peak`, then inverse square root decay
 * (peak·√(warmup/step)). The Transformer's "Noam" schedule is this with peak = base·(d·warmup)^-½.
 */
export function inverseSqrtRate(peak: number, warmup: number, step: number): number {
  if (warmup <= 0) return peak;
  return step <= warmup ? (peak * step) / warmup : peak * Math.sqrt(warmup / step);
}

/**
 * lr at optimizer step `step` (1-based) of the 'linear' schedule: linear warmup to `peak`, then a
 * straight line down to `final`·peak at step `decaySteps`, flat after it.
 */
export function linearDecayRate(peak: number, warmup: number, decaySteps: number, final: number, step: number): number {
  const w = Math.max(0, warmup);
  return peak * warmupFactor(warmup, step) * decayTail((step - w) / (decaySteps - w), 1, final);
}

/**
 * lr of the 'wsd' (warmup, stable, decay) schedule at optimizer step `step` (1-based) when a
 * fraction `progress` ∈ [0, 1] of the run is over: linear warmup, the peak until
 * `1 − decayFraction`, then a straight line to `final`·peak at the end of the run.
 */
export function wsdRate(peak: number, warmup: number, step: number, progress: number, decayFraction: number, final: number): number {
  return peak * warmupFactor(warmup, step) * decayTail(progress, decayFraction, final);
}

/**
 * The plateau rule of torch's ReduceLROnPlateau: counts evaluations without improvement and says
 * when to cut. Shared by {@link ReduceLROnPlateau} and the 'plateau' {@link LrSchedule}.
 */
export class PlateauTracker {
  best: number;
  badEpochs = 0;
  cooldownLeft = 0;

  constructor(readonly o: Required<Pick<PlateauOptions, 'mode' | 'patience' | 'threshold' | 'thresholdMode' | 'cooldown'>>) {
    this.best = o.mode === 'min' ? Infinity : -Infinity;
  }

  private better(a: number, best: number): boolean {
    const { mode, threshold, thresholdMode } = this.o;
    if (mode === 'min') return thresholdMode === 'rel' ? a < best * (1 - threshold) : a < best - threshold;
    return thresholdMode === 'rel' ? a > best * (1 + threshold) : a > best + threshold;
  }

  /** Feed the latest metric; returns true when the lr should be cut now. */
  observe(metric: number): boolean {
    if (this.better(metric, this.best)) {
      this.best = metric;
      this.badEpochs = 0;
    } else this.badEpochs++;
    if (this.cooldownLeft > 0) {
      this.cooldownLeft--;
      this.badEpochs = 0;
    }
    if (this.badEpochs > this.o.patience) {
      this.cooldownLeft = this.o.cooldown;
      this.badEpochs = 0;
      return true;
    }
    return false;
  }

  /** JSON-safe: ±Infinity (nothing seen yet) is stored as null. */
  stateDict(): { best: number | null; badEpochs: number; cooldownLeft: number } {
    return { best: Number.isFinite(this.best) ? this.best : null, badEpochs: this.badEpochs, cooldownLeft: this.cooldownLeft };
  }

  loadStateDict(s: { best: number | null; badEpochs: number; cooldownLeft: number }): void {
    this.best = s.best ?? (this.o.mode === 'min' ? Infinity : -Infinity);
    this.badEpochs = s.badEpochs;
    this.cooldownLeft = s.cooldownLeft;
  }
}

export type LrScheduleKind = 'constant' | 'inverse-sqrt' | 'plateau' | 'linear' | 'wsd';
export const LR_SCHEDULE_KINDS: readonly LrScheduleKind[] = ['constant', 'inverse-sqrt', 'plateau', 'linear', 'wsd'];

/** Options of {@link LrSchedule}; every schedule starts with `warmupSteps` of linear warmup. */
export interface LrScheduleOptions {
  kind: LrScheduleKind;
  /** The peak lr. */
  peak: number;
  /** Linear warmup steps (default 0). */
  warmupSteps?: number;
  /** 'linear': the step at which lr reaches its floor (above warmupSteps). */
  decaySteps?: number;
  /** 'wsd': the final part of the run over which lr decays, in (0, 1] (default 0.2). */
  decayFraction?: number;
  /** 'linear' and 'wsd': the floor as a fraction of the peak, in [0, 1] (default 0). */
  final?: number;
  /** 'plateau': lr multiplier when the validation loss stalls (default 0.5). */
  factor?: number;
  /** 'plateau': evaluations without a lower loss tolerated before cutting (default 0). */
  patience?: number;
}

/** Progress state of an {@link LrSchedule} (JSON). */
export interface LrScheduleState {
  /** 'plateau': the current multiplier and the tracker. */
  scale: number;
  plateau: { best: number | null; badEpochs: number; cooldownLeft: number };
}

/**
 * One lr schedule for a training loop: `rate(step, progress)` before each optimizer step (step is
 * 1-based; progress ∈ [0, 1] is the part of the run that is over, which only 'wsd' reads), and
 * `observe(validLoss)` after each whole-epoch validation ('plateau' cuts the lr there).
 *   'constant'      warmup, then the peak
 *   'inverse-sqrt'  warmup, then peak·√(warmup/step) (Noam)
 *   'plateau'       warmup, then the peak × factor for every `patience`+1 evaluations without a lower loss
 *   'linear'        warmup, then a straight line to final·peak at `decaySteps`
 *   'wsd'           warmup, the peak, then a straight line to final·peak over the last `decayFraction` of the run
 */
export class LrSchedule {
  readonly o: Required<LrScheduleOptions>;
  private scale = 1;
  private readonly plateau: PlateauTracker;

  constructor(o: LrScheduleOptions) {
    this.o = { warmupSteps: 0, decaySteps: 0, decayFraction: 0.2, final: 0, factor: 0.5, patience: 0, ...o };
    const { kind, peak, warmupSteps, decaySteps, decayFraction, final, factor } = this.o;
    if (!LR_SCHEDULE_KINDS.includes(kind)) throw new Error(`LrSchedule: kind must be one of ${LR_SCHEDULE_KINDS.join(', ')}, got '${String(kind)}'`);
    if (!(peak >= 0)) throw new Error(`LrSchedule: peak must be a non-negative number, got ${peak}`);
    if (kind === 'linear' && !(Number.isInteger(decaySteps) && decaySteps > Math.max(0, warmupSteps))) {
      throw new Error(`LrSchedule: the 'linear' schedule needs decaySteps above the warmup steps (${warmupSteps}), got ${decaySteps}`);
    }
    if (kind === 'wsd' && !(decayFraction > 0 && decayFraction <= 1)) throw new Error(`LrSchedule: decayFraction must be in (0, 1], got ${decayFraction}`);
    if (!(final >= 0 && final <= 1)) throw new Error(`LrSchedule: final must be in [0, 1], got ${final}`);
    if (kind === 'plateau' && !(factor > 0 && factor < 1)) throw new Error(`LrSchedule: factor must be in (0, 1), got ${factor}`);
    this.plateau = new PlateauTracker({ mode: 'min', patience: this.o.patience, threshold: 0, thresholdMode: 'abs', cooldown: 0 });
  }

  /** Whether `rate` depends on the run's progress (the loop then has to know the run's length). */
  get needsProgress(): boolean {
    return this.o.kind === 'wsd';
  }

  rate(step: number, progress = 0): number {
    const { kind, peak, warmupSteps, decaySteps, decayFraction, final } = this.o;
    switch (kind) {
      case 'constant': return peak * warmupFactor(warmupSteps, step);
      case 'inverse-sqrt': return inverseSqrtRate(peak, warmupSteps, step);
      case 'plateau': return peak * this.scale * warmupFactor(warmupSteps, step);
      case 'linear': return linearDecayRate(peak, warmupSteps, decaySteps, final, step);
      case 'wsd': return wsdRate(peak, warmupSteps, step, progress, decayFraction, final);
    }
  }

  /** Feed a whole epoch's validation loss; returns true when the 'plateau' schedule cut the lr. */
  observe(validLoss: number): boolean {
    if (this.o.kind !== 'plateau' || !this.plateau.observe(validLoss)) return false;
    this.scale *= this.o.factor;
    return true;
  }

  stateDict(): LrScheduleState {
    return { scale: this.scale, plateau: this.plateau.stateDict() };
  }

  loadStateDict(s: LrScheduleState): void {
    this.scale = s.scale;
    this.plateau.loadStateDict(s.plateau);
  }
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
    if (!(warmup > 0)) throw new Error(`NoamLR: warmup must be positive, got ${warmup}`);
    super(opt);
    this.apply();
  }
  protected lrAt(base: number, t: number): number {
    // base·d^-½·min(s^-½, s·w^-1.5) = inverseSqrtRate(base·(d·w)^-½, w, s) with s = t + 1
    return inverseSqrtRate(base * (this.dModel * this.warmup) ** -0.5, this.warmup, t + 1);
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
  private readonly tracker: PlateauTracker;
  readonly o: Required<PlateauOptions>;

  constructor(private readonly optimizer: HasGroups, o: PlateauOptions = {}) {
    this.o = { mode: 'min', factor: 0.1, patience: 10, threshold: 1e-4, thresholdMode: 'rel', cooldown: 0, minLr: 0, eps: 1e-8, ...o };
    if (!(this.o.factor < 1)) throw new Error(`ReduceLROnPlateau: factor must be < 1, got ${this.o.factor}`);
    this.tracker = new PlateauTracker(this.o);
  }

  /** Feed the latest metric; returns true when the lr was reduced. */
  step(metric: number): boolean {
    if (!this.tracker.observe(metric)) return false;
    let reduced = false;
    for (const g of this.optimizer.paramGroups) {
      const next = Math.max(g.options.lr * this.o.factor, this.o.minLr);
      if (g.options.lr - next > this.o.eps) {
        g.options.lr = next;
        reduced = true;
      }
    }
    return reduced;
  }

  stateDict(): { best: number; badEpochs: number; cooldownLeft: number } {
    const { best, badEpochs, cooldownLeft } = this.tracker;
    return { best, badEpochs, cooldownLeft };
  }

  loadStateDict(s: { best: number; badEpochs: number; cooldownLeft: number }): void {
    Object.assign(this.tracker, { best: s.best, badEpochs: s.badEpochs, cooldownLeft: s.cooldownLeft });
  }
}
