import { weightsOf } from '../io/module-state.js';
import type { Command } from 'commander';
import { intOption, numberOption, outputFolderOption, type NumberRange } from './validate.js';
import { writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import '../autograd/index.js';
import { loadMnist, MNIST_SIDE } from '../data/mnist-node.js';
import { Generator, manualSeed } from '../tensor/rng.js';
import { pretrainStack, unrollToMlp, type PretrainMethod } from '../models/pretrain.js';
import { RBM } from '../models/rbm.js';
import { evaluate, trainClassifier } from '../models/train-classifier.js';
import { saveCheckpoint } from '../io/checkpoint-node.js';
import type { NamedArrays } from '../io/named-arrays.js';
import { writeImageGridPng } from '../viz/image-grid-node.js';
import { getBackend } from '../backend/registry.js';
import { makeRunDir, progressBar } from './experiments/report-node.js';

/** Options of {@link runPretrainCommand} (the CLI flags). */
export interface PretrainCommandOptions {
  layers: number[];
  method: PretrainMethod;
  epochs: number;
  finetuneEpochs: number;
  trainSize: number;
  lr?: number;
  finetuneLr: number;
  batchSize?: number;
  k: number;
  persistent: boolean;
  seed: number;
  out?: string;
  progress?: boolean;
  log?: (line: string) => void;
}

/**
 * Greedy layer-wise pretraining on MNIST, unrolling and fine-tuning; writes the run folder:
 * `pretrained/` and `finetuned/` checkpoints (saveCheckpoint), `config.json`, `metrics.jsonl`
 * (one line per epoch of every phase), `filters.png` (first-layer weights) and, for RBMs,
 * `samples.png` (Gibbs samples of the first RBM).
 */
export async function runPretrainCommand(o: PretrainCommandOptions): Promise<{ dir: string; testAccuracy: number }> {
  const log = o.log ?? (() => {});
  if (o.layers.length < 2 || o.layers[0] !== 784) throw new Error(`pretrain: --layers must start with 784 (MNIST pixels) and have at least two sizes, got ${o.layers.join(',')}`);
  const dir = makeRunDir('pretrain', o.out);
  const config = { ...o, log: undefined, backend: getBackend().name };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2) + '\n');
  const metrics = join(dir, 'metrics.jsonl');
  writeFileSync(metrics, '');
  const record = (obj: Record<string, unknown>) => appendFileSync(metrics, JSON.stringify(obj) + '\n');
  manualSeed(o.seed);
  const g = new Generator(o.seed);
  const data = loadMnist({ seed: o.seed, trainSize: o.trainSize });
  log(`pretrain: ${o.method} layers ${o.layers.join('-')}, ${o.epochs} epoch(s) per layer on ${o.trainSize} digits, backend ${getBackend().name}`);
  const bar = progressBar(o.progress ?? false, 'pretraining');
  const total = (o.layers.length - 1) * (o.epochs + 1);
  const stack = pretrainStack(data.train.x, {
    sizes: o.layers, method: o.method, epochs: o.epochs, lr: o.lr, batchSize: o.batchSize, k: o.k, persistent: o.persistent, generator: g,
    onEpoch: (layer, s) => {
      record({ phase: 'pretrain', layer, ...s });
      bar.update(layer * (o.epochs + 1) + s.epoch + 1, total);
      const extra = 'reconError' in s ? `recon ${s.reconError.toFixed(4)}  pll ${s.pseudoLogLikelihood.toFixed(1)}` : `loss ${s.cleanLoss.toFixed(3)}`;
      if (!(o.progress ?? false)) log(`  layer ${layer} epoch ${s.epoch}: ${extra}`);
    },
  });
  bar.finish();
  const pretrained: NamedArrays = {};
  stack.forEach((l, i) => {
    pretrained[`${i}.weight`] = { dtype: 'float32', shape: l.weight.shape.slice(), data: Float32Array.from(l.weight.values()) };
    pretrained[`${i}.bias`] = { dtype: 'float32', shape: l.bias.shape.slice(), data: Float32Array.from(l.bias.values()) };
  });
  await saveCheckpoint(join(dir, 'pretrained'), { weights: pretrained, config: { layers: o.layers, method: o.method } });
  const first = stack[0];
  const nShow = Math.min(100, first.weight.shape[0]);
  writeImageGridPng(join(dir, 'filters.png'), first.weight.values().subarray(0, nShow * 784), [nShow, MNIST_SIDE, MNIST_SIDE], { scale: 2 });
  if (first.model instanceof RBM) {
    const samples = first.model.gibbs(200, data.train.x.narrow(0, 0, 36).contiguous(), g);
    writeImageGridPng(join(dir, 'samples.png'), samples.values(), [36, MNIST_SIDE, MNIST_SIDE], { normalize: 'none', scale: 2 });
  }
  const model = unrollToMlp(stack, 10, g);
  let testAccuracy = NaN;
  if (o.finetuneEpochs > 0) {
    const fbar = progressBar(o.progress ?? false, 'fine-tuning');
    trainClassifier(model, data.train, {
      epochs: o.finetuneEpochs, batchSize: 20, optimizer: 'sgd', lr: o.finetuneLr, momentum: 0.5, test: data.test, generator: g, onStep: fbar.update,
      onEpoch: (r) => { record({ phase: 'finetune', ...r }); if (!(o.progress ?? false)) log(`  fine-tune epoch ${r.epoch}: train acc ${(r.trainAccuracy * 100).toFixed(1)}%  test acc ${(r.testAccuracy * 100).toFixed(1)}%`); },
    });
    fbar.finish();
    testAccuracy = evaluate(model, data.test).accuracy;
  }
  const weights = weightsOf(model);
  await saveCheckpoint(join(dir, 'finetuned'), { weights, config: { layers: [...o.layers, 10], activation: 'sigmoid', pretrain: o.method } });
  log(`test accuracy ${(testAccuracy * 100).toFixed(2)}%; run folder ${dir}`);
  return { dir, testAccuracy };
}

// Counts and sizes are positive; the seed and fine-tuning epochs may be 0; learning rates are positive.
const num = (name: string, integer: boolean, range: NumberRange = integer ? { min: 1 } : { above: 0 }) => (integer ? intOption : numberOption)(name, range);

export function registerPretrainCommand(program: Command): void {
  program
    .command('pretrain')
    .description('greedy layer-wise pretraining (RBM, autoencoder, denoising autoencoder) on MNIST, then fine-tuning with backprop')
    .option('--layers <sizes>', 'layer widths from the input', (v) => v.split(',').map(num('--layers', true)), [784, 500, 500])
    .option('--method <m>', 'rbm | ae | dae', 'rbm')
    .option('--epochs <n>', 'pretraining epochs per layer', num('--epochs', true), 5)
    .option('--finetune-epochs <n>', 'fine-tuning epochs (0: none)', num('--finetune-epochs', true, { min: 0 }), 10)
    .option('--train-size <n>', 'training digits (of the 8,000 pool)', num('--train-size', true), 8000)
    .option('--lr <x>', 'pretraining learning rate (default 0.05 for RBMs, 1e-3 Adam for autoencoders)', num('--lr', false))
    .option('--finetune-lr <x>', 'fine-tuning SGD learning rate', num('--finetune-lr', false), 0.1)
    .option('--batch-size <n>', 'pretraining batch size', num('--batch-size', true))
    .option('--k <n>', 'RBM: Gibbs steps per update (CD-k)', num('--k', true), 1)
    .option('--persistent', 'RBM: persistent contrastive divergence', false)
    .option('--seed <n>', 'random seed', num('--seed', true, { min: 0 }), 0)
    .option('--out <dir>', 'run folder (default runs/pretrain-<timestamp>)', outputFolderOption('--out'))
    .option('--progress', 'show progress bars even when stdout is not a terminal')
    .action(async (o: Omit<PretrainCommandOptions, 'log'>) => {
      if (!['rbm', 'ae', 'dae'].includes(o.method)) throw new Error(`pretrain: --method must be rbm, ae or dae, got '${o.method}'`);
      await runPretrainCommand({ ...o, progress: o.progress ?? process.stdout.isTTY === true, log: (s) => console.log(s) });
    });
}
