/**
 * `attentive experiment data-size`: the notes' fourth remedy, more data. The same deep net
 * (ReLU + He init, Adam) trained on growing prefixes of the training pool — optionally with
 * random shifts of up to 2 pixels — and tested on the same held-out digits.
 */
import '../../autograd/index.js';
import { loadMnist } from '../../data/mnist-node.js';
import { randomShift } from '../../data/augment.js';
import { Generator, manualSeed } from '../../tensor/rng.js';
import { buildMlp } from '../../models/mlp.js';
import { evaluate, trainClassifier } from '../../models/train-classifier.js';
import { linePlotSvg } from '../../viz/line-plot.js';
import { getBackend } from '../../backend/registry.js';
import { makeRunDir, markdownTable, progressBar, writeRunFile, type ExperimentOptions, type ExperimentResult, type Row } from './report-node.js';

export const DATA_SIZE_COLUMNS = ['train_size', 'augment', 'epochs', 'train_accuracy', 'test_accuracy', 'gap', 'seconds'];

export interface DataSizeOptions extends ExperimentOptions {
  /** Also train every size with random ±2-pixel shifts. */
  augment?: boolean;
}

export function runDataSize(o: DataSizeOptions): ExperimentResult {
  const t0 = performance.now();
  const log = o.log ?? (() => {});
  const p = o.quick
    ? { sizes: [100, 300, 1000], test: 500, depth: 4, width: 32, steps: 150 }
    : { sizes: [500, 1000, 2000, 4000, 8000], test: 2000, depth: 8, width: 64, steps: 750 };
  const sizesArch = [784, ...Array<number>(p.depth).fill(p.width), 10];
  const dir = makeRunDir('data-size', o.out);
  const bs = 32;
  log(`data-size: MLP ${sizesArch.join('-')} (ReLU, He init, Adam 1e-3), about ${p.steps} steps of batch ${bs} per size, backend ${getBackend().name}`);
  const rows: Row[] = [];
  const variants = o.augment ? [false, true] : [false];
  for (const augment of variants) {
    for (const n of p.sizes) {
      const tc = performance.now();
      manualSeed(o.seed);
      const g = new Generator(o.seed);
      const data = loadMnist({ seed: o.seed, trainSize: n, testSize: p.test });
      const model = buildMlp({ sizes: sizesArch, activation: 'relu', init: 'he', generator: g });
      // The same number of updates for every size, so small sets are not also under-trained.
      const epochs = Math.max(2, Math.round((p.steps * bs) / n));
      const bar = progressBar(o.progress ?? false, `n=${n}${augment ? ' +shift' : ''}`);
      trainClassifier(model, data.train, {
        epochs, batchSize: bs, optimizer: 'adam', lr: 1e-3, generator: g, evalTrain: false, onStep: bar.update,
        transform: augment ? (xb) => randomShift(xb, 2, 28, g) : undefined,
      });
      bar.finish();
      const tr = evaluate(model, data.train).accuracy;
      const te = evaluate(model, data.test).accuracy;
      const row: Row = { train_size: n, augment: augment ? 'shift±2' : 'none', epochs, train_accuracy: tr, test_accuracy: te, gap: tr - te, seconds: (performance.now() - tc) / 1000 };
      rows.push(row);
      log(`  n=${String(n).padStart(5)} ${String(row.augment).padEnd(8)} train ${(tr * 100).toFixed(1)}%  test ${(te * 100).toFixed(1)}%  (${Number(row.seconds).toFixed(1)} s)`);
    }
  }
  const series = variants.map((augment) => {
    const rs = rows.filter((r) => (r.augment !== 'none') === augment);
    return { name: augment ? 'test, shifts ±2 px' : 'test', x: rs.map((r) => Math.log2(Number(r.train_size))), y: rs.map((r) => Number(r.test_accuracy)) };
  });
  writeRunFile(dir, 'test-accuracy.svg', linePlotSvg(series, { title: 'Test accuracy against training-set size', xLabel: 'log2(training digits)', yLabel: 'test accuracy', width: 680, height: 420, markers: true }));
  const seconds = (performance.now() - t0) / 1000;
  writeRunFile(dir, 'report.md', [
    '# Test accuracy against training-set size',
    '',
    `MLP ${sizesArch.join('-')} (ReLU, He init, Adam 1e-3, batch ${bs}) on nested prefixes of the seeded MNIST training pool (seed ${o.seed}), tested on the same ${p.test} digits; about ${p.steps} updates per run; backend ${getBackend().name}; ${seconds.toFixed(0)} s.`,
    '',
    markdownTable(DATA_SIZE_COLUMNS, rows),
    '',
    '![test accuracy](test-accuracy.svg)',
    '',
  ].join('\n'));
  writeRunFile(dir, 'results.json', JSON.stringify(rows, null, 2));
  return { name: 'data-size', columns: DATA_SIZE_COLUMNS, rows, dir, seconds };
}
