/**
 * Gradient-flow diagnostics: a monitor that attaches to any Module and records, per layer and
 * step, the gradient norm, weight norm, update/weight ratio, and the mean, std and saturation
 * fraction of the layer's activations. These are the numbers that show vanishing gradients:
 * the first layer's gradient shrinking by orders of magnitude relative to the last one's.
 */
import { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';
import { Linear } from './layers/linear.js';
import { ReLU, Sigmoid, Tanh } from './layers/activations.js';
import type { Parameter } from './parameter.js';

/** What kind of output an activation statistic was taken from (decides what "saturated" means). */
export type ActivationKind = 'sigmoid' | 'tanh' | 'relu' | 'linear';

/** One row of the history: one layer at one step. */
export interface LayerRecord {
  step: number;
  /** Position among the monitored layers (0 = closest to the input). */
  index: number;
  /** Module path, e.g. `0` or `encoder.fc1`. */
  layer: string;
  /** ‖∂L/∂W‖₂ of the weight (bias excluded); NaN if the weight had no gradient. */
  gradNorm: number;
  /** ‖W‖₂ after the step. */
  weightNorm: number;
  /** ‖W_after − W_before‖ / ‖W_before‖ (NaN unless beforeStep() was called). */
  updateRatio: number;
  /** Mean and std of the layer's activations in the last forward pass (after its nonlinearity). */
  actMean: number;
  actStd: number;
  /**
   * Fraction of saturated activations: sigmoid outputs within `threshold` of 0 or 1, tanh within
   * `threshold` of ±1, ReLU outputs exactly 0 (dead units); NaN for a layer without nonlinearity.
   */
  saturation: number;
  activation: ActivationKind;
}

/** Options for {@link GradientMonitor}. */
export interface MonitorOptions {
  /** Monitor these modules (default: every Linear in the model, in registration order). */
  layers?: Module[];
  /** Distance from the asymptote that counts as saturated. Default 0.05 (sigmoid < 0.05 or > 0.95). */
  threshold?: number;
  /** Record every n-th step only (the others cost nothing). Default 1. */
  every?: number;
}

interface Tracked {
  name: string;
  module: Module;
  weight: Parameter;
  before: Float32Array | null;
  act: { mean: number; std: number; saturation: number; kind: ActivationKind } | null;
}

function norm(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i] * values[i];
  return Math.sqrt(s);
}

function kindOf(m: Module): ActivationKind | null {
  if (m instanceof Sigmoid) return 'sigmoid';
  if (m instanceof Tanh) return 'tanh';
  if (m instanceof ReLU) return 'relu';
  return null;
}

/** Mean, std (population) and saturation fraction of `t` read as outputs of `kind`. */
export function activationStats(t: Tensor, kind: ActivationKind, threshold = 0.05): { mean: number; std: number; saturation: number } {
  const v = t.values();
  const n = v.length;
  if (n === 0) return { mean: NaN, std: NaN, saturation: NaN };
  let sum = 0, sq = 0, sat = 0;
  for (let i = 0; i < n; i++) {
    const x = v[i];
    sum += x;
    sq += x * x;
    if (kind === 'sigmoid') { if (x < threshold || x > 1 - threshold) sat++; }
    else if (kind === 'tanh') { if (Math.abs(x) > 1 - threshold) sat++; }
    else if (kind === 'relu') { if (x === 0) sat++; }
  }
  const mean = sum / n;
  return { mean, std: Math.sqrt(Math.max(0, sq / n - mean * mean)), saturation: kind === 'linear' ? NaN : sat / n };
}

/**
 * Records gradient flow through a model. Usage:
 *
 *     const mon = new GradientMonitor(model);
 *     loss.backward();
 *     mon.beforeStep(); opt.step(); mon.afterStep();   // or mon.record() without an optimizer step
 *     mon.rows()                                          // one row per layer and step
 *     mon.detach()
 *
 * Activation statistics come from forward hooks: each monitored layer's output, replaced by the
 * output of the activation module (Sigmoid, Tanh, ReLU) that runs next, if any, so that they
 * describe what the next layer sees.
 */
export class GradientMonitor {
  readonly history: LayerRecord[] = [];
  private readonly tracked: Tracked[] = [];
  private readonly removers: (() => void)[] = [];
  private readonly threshold: number;
  private readonly every: number;
  private step = 0;
  private lastRan: Tracked | null = null;

  constructor(model: Module, o: MonitorOptions = {}) {
    this.threshold = o.threshold ?? 0.05;
    this.every = o.every ?? 1;
    if (!(this.threshold >= 0 && this.threshold < 0.5)) throw new Error(`GradientMonitor: threshold must be in [0, 0.5), got ${this.threshold}`);
    if (!(Number.isInteger(this.every) && this.every >= 1)) throw new Error(`GradientMonitor: every must be a positive integer, got ${this.every}`);
    const names = new Map<Module, string>(model.namedModules().map(([k, m]) => [m, k || '(root)']));
    const layers = o.layers ?? model.modules().filter((m) => m instanceof Linear);
    if (layers.length === 0) throw new Error('GradientMonitor: the model has no Linear layers to monitor (pass `layers`)');
    for (const m of layers) {
      const weight = (m as unknown as { weight?: unknown }).weight;
      if (!(weight instanceof Tensor)) throw new Error(`GradientMonitor: module ${names.get(m) ?? m.constructor.name} has no weight parameter`);
      const t: Tracked = { name: names.get(m) ?? m.constructor.name, module: m, weight: weight as Parameter, before: null, act: null };
      this.tracked.push(t);
      this.removers.push(m.registerForwardHook((_mod, _in, out) => {
        if (this.recording() && out instanceof Tensor) t.act = { ...activationStats(out, 'linear', this.threshold), kind: 'linear' };
        this.lastRan = t;
      }));
    }
    // The activation that follows a monitored layer overwrites its statistics.
    for (const m of model.modules()) {
      const kind = kindOf(m);
      if (!kind) continue;
      this.removers.push(m.registerForwardHook((_mod, _in, out) => {
        const t = this.lastRan;
        this.lastRan = null;
        if (t && this.recording() && out instanceof Tensor) t.act = { ...activationStats(out, kind, this.threshold), kind };
      }));
    }
  }

  /** Names of the monitored layers, input side first. */
  get layerNames(): string[] {
    return this.tracked.map((t) => t.name);
  }

  /** Whether the current step will be recorded (cheap skipping of the statistics otherwise). */
  private recording(): boolean {
    return this.step % this.every === 0;
  }

  /** Snapshot the weights (call after backward, before opt.step()). */
  beforeStep(): void {
    if (!this.recording()) return;
    for (const t of this.tracked) t.before = Float32Array.from(t.weight.values());
  }

  /** Record gradients, weights and updates of this step (call after opt.step()). */
  afterStep(): void {
    this.record();
  }

  /** Record this step's gradients and weights; the update ratio is NaN without beforeStep(). */
  record(): void {
    if (this.recording()) {
      this.tracked.forEach((t, index) => {
        const w = t.weight.values();
        let updateRatio = NaN;
        if (t.before) {
          let d = 0;
          for (let i = 0; i < w.length; i++) d += (w[i] - t.before[i]) ** 2;
          updateRatio = Math.sqrt(d) / norm(t.before);
        }
        const a = t.act ?? { mean: NaN, std: NaN, saturation: NaN, kind: 'linear' as ActivationKind };
        this.history.push({
          step: this.step, index, layer: t.name,
          gradNorm: t.weight.grad ? norm(t.weight.grad.values()) : NaN,
          weightNorm: norm(w), updateRatio,
          actMean: a.mean, actStd: a.std, saturation: a.saturation, activation: a.kind,
        });
        t.before = null;
      });
    }
    this.step++;
  }

  /** The history as plain rows (for tables, JSON lines and plots). */
  rows(): LayerRecord[] {
    return this.history.map((r) => ({ ...r }));
  }

  /** One field of one layer over the recorded steps (for line plots). */
  series(layerIndex: number, field: 'gradNorm' | 'weightNorm' | 'updateRatio' | 'actMean' | 'actStd' | 'saturation'): { step: number[]; value: number[] } {
    if (layerIndex < 0) layerIndex += this.tracked.length;
    if (!(layerIndex >= 0 && layerIndex < this.tracked.length)) throw new Error(`GradientMonitor.series: layer ${layerIndex} out of range (${this.tracked.length} layers)`);
    const rows = this.history.filter((r) => r.index === layerIndex);
    return { step: rows.map((r) => r.step), value: rows.map((r) => r[field]) };
  }

  /** Per layer, the mean of each field over the recorded steps (NaNs skipped). */
  summary(): { layer: string; index: number; gradNorm: number; weightNorm: number; updateRatio: number; actMean: number; actStd: number; saturation: number }[] {
    const fields = ['gradNorm', 'weightNorm', 'updateRatio', 'actMean', 'actStd', 'saturation'] as const;
    return this.tracked.map((t, index) => {
      const rows = this.history.filter((r) => r.index === index);
      const out = { layer: t.name, index } as Record<string, number | string>;
      for (const f of fields) {
        const vals = rows.map((r) => r[f]).filter((v) => Number.isFinite(v));
        out[f] = vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : NaN;
      }
      return out as ReturnType<GradientMonitor['summary']>[number];
    });
  }

  /** Removes the forward hooks; the history stays. */
  detach(): void {
    for (const r of this.removers.splice(0)) r();
  }
}
