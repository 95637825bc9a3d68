/**
 * A small, explicit training loop for classifiers (cross-entropy on logits), with the knobs the
 * experiments turn: optimizer, L1/L2 penalties, Gaussian input noise, early stopping on a
 * validation set, and a gradient monitor hooked around every optimizer step.
 */
import * as F from '../autograd/ops/index.js';
import { noGrad } from '../autograd/grad-mode.js';
import { randn } from '../tensor/creation.js';
import { defaultGenerator, type Generator } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { fmtShape } from '../tensor/shape.js';
import type { Module } from '../nn/module.js';
import { crossEntropy } from '../nn/losses.js';
import type { GradientMonitor } from '../nn/monitor.js';
import { Adam } from '../optim/adam.js';
import { SGD } from '../optim/sgd.js';
import { l1Penalty, l2Penalty } from '../optim/penalties.js';
import type { EarlyStopping } from '../optim/early-stopping.js';

/** A labelled set: x [n, d] float32, y [n] int32. */
export interface LabelledSet {
  x: Tensor;
  y: Tensor;
}

/** Options of {@link trainClassifier}. */
export interface TrainClassifierOptions {
  epochs: number;
  batchSize?: number; // default 32
  optimizer?: 'sgd' | 'adam'; // default 'sgd'
  /** Default 0.1 for SGD, 1e-3 for Adam. */
  lr?: number;
  /** SGD momentum. Default 0. */
  momentum?: number;
  /** λ of the L1 penalty λ·Σ|w| on weight matrices. Default 0. */
  l1?: number;
  /** λ of the L2 penalty (λ/2)·Σw² on weight matrices. Default 0. */
  l2?: number;
  /** Std of Gaussian noise added to each training batch's inputs. Default 0. */
  inputNoise?: number;
  /** Applied to each training batch's inputs before the forward pass (augmentation). */
  transform?: (xb: Tensor) => Tensor;
  /** Evaluated after every epoch (accuracy); early stopping watches its loss. */
  valid?: LabelledSet;
  test?: LabelledSet;
  /** Also measure accuracy on the whole training set after every epoch (costs a forward pass). Default true. */
  evalTrain?: boolean;
  earlyStopping?: EarlyStopping;
  monitor?: GradientMonitor;
  generator?: Generator;
  /** Called after every optimizer step with (step, total steps) — for progress bars. */
  onStep?: (step: number, total: number) => void;
  onEpoch?: (row: EpochRow) => void;
}

/** Per-epoch record (accuracies in [0, 1]; NaN where not measured). */
export interface EpochRow {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  validLoss: number;
  validAccuracy: number;
  testAccuracy: number;
  seconds: number;
}

/** Mean cross-entropy and accuracy of `model` on a set, in eval mode, in chunks of 1000 rows. */
export function evaluate(model: Module, set: LabelledSet): { loss: number; accuracy: number } {
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => {
      const n = set.x.shape[0];
      const labels = set.y.values();
      let loss = 0, correct = 0;
      for (let s = 0; s < n; s += 1000) {
        const m = Math.min(1000, n - s);
        const logits = (model.forward as (x: Tensor) => Tensor)(F.narrow(set.x, 0, s, m));
        loss += crossEntropy(logits, F.contiguous(F.narrow(set.y, 0, s, m)), { reduction: 'sum' }).item();
        const pred = F.argmax(logits, 1).values();
        for (let i = 0; i < m; i++) if (pred[i] === labels[s + i]) correct++;
      }
      return { loss: loss / n, accuracy: correct / n };
    });
  } finally {
    model.train(wasTraining);
  }
}

/** Weight matrices only: penalties conventionally leave biases alone. */
function weightMatrices(model: Module) {
  return model.parameters().filter((p) => p.ndim >= 2);
}

/** Trains `model` on `train` and returns one row per epoch run (fewer if early stopping fires). */
export function trainClassifier(model: Module, train: LabelledSet, o: TrainClassifierOptions): EpochRow[] {
  const { x, y } = train;
  if (x.ndim !== 2 || y.ndim !== 1 || x.shape[0] !== y.shape[0]) throw new Error(`trainClassifier: expected x [n, d] and y [n], got ${fmtShape(x.shape)} and ${fmtShape(y.shape)}`);
  if (!(Number.isInteger(o.epochs) && o.epochs >= 0)) throw new Error(`trainClassifier: epochs must be a non-negative integer, got ${o.epochs}`);
  const g = o.generator ?? defaultGenerator;
  const bs = o.batchSize ?? 32;
  const kind = o.optimizer ?? 'sgd';
  if (kind !== 'sgd' && kind !== 'adam') throw new Error(`trainClassifier: optimizer must be 'sgd' or 'adam', got '${String(kind)}'`);
  const opt: { zeroGrad(): void; step(): void } = kind === 'adam'
    ? new Adam(model.parameters(), { lr: o.lr ?? 1e-3 })
    : new SGD(model.parameters(), { lr: o.lr ?? 0.1, momentum: o.momentum ?? 0 });
  const n = x.shape[0];
  const stepsPerEpoch = Math.ceil(n / bs);
  const total = stepsPerEpoch * o.epochs;
  const weights = weightMatrices(model);
  const rows: EpochRow[] = [];
  let step = 0;
  for (let e = 1; e <= o.epochs; e++) {
    const t0 = performance.now();
    model.train();
    const order = Array.from({ length: n }, (_, i) => i);
    g.shuffle(order);
    let lossSum = 0;
    for (let s = 0; s < n; s += bs) {
      const idx = new Tensor(Int32Array.from(order.slice(s, s + bs)), [Math.min(bs, n - s)]);
      let xb = noGrad(() => F.indexSelect(x, 0, idx));
      const yb = noGrad(() => F.indexSelect(y, 0, idx));
      if (o.transform) xb = o.transform(xb);
      if (o.inputNoise) xb = noGrad(() => F.add(xb, randn(xb.shape, { std: o.inputNoise, generator: g })));
      let loss = crossEntropy((model.forward as (x: Tensor) => Tensor)(xb), yb);
      lossSum += loss.item();
      if (o.l1) loss = F.add(loss, l1Penalty(weights, o.l1));
      if (o.l2) loss = F.add(loss, l2Penalty(weights, o.l2));
      opt.zeroGrad();
      loss.backward();
      o.monitor?.beforeStep();
      opt.step();
      o.monitor?.afterStep();
      o.onStep?.(++step, total);
    }
    const tr = o.evalTrain === false ? { loss: NaN, accuracy: NaN } : evaluate(model, train);
    const va = o.valid ? evaluate(model, o.valid) : { loss: NaN, accuracy: NaN };
    const te = o.test ? evaluate(model, o.test) : { loss: NaN, accuracy: NaN };
    const row: EpochRow = {
      epoch: e, trainLoss: lossSum / stepsPerEpoch, trainAccuracy: tr.accuracy, validLoss: va.loss, validAccuracy: va.accuracy,
      testAccuracy: te.accuracy, seconds: (performance.now() - t0) / 1000,
    };
    rows.push(row);
    o.onEpoch?.(row);
    if (o.earlyStopping) {
      if (!o.valid) throw new Error('trainClassifier: earlyStopping needs a validation set (valid)');
      if (o.earlyStopping.update(va.loss, model)) break;
    }
  }
  // Training that ran out of epochs still ends on the best weights when early stopping watches it.
  if (o.earlyStopping && !o.earlyStopping.stopped) o.earlyStopping.restore(model);
  return rows;
}
