/**
 * `attentive experiment vanishing`: the same deep MLP on MNIST, trained five ways, with a gradient
 * monitor on every Linear layer. With sigmoid units and plain SGD the gradient reaching the first
 * layer is orders of magnitude smaller than the last layer's, so the first layer's weights barely
 * move; ReLU with He init, layer-wise pretraining and Adam are the remedies compared.
 */
import '../../autograd/index.js';
import { loadMnist } from '../../data/mnist-node.js';
import { Generator, manualSeed } from '../../tensor/rng.js';
import type { Sequential } from '../../nn/layers/containers.js';
import { GradientMonitor } from '../../nn/monitor.js';
import { buildMlp, type MlpActivation, type MlpInit } from '../../models/mlp.js';
import { pretrainStack, unrollToMlp } from '../../models/pretrain.js';
import { evaluate, trainClassifier } from '../../models/train-classifier.js';
import { linePlotSvg } from '../../viz/line-plot.js';
import { barChartSvg } from '../../viz/bar-chart.js';
import { seriesColor } from '../../viz/svg.js';
import { getBackend } from '../../backend/registry.js';
import { makeRunDir, markdownTable, progressBar, writeRunFile, type ExperimentOptions, type ExperimentResult, type Row } from './report-node.js';

interface VanishingConfig {
  name: string;
  activation: MlpActivation;
  init: MlpInit;
  optimizer: 'sgd' | 'adam';
  lr: number;
  pretrain?: boolean;
}

/** The five settings compared (learning rates chosen once, for the same number of steps). */
export const VANISHING_CONFIGS: readonly VanishingConfig[] = [
  { name: 'sigmoid+sgd', activation: 'sigmoid', init: 'default', optimizer: 'sgd', lr: 0.1 },
  { name: 'tanh+sgd', activation: 'tanh', init: 'xavier', optimizer: 'sgd', lr: 0.05 },
  { name: 'relu+he+sgd', activation: 'relu', init: 'he', optimizer: 'sgd', lr: 0.05 },
  { name: 'sigmoid+pretrain+sgd', activation: 'sigmoid', init: 'default', optimizer: 'sgd', lr: 0.1, pretrain: true },
  { name: 'sigmoid+adam', activation: 'sigmoid', init: 'default', optimizer: 'adam', lr: 1e-3 },
];

export const VANISHING_COLUMNS = ['config', 'first_last_grad_ratio', 'first_layer_weight_change', 'last_layer_weight_change', 'first_layer_saturation', 'test_accuracy', 'seconds'];

function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

function relChange(before: Float32Array, after: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < before.length; i++) d += (after[i] - before[i]) ** 2;
  return Math.sqrt(d) / norm(before);
}

export function runVanishing(o: ExperimentOptions): ExperimentResult {
  const t0 = performance.now();
  const log = o.log ?? (() => {});
  const p = o.quick
    ? { train: 500, test: 500, depth: 8, width: 32, epochs: 1, pretrainEpochs: 1, every: 1 }
    : { train: 8000, test: 2000, depth: 8, width: 64, epochs: 3, pretrainEpochs: 1, every: 5 };
  const data = loadMnist({ seed: o.seed, trainSize: p.train, testSize: p.test });
  const sizes = [784, ...Array<number>(p.depth).fill(p.width), 10];
  const dir = makeRunDir('vanishing', o.out);
  log(`vanishing: MLP ${sizes.join('-')}, ${p.train} train / ${p.test} test digits, ${p.epochs} epoch(s), batch 32, backend ${getBackend().name}`);
  const rows: Row[] = [];
  const gradSeries: { name: string; first: { step: number[]; value: number[] }; last: { step: number[]; value: number[] } }[] = [];
  const profiles: { name: string; grad: number[] }[] = [];
  for (const c of VANISHING_CONFIGS) {
    const tc = performance.now();
    manualSeed(o.seed);
    const g = new Generator(o.seed);
    let model: Sequential;
    if (c.pretrain) {
      const bar = progressBar(o.progress ?? false, `${c.name} (pretrain)`);
      const stack = pretrainStack(data.train.x, {
        sizes: sizes.slice(0, -1), method: 'rbm', epochs: p.pretrainEpochs, generator: g, monitorRows: o.quick ? 100 : 500,
        onEpoch: (l, s) => { bar.update(l * (p.pretrainEpochs + 1) + s.epoch + 1, p.depth * (p.pretrainEpochs + 1)); },
      });
      bar.finish();
      model = unrollToMlp(stack, 10, g);
    } else {
      model = buildMlp({ sizes, activation: c.activation, init: c.init, generator: g });
    }
    const monitor = new GradientMonitor(model, { every: p.every });
    const linears = monitor.layerNames.length;
    const w = (i: number) => (model.at(2 * i) as unknown as { weight: { values(): ArrayLike<number> } }).weight.values();
    const firstBefore = Float32Array.from(w(0));
    const lastBefore = Float32Array.from(w(linears - 1));
    const bar = progressBar(o.progress ?? false, c.name);
    trainClassifier(model, data.train, {
      epochs: p.epochs, batchSize: 32, optimizer: c.optimizer, lr: c.lr, monitor, generator: g, evalTrain: false,
      onStep: bar.update,
    });
    bar.finish();
    monitor.detach();
    const summary = monitor.summary();
    const testAcc = evaluate(model, data.test).accuracy;
    const row: Row = {
      config: c.name,
      first_last_grad_ratio: summary[0].gradNorm / summary[linears - 1].gradNorm,
      first_layer_weight_change: relChange(firstBefore, w(0)),
      last_layer_weight_change: relChange(lastBefore, w(linears - 1)),
      first_layer_saturation: summary[0].saturation,
      test_accuracy: testAcc,
      seconds: (performance.now() - tc) / 1000,
    };
    rows.push(row);
    gradSeries.push({ name: c.name, first: monitor.series(0, 'gradNorm'), last: monitor.series(-1, 'gradNorm') });
    profiles.push({ name: c.name, grad: summary.map((s) => s.gradNorm) });
    writeRunFile(dir, `monitor-${c.name.replace(/\+/g, '-')}.jsonl`, monitor.rows().map((r) => JSON.stringify(r)).join('\n') + '\n');
    log(`  ${c.name.padEnd(22)} ratio ${Number(row.first_last_grad_ratio).toExponential(2)}  first-layer change ${Number(row.first_layer_weight_change).toExponential(2)}  test acc ${(testAcc * 100).toFixed(1)}%  (${Number(row.seconds).toFixed(1)} s)`);
  }
  const gradPlot = linePlotSvg(
    gradSeries.flatMap((s, i) => [
      { name: `${s.name} first`, x: s.first.step, y: s.first.value, color: seriesColor(i) },
      { name: `${s.name} last`, x: s.last.step, y: s.last.value, color: seriesColor(i), dashed: true },
    ]),
    { title: 'Gradient norm of the first (solid) and last (dashed) layer', xLabel: 'step', yLabel: '‖∂L/∂W‖', logY: true, width: 820, height: 460 },
  );
  writeRunFile(dir, 'grad-norms.svg', gradPlot);
  const profilePlot = linePlotSvg(
    profiles.map((pr) => ({ name: pr.name, x: pr.grad.map((_, i) => i + 1), y: pr.grad })),
    { title: 'Mean gradient norm per layer (1 = input side)', xLabel: 'layer', yLabel: '‖∂L/∂W‖', logY: true, width: 720, height: 420 },
  );
  writeRunFile(dir, 'grad-profile.svg', profilePlot);
  writeRunFile(dir, 'test-accuracy.svg', barChartSvg(rows.map((r) => String(r.config)), [{ name: 'test accuracy', values: rows.map((r) => Number(r.test_accuracy)) }], { title: 'Test accuracy', yDomain: [0, 1], showValues: true, width: 720 }));
  const seconds = (performance.now() - t0) / 1000;
  const md = [
    '# Vanishing gradients',
    '',
    `MLP ${sizes.join('-')} on MNIST (${p.train} training, ${p.test} test digits, seed ${o.seed}), ${p.epochs} epoch(s) of batch 32; backend ${getBackend().name}; ${seconds.toFixed(0)} s.`,
    '',
    '`first_last_grad_ratio` is the mean gradient norm of the first Linear layer over training divided by that of the last (output) layer;',
    '`*_weight_change` is ‖W_end − W_start‖ / ‖W_start‖ over the training run (after pretraining, for the pretrained net);',
    '`first_layer_saturation` is the fraction of first-layer sigmoid outputs below 0.05 or above 0.95 (tanh: |y| > 0.95; ReLU: exactly 0).',
    '',
    markdownTable(VANISHING_COLUMNS, rows),
    '',
    '![gradient norms](grad-norms.svg)',
    '',
    '![gradient profile](grad-profile.svg)',
    '',
    '![test accuracy](test-accuracy.svg)',
    '',
  ].join('\n');
  writeRunFile(dir, 'report.md', md);
  writeRunFile(dir, 'results.json', JSON.stringify(rows, null, 2));
  return { name: 'vanishing', columns: VANISHING_COLUMNS, rows, dir, seconds };
}
