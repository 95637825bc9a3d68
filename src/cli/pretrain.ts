import { loadWeightsInto, weightsOf } from '../io/module-state.js';
import type { Command } from 'commander';
import { appendFileSync, existsSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import '../autograd/index.js';
import { loadMnist, MNIST_SIDE } from '../data/mnist-node.js';
import { defaultGenerator, Generator, manualSeed } from '../tensor/rng.js';
import { pretrainStack, propagate, unrollToMlp, type PretrainedLayer, type PretrainMethod } from '../models/pretrain.js';
import { Autoencoder } from '../models/autoencoder.js';
import { RBM } from '../models/rbm.js';
import { evaluate, trainClassifier } from '../models/train-classifier.js';
import { loadCheckpoint, saveCheckpoint, type JsonValue } from '../io/checkpoint-node.js';
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
  /** Continue the run in this folder (its saved options are used); the result equals an uninterrupted run's, bit for bit. */
  resume?: string;
}

/** What progress/ records: how far the run got and the generators' states at that point. */
interface PretrainProgress {
  /** 'pretrain': `layersDone` layers are trained; 'finetune': pretraining, its checkpoint and pictures are done. */
  phase: 'pretrain' | 'finetune';
  layersDone: number;
  /** The run's generator and defaultGenerator; null stands for NaN (no cached normal deviate), which JSON cannot hold. */
  generator: (number | null)[];
  rng: (number | null)[];
  /** Length of metrics.jsonl at that point (a resumed run cuts what came after). */
  metricsBytes: number;
}

const jsonState = (gen: Generator): (number | null)[] => gen.getState().map((v) => (Number.isNaN(v) ? null : v));

/** A pretrained layer rebuilt from its saved weights (the model's own state dict under `<i>.`). */
function restoreLayer(method: PretrainMethod, nVisible: number, nHidden: number, weights: NamedArrays, i: number): PretrainedLayer {
  const own = Object.fromEntries(Object.entries(weights).filter(([k]) => k.startsWith(`${i}.`)).map(([k, v]) => [k.slice(`${i}.`.length), v]));
  // a throwaway generator: the run's generators are restored from progress/, not consumed here
  if (method === 'rbm') {
    const rbm = new RBM({ nVisible, nHidden, generator: new Generator(0) });
    loadWeightsInto(rbm, own, `progress/ layer ${i}`);
    return { weight: rbm.weight, bias: rbm.hiddenBias, method, history: [], model: rbm };
  }
  const ae = new Autoencoder({ nVisible, nHidden, tied: true, generator: new Generator(0) });
  loadWeightsInto(ae, own, `progress/ layer ${i}`);
  return { weight: ae.encoder.weight, bias: ae.encoder.bias!, method, history: [], model: ae };
}

/**
 * Greedy layer-wise pretraining on MNIST, unrolling and fine-tuning; writes the run folder:
 * `pretrained/` and `finetuned/` checkpoints (saveCheckpoint), `config.json`, `metrics.jsonl`
 * (one line per epoch of every phase), `filters.png` (first-layer weights) and, for RBMs,
 * `samples.png` (Gibbs samples of the first RBM).
 */
export async function runPretrainCommand(options: PretrainCommandOptions): Promise<{ dir: string; testAccuracy: number }> {
  const log = options.log ?? (() => {});
  let o: PretrainCommandOptions;
  let dir: string;
  if (options.resume) {
    dir = resolve(options.resume);
    const path = join(dir, 'config.json');
    if (!existsSync(path)) throw new Error(`pretrain: cannot resume ${dir}: it has no config.json (not a pretrain run folder)`);
    o = { ...(JSON.parse(readFileSync(path, 'utf8')) as PretrainCommandOptions), progress: options.progress, log, resume: options.resume };
  } else {
    o = options;
    if (o.layers.length < 2 || o.layers[0] !== 784) throw new Error(`pretrain: --layers must start with 784 (MNIST pixels) and have at least two sizes, got ${o.layers.join(',')}`);
    dir = makeRunDir('pretrain', o.out);
    const config = { ...o, log: undefined, progress: undefined, resume: undefined, backend: getBackend().name };
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2) + '\n');
  }
  const metrics = join(dir, 'metrics.jsonl');
  const record = (obj: Record<string, unknown>) => appendFileSync(metrics, JSON.stringify(obj) + '\n');
  manualSeed(o.seed);
  const g = new Generator(o.seed);
  const data = loadMnist({ seed: o.seed, trainSize: o.trainSize });

  // Exact resume: progress/ holds the finished layers and the generators' states after them; a
  // layer (or the fine-tuning) cut short is redone from there, so it draws the same numbers.
  const progressDir = join(dir, 'progress');
  const stack: PretrainedLayer[] = [];
  let phase: PretrainProgress['phase'] = 'pretrain';
  if (options.resume && existsSync(progressDir)) {
    const c = await loadCheckpoint(progressDir);
    const p = c.trainer as unknown as PretrainProgress;
    for (let i = 0; i < p.layersDone; i++) stack.push(restoreLayer(o.method, o.layers[i], o.layers[i + 1], c.weights, i));
    g.setState(p.generator.map((v) => v ?? NaN));
    defaultGenerator.setState(p.rng.map((v) => v ?? NaN));
    truncateSync(metrics, p.metricsBytes);
    phase = p.phase;
    log(`pretrain: resuming ${dir} after ${p.layersDone} pretrained layer(s)${p.phase === 'finetune' ? ', at fine-tuning' : ''}`);
  } else {
    writeFileSync(metrics, '');
  }
  const saveProgress = async (next: PretrainProgress['phase']) => {
    const weights: NamedArrays = {};
    stack.forEach((l, i) => {
      for (const [k, v] of Object.entries(weightsOf(l.model))) weights[`${i}.${k}`] = v;
    });
    const p: PretrainProgress = {
      phase: next, layersDone: stack.length, generator: jsonState(g), rng: jsonState(defaultGenerator),
      metricsBytes: statSync(metrics).size,
    };
    await saveCheckpoint(progressDir, { weights, config: { layers: o.layers, method: o.method }, trainer: p as unknown as JsonValue });
  };

  log(`pretrain: ${o.method} layers ${o.layers.join('-')}, ${o.epochs} epoch(s) per layer on ${o.trainSize} digits, backend ${getBackend().name}`);
  if (phase === 'pretrain') {
    const bar = progressBar(o.progress ?? false, 'pretraining');
    const total = (o.layers.length - 1) * (o.epochs + 1);
    let h = data.train.x;
    for (const l of stack) h = propagate(l, h);
    // one layer at a time (the same draws as one call for the whole stack), saving progress after each
    for (let l = stack.length; l + 1 < o.layers.length; l++) {
      const [layer] = pretrainStack(h, {
        sizes: [o.layers[l], o.layers[l + 1]], method: o.method, epochs: o.epochs, lr: o.lr, batchSize: o.batchSize, k: o.k, persistent: o.persistent, generator: g,
        onEpoch: (_, s) => {
          record({ phase: 'pretrain', layer: l, ...s });
          bar.update(l * (o.epochs + 1) + s.epoch + 1, total);
          const extra = 'reconError' in s ? `recon ${s.reconError.toFixed(4)}  pll ${s.pseudoLogLikelihood.toFixed(1)}` : `loss ${s.cleanLoss.toFixed(3)}`;
          if (!(o.progress ?? false)) log(`  layer ${l} epoch ${s.epoch}: ${extra}`);
        },
      });
      stack.push(layer);
      h = propagate(layer, h);
      await saveProgress('pretrain');
    }
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
    await saveProgress('finetune');
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

const num = (name: string, integer: boolean) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) throw new Error(`pretrain: ${name} must be ${integer ? 'an integer' : 'a number'}, got '${v}'`);
  return n;
};

export function registerPretrainCommand(program: Command): void {
  program
    .command('pretrain')
    .description('greedy layer-wise pretraining (RBM, autoencoder, denoising autoencoder) on MNIST, then fine-tuning with backprop')
    .option('--layers <sizes>', 'layer widths from the input', (v) => v.split(',').map(num('--layers', true)), [784, 500, 500])
    .option('--method <m>', 'rbm | ae | dae', 'rbm')
    .option('--epochs <n>', 'pretraining epochs per layer', num('--epochs', true), 5)
    .option('--finetune-epochs <n>', 'fine-tuning epochs (0: none)', num('--finetune-epochs', true), 10)
    .option('--train-size <n>', 'training digits (of the 8,000 pool)', num('--train-size', true), 8000)
    .option('--lr <x>', 'pretraining learning rate (default 0.05 for RBMs, 1e-3 Adam for autoencoders)', num('--lr', false))
    .option('--finetune-lr <x>', 'fine-tuning SGD learning rate', num('--finetune-lr', false), 0.1)
    .option('--batch-size <n>', 'pretraining batch size', num('--batch-size', true))
    .option('--k <n>', 'RBM: Gibbs steps per update (CD-k)', num('--k', true), 1)
    .option('--persistent', 'RBM: persistent contrastive divergence', false)
    .option('--seed <n>', 'random seed', num('--seed', true), 0)
    .option('--out <dir>', 'run folder (default runs/pretrain-<timestamp>)')
    .option('--progress', 'show progress bars even when stdout is not a terminal')
    .option('--resume <dir>', 'continue an interrupted run from its progress/ checkpoint (its saved options are used): the result equals an uninterrupted run\'s')
    .action(async (o: Omit<PretrainCommandOptions, 'log'>) => {
      if (!['rbm', 'ae', 'dae'].includes(o.method)) throw new Error(`pretrain: --method must be rbm, ae or dae, got '${o.method}'`);
      await runPretrainCommand({ ...o, progress: o.progress ?? process.stdout.isTTY === true, log: (s) => console.log(s) });
    });
}
