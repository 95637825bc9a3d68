import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../src/autograd/index.js';
import { tensor } from '../../src/tensor/creation.js';
import { Generator } from '../../src/tensor/rng.js';
import { RBM, RbmTrainer, trainRbm } from '../../src/models/rbm.js';
import { loadMnist } from '../../src/data/mnist-node.js';

const close = (a: number, b: number, tol = 1e-4) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);
const sig = (z: number) => 1 / (1 + Math.exp(-z));

function tinyRbm(visible: 'bernoulli' | 'gaussian' = 'bernoulli') {
  const rbm = new RBM({ nVisible: 3, nHidden: 2, visible });
  const W = [[0.5, -1.2, 0.8], [1.5, 0.3, -0.7]], b = [0.2, -0.5, 0.1], c = [-0.3, 0.4];
  rbm.weight.data.set(W.flat());
  rbm.visibleBias.data.set(b);
  rbm.hiddenBias.data.set(c);
  return { rbm, W, b, c };
}

/** F(v) = −log Σ_h exp(−E(v, h)) by enumerating all hidden states. */
function bruteFreeEnergy(v: number[], W: number[][], b: number[], c: number[], gaussian: boolean): number {
  let z = 0;
  for (let m = 0; m < 1 << c.length; m++) {
    const h = c.map((_, j) => (m >> j) & 1);
    let e = gaussian ? v.reduce((s, vi, i) => s + 0.5 * (vi - b[i]) ** 2, 0) : -v.reduce((s, vi, i) => s + vi * b[i], 0);
    h.forEach((hj, j) => { e -= hj * (c[j] + W[j].reduce((s, w, i) => s + w * v[i], 0)); });
    z += Math.exp(-e);
  }
  return -Math.log(z);
}

test('RBM.freeEnergy equals the brute-force sum over hidden states (Bernoulli and Gaussian visibles)', () => {
  const V = [[1, 0, 1], [0, 1, 1], [0.3, 0.9, 0]];
  for (const kind of ['bernoulli', 'gaussian'] as const) {
    const { rbm, W, b, c } = tinyRbm(kind);
    const fe = rbm.freeEnergy(tensor(V)).values();
    V.forEach((v, n) => close(fe[n], bruteFreeEnergy(v, W, b, c, kind === 'gaussian')));
  }
});

test('RBM.pseudoLogLikelihood follows scikit-learn score_samples: n_features · log σ(F(v_flipped) − F(v))', () => {
  const { rbm, W, b, c } = tinyRbm();
  const V = [[1, 0, 1], [0, 1, 1], [1, 1, 0], [0, 0, 0]];
  const got = rbm.pseudoLogLikelihood(tensor(V), new Generator(7)).values();
  const g = new Generator(7);
  V.forEach((v, n) => {
    const j = g.randint(0, 3); // one random feature per sample, in sample order
    const flipped = v.slice();
    flipped[j] = 1 - flipped[j];
    const diff = bruteFreeEnergy(flipped, W, b, c, false) - bruteFreeEnergy(v, W, b, c, false);
    close(got[n], 3 * Math.log(sig(diff)));
  });
  assert.throws(() => tinyRbm('gaussian').rbm.pseudoLogLikelihood(tensor(V)), /Bernoulli visibles only/);
});

test('CD-1 update equals lr · (ph0ᵀv0 − ph1ᵀv1) / B on a tiny example', () => {
  const { rbm, W, b, c } = tinyRbm();
  const V0 = [[1, 0, 1], [0, 1, 1]];
  const lr = 0.5;
  const trainer = new RbmTrainer(rbm, { epochs: 1, lr, batchSize: 2, generator: new Generator(3) });
  const { ph0, v1, ph1 } = trainer.step(tensor(V0));
  const hp = (v: number[]) => c.map((cj, j) => sig(cj + W[j].reduce((s, w, i) => s + w * v[i], 0)));
  const P0 = V0.map(hp);
  P0.flat().forEach((p, i) => close(ph0.values()[i], p));
  const V1 = [0, 1].map((n) => Array.from(v1.values()).slice(n * 3, n * 3 + 3));
  // v1 must be E[v | h] for a binary h: σ(hW + b) with h ∈ {0,1}²
  for (const v of V1) {
    const ok = [0, 1, 2, 3].some((m) => v.every((vi, i) => Math.abs(vi - sig(b[i] + ((m & 1) * W[0][i]) + ((m >> 1) * W[1][i]))) < 1e-5));
    assert.ok(ok, `v1 row ${v} is not a reconstruction from a binary hidden state`);
  }
  const P1 = V1.map(hp);
  P1.flat().forEach((p, i) => close(ph1.values()[i], p));
  const Wn = rbm.weight.values();
  for (let j = 0; j < 2; j++) for (let i = 0; i < 3; i++) {
    const dW = (lr / 2) * (P0[0][j] * V0[0][i] + P0[1][j] * V0[1][i] - P1[0][j] * V1[0][i] - P1[1][j] * V1[1][i]);
    close(Wn[j * 3 + i] - W[j][i], dW, 1e-5);
  }
  for (let i = 0; i < 3; i++) close(rbm.visibleBias.values()[i] - b[i], (lr / 2) * (V0[0][i] + V0[1][i] - V1[0][i] - V1[1][i]), 1e-5);
  for (let j = 0; j < 2; j++) close(rbm.hiddenBias.values()[j] - c[j], (lr / 2) * (P0[0][j] + P0[1][j] - P1[0][j] - P1[1][j]), 1e-5);
});

test('trainRbm: reconstruction error falls and pseudo-likelihood rises on a small MNIST subset (CD-1 and PCD)', () => {
  const x = loadMnist({ trainSize: 200, testSize: 10 }).train.x;
  for (const persistent of [false, true]) {
    const g = new Generator(0);
    const rbm = new RBM({ nVisible: 784, nHidden: 24, generator: g });
    const stats = trainRbm(rbm, x, { epochs: 3, batchSize: 10, lr: 0.05, momentum: 0.5, persistent, sparsityTarget: persistent ? 0.1 : undefined, weightDecay: 1e-4, generator: g });
    assert.equal(stats.length, 4);
    assert.ok(stats[3].reconError < stats[1].reconError && stats[1].reconError < stats[0].reconError, `recon errors ${stats.map((s) => s.reconError)}`);
    assert.ok(stats[3].pseudoLogLikelihood > stats[0].pseudoLogLikelihood, `pll ${stats.map((s) => s.pseudoLogLikelihood)}`);
    const samples = rbm.gibbs(5, 4, g);
    assert.deepEqual(samples.shape, [4, 784]);
    assert.ok(Array.from(samples.values()).every((v) => v >= 0 && v <= 1));
  }
});

test('RBM: argument errors name the function and the value', () => {
  assert.throws(() => new RBM({ nVisible: 0, nHidden: 2 }), /RBM: nVisible and nHidden must be positive integers, got 0 and 2/);
  const { rbm } = tinyRbm();
  assert.throws(() => rbm.hiddenProbs(tensor([[1, 2]])), /RBM\.hiddenProbs: expected visibles of shape \[B, 3\], got \[1,2\]/);
  assert.throws(() => new RbmTrainer(rbm, { epochs: 1, k: 0 }), /invalid k 0/);
});
