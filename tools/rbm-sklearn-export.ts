/**
 * Trains this toolkit's Bernoulli RBM with scikit-learn's BernoulliRBM defaults (persistent CD,
 * sampled visibles, batch 10, lr 0.1, N(0, 0.01) init) on an MNIST subset and writes the data and
 * the resulting pseudo-log-likelihood for tools/compare_rbm_sklearn.py.
 *
 *   node --import tsx tools/rbm-sklearn-export.ts <outDir> [trainSize] [testSize] [hidden] [epochs] [seed]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import '../src/autograd/index.js';
import { loadMnist } from '../src/data/mnist-node.js';
import { RBM, trainRbm } from '../src/models/rbm.js';
import { Generator } from '../src/tensor/rng.js';

const [outDir = 'runs/rbm-sklearn', trainSize = '2000', testSize = '1000', hidden = '64', epochs = '10', seed = '0'] = process.argv.slice(2);
const cfg = { trainSize: +trainSize, testSize: +testSize, hidden: +hidden, epochs: +epochs, seed: +seed, batchSize: 10, lr: 0.1 };
mkdirSync(outDir, { recursive: true });
const data = loadMnist({ trainSize: cfg.trainSize, testSize: cfg.testSize, seed: cfg.seed });
writeFileSync(join(outDir, 'train.f32'), new Uint8Array(data.train.x.values().buffer));
writeFileSync(join(outDir, 'test.f32'), new Uint8Array(data.test.x.values().buffer));
const g = new Generator(cfg.seed);
const rbm = new RBM({ nVisible: 784, nHidden: cfg.hidden, generator: g });
const t0 = performance.now();
const stats = trainRbm(rbm, data.train.x, {
  epochs: cfg.epochs, batchSize: cfg.batchSize, lr: cfg.lr, persistent: true, sampleVisible: true, shuffle: false, generator: g,
  onEpoch: (s) => console.error(`epoch ${s.epoch}: recon ${s.reconError.toFixed(4)}  pll ${s.pseudoLogLikelihood.toFixed(2)}`),
});
const seconds = (performance.now() - t0) / 1000;
// The pseudo-likelihood is a one-flip estimate: average it over several flip draws.
const repeats = 10;
const pll = (x: typeof data.test.x) => {
  let s = 0;
  for (let r = 0; r < repeats; r++) {
    const v = rbm.pseudoLogLikelihood(x, new Generator(1000 + r)).values();
    for (let i = 0; i < v.length; i++) s += v[i] / v.length / repeats;
  }
  return s;
};
const result = { config: cfg, seconds, trainPll: pll(data.train.x), testPll: pll(data.test.x), reconError: stats.map((s) => s.reconError) };
writeFileSync(join(outDir, 'attentive.json'), JSON.stringify(result, null, 2));
console.log(JSON.stringify(result));
