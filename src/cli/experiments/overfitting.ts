/**
 * `attentive experiment overfitting`: a small-data MNIST setting (1,000 training digits) where an
 * MLP fits the training set far better than the test set, trained without any remedy and with
 * each remedy: dropout, L1, L2, early stopping, Gaussian input noise.
 *
 * Every remedy gets the same optimizer, learning rate and epoch budget. The optimizer is plain SGD
 * with a small learning rate rather than Adam: Adam fits 1,000 digits within a few epochs, so the
 * best validation loss already comes with a near-perfect training accuracy and early stopping has
 * nothing left to stop. With slow SGD the training accuracy climbs over tens of epochs while the
 * validation loss flattens and then creeps up, which is the regime early stopping is meant for.
 */
import '../../autograd/index.js';
import { loadMnist } from '../../data/mnist-node.js';
import { Generator, manualSeed } from '../../tensor/rng.js';
import { buildMlp } from '../../models/mlp.js';
import { evaluate, trainClassifier, type EpochRow } from '../../models/train-classifier.js';
import { EarlyStopping } from '../../optim/early-stopping.js';
import { linePlotSvg } from '../../viz/line-plot.js';
import { seriesColor } from '../../viz/svg.js';
import { getBackend } from '../../backend/registry.js';
import { makeRunDir, markdownTable, progressBar, writeRunFile, type ExperimentOptions, type ExperimentResult, type Row } from './report-node.js';

export const OVERFITTING_COLUMNS = ['config', 'train_accuracy', 'test_accuracy', 'gap', 'epochs_run', 'best_epoch', 'seconds'];

interface Remedy {
  name: string;
  dropout?: number;
  inputDropout?: number;
  l1?: number;
  l2?: number;
  inputNoise?: number;
  early?: boolean;
}

export const REMEDIES: readonly Remedy[] = [
  { name: 'none' },
  { name: 'dropout', dropout: 0.5, inputDropout: 0.2 },
  { name: 'l1', l1: 1e-4 },
  { name: 'l2', l2: 3e-2 },
  { name: 'early-stopping', early: true },
  { name: 'input-noise', inputNoise: 0.3 },
];

/** Epoch budget of the `--quick` run (exported for its test). */
export const QUICK_EPOCHS = 40;

export function runOverfitting(o: ExperimentOptions): ExperimentResult {
  const t0 = performance.now();
  const log = o.log ?? (() => {});
  // minDelta: an epoch that lowers the validation loss by less than 0.01 nats is noise on 500
  // digits, not progress; counting it as progress lets training run on until the net memorises.
  // The quick run has 7 steps per epoch instead of 32, hence its larger learning rate.
  const p = o.quick
    ? { train: 200, valid: 200, test: 500, hidden: [64], epochs: QUICK_EPOCHS, lr: 0.05, patience: 2, minDelta: 0.01 }
    : { train: 1000, valid: 500, test: 2000, hidden: [100, 100], epochs: 100, lr: 0.01, patience: 4, minDelta: 0.01 };
  const data = loadMnist({ seed: o.seed, trainSize: p.train, validSize: p.valid, testSize: p.test });
  const sizes = [784, ...p.hidden, 10];
  const dir = makeRunDir('overfitting', o.out);
  log(`overfitting: MLP ${sizes.join('-')} (ReLU, He init, SGD lr ${p.lr}), ${p.train} training digits, ${p.epochs} epochs, backend ${getBackend().name}`);
  const rows: Row[] = [];
  const curves: { name: string; hist: EpochRow[] }[] = [];
  for (const r of REMEDIES) {
    const tc = performance.now();
    manualSeed(o.seed);
    const g = new Generator(o.seed);
    const model = buildMlp({ sizes, activation: 'relu', init: 'he', dropout: r.dropout, inputDropout: r.inputDropout, generator: g });
    const es = r.early ? new EarlyStopping({ patience: p.patience, minDelta: p.minDelta, mode: 'min' }) : undefined;
    const bar = progressBar(o.progress ?? false, r.name);
    const hist = trainClassifier(model, data.train, {
      epochs: p.epochs, batchSize: 32, optimizer: 'sgd', lr: p.lr, l1: r.l1, l2: r.l2, inputNoise: r.inputNoise,
      valid: data.valid!, test: data.test, earlyStopping: es, generator: g, onStep: bar.update,
    });
    bar.finish();
    // After early stopping the model holds the best epoch's weights: measure those.
    const tr = evaluate(model, data.train).accuracy;
    const te = evaluate(model, data.test).accuracy;
    rows.push({ config: r.name, train_accuracy: tr, test_accuracy: te, gap: tr - te, epochs_run: hist.length, best_epoch: es ? es.bestEpoch : hist.length, seconds: (performance.now() - tc) / 1000 });
    curves.push({ name: r.name, hist });
    log(`  ${r.name.padEnd(15)} train ${(tr * 100).toFixed(1)}%  test ${(te * 100).toFixed(1)}%  gap ${((tr - te) * 100).toFixed(1)} points  (${hist.length} epochs)`);
  }
  const plot = linePlotSvg(
    curves.flatMap((c, i) => [
      { name: `${c.name} train`, x: c.hist.map((h) => h.epoch), y: c.hist.map((h) => h.trainAccuracy), color: seriesColor(i), dashed: true },
      { name: `${c.name} test`, x: c.hist.map((h) => h.epoch), y: c.hist.map((h) => h.testAccuracy), color: seriesColor(i) },
    ]),
    { title: 'Train (dashed) and test (solid) accuracy', xLabel: 'epoch', yLabel: 'accuracy', width: 820, height: 460 },
  );
  writeRunFile(dir, 'curves.svg', plot);
  // The picture early stopping is about: validation loss bottoms out while training loss keeps falling.
  const byName = Object.fromEntries(curves.map((c) => [c.name, c.hist]));
  const lossPlot = linePlotSvg(
    [
      { name: 'none: training loss', x: byName.none.map((h) => h.epoch), y: byName.none.map((h) => h.trainLoss), color: seriesColor(0), dashed: true },
      { name: 'none: validation loss', x: byName.none.map((h) => h.epoch), y: byName.none.map((h) => h.validLoss), color: seriesColor(0) },
      { name: 'early-stopping: validation loss', x: byName['early-stopping'].map((h) => h.epoch), y: byName['early-stopping'].map((h) => h.validLoss), color: seriesColor(4) },
    ],
    { title: 'Training (dashed) and validation loss without a remedy, and where early stopping ends', xLabel: 'epoch', yLabel: 'cross-entropy', width: 820, height: 460 },
  );
  writeRunFile(dir, 'loss.svg', lossPlot);
  writeRunFile(dir, 'curves.jsonl', curves.flatMap((c) => c.hist.map((h) => JSON.stringify({ config: c.name, ...h }))).join('\n') + '\n');
  const seconds = (performance.now() - t0) / 1000;
  writeRunFile(dir, 'report.md', [
    '# Overfitting and its remedies',
    '',
    `MLP ${sizes.join('-')} (ReLU, He init, plain SGD lr ${p.lr}, batch 32) on ${p.train} MNIST digits (seed ${o.seed}), ${p.epochs} epochs for every remedy; test on ${p.test} digits; early stopping watches the loss on ${p.valid} further digits of the training pool (patience ${p.patience}, min-delta ${p.minDelta}) and restores the best weights. Backend ${getBackend().name}; ${seconds.toFixed(0)} s.`,
    '',
    'Remedies: dropout 0.5 on hidden units and 0.2 on inputs (inverted, train mode only); L1 λ = 1e-4 and L2 λ = 3e-2 on weight matrices (added to the mean cross-entropy); Gaussian input noise σ = 0.3. `gap` = train − test accuracy.',
    '',
    markdownTable(OVERFITTING_COLUMNS, rows),
    '',
    '![curves](curves.svg)',
    '',
    '![loss](loss.svg)',
    '',
  ].join('\n'));
  writeRunFile(dir, 'results.json', JSON.stringify(rows, null, 2));
  return { name: 'overfitting', columns: OVERFITTING_COLUMNS, rows, dir, seconds };
}
