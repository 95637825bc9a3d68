/**
 * Early stopping: watch a validation metric after every epoch, stop when it has not improved by
 * more than `minDelta` for `patience` epochs, and put back the weights of the best epoch.
 */
import type { Module } from '../nn/module.js';

/** Options of {@link EarlyStopping}. */
export interface EarlyStoppingOptions {
  /** Epochs without improvement tolerated before stopping. Default 5. */
  patience?: number;
  /** An improvement must exceed this (in the metric's units). Default 0. */
  minDelta?: number;
  /** 'min' for losses, 'max' for accuracies. Default 'min'. */
  mode?: 'min' | 'max';
  /** Copy the best weights back into the model when stopping (or on restore()). Default true. */
  restoreBest?: boolean;
}

export class EarlyStopping {
  readonly patience: number;
  readonly minDelta: number;
  readonly mode: 'min' | 'max';
  readonly restoreBest: boolean;
  /** Best metric so far (±Infinity before the first update). */
  best: number;
  /** 1-based index of the update that gave the best metric (0 before any). */
  bestEpoch = 0;
  /** Updates seen. */
  epoch = 0;
  /** Updates since the last improvement. */
  wait = 0;
  stopped = false;
  private snapshot: Map<string, Float32Array | Float64Array | Int32Array> | null = null;

  constructor(o: EarlyStoppingOptions = {}) {
    this.patience = o.patience ?? 5;
    this.minDelta = o.minDelta ?? 0;
    this.mode = o.mode ?? 'min';
    this.restoreBest = o.restoreBest ?? true;
    if (!(Number.isInteger(this.patience) && this.patience >= 0)) throw new Error(`EarlyStopping: patience must be a non-negative integer, got ${this.patience}`);
    if (!(this.minDelta >= 0)) throw new Error(`EarlyStopping: minDelta must be >= 0, got ${this.minDelta}`);
    if (this.mode !== 'min' && this.mode !== 'max') throw new Error(`EarlyStopping: mode must be 'min' or 'max', got '${String(this.mode)}'`);
    this.best = this.mode === 'min' ? Infinity : -Infinity;
  }

  /**
   * Record this epoch's metric (and snapshot `model` if it is the best so far). Returns true when
   * training should stop; the best weights are then already restored if `restoreBest`.
   */
  update(metric: number, model?: Module): boolean {
    if (Number.isNaN(metric)) throw new Error('EarlyStopping.update: metric is NaN');
    this.epoch++;
    const improved = this.mode === 'min' ? metric < this.best - this.minDelta : metric > this.best + this.minDelta;
    if (improved) {
      this.best = metric;
      this.bestEpoch = this.epoch;
      this.wait = 0;
      if (model && this.restoreBest) this.snapshot = new Map(Object.entries(model.stateDict()).map(([k, t]) => [k, t.values().slice()]));
    } else {
      this.wait++;
    }
    if (this.wait > this.patience) {
      this.stopped = true;
      if (model) this.restore(model);
    }
    return this.stopped;
  }

  /** Copy the best snapshot back into `model` (no-op without a snapshot or with restoreBest false). */
  restore(model: Module): void {
    if (!this.restoreBest || !this.snapshot) return;
    for (const [k, t] of Object.entries(model.stateDict())) {
      const s = this.snapshot.get(k);
      if (!s) throw new Error(`EarlyStopping.restore: the model has a tensor '${k}' that the snapshot lacks`);
      if (!t.isDense()) throw new Error(`EarlyStopping.restore: tensor '${k}' is not dense`);
      t.data.set(s, t.offset);
    }
  }
}
