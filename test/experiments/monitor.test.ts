import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../src/autograd/index.js';
import { tensor } from '../../src/tensor/creation.js';
import { Linear, Sequential, Sigmoid } from '../../src/nn/index.js';
import { GradientMonitor, activationStats } from '../../src/nn/monitor.js';
import { SGD } from '../../src/optim/index.js';

const sig = (z: number) => 1 / (1 + Math.exp(-z));
const close = (a: number, b: number, tol = 1e-5) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

test('GradientMonitor: gradient norms, weight norms, update ratios and activation stats match a hand computation', () => {
  const l1 = new Linear(2, 2), l2 = new Linear(2, 1);
  const W1 = [[3, -1], [0.5, 2]], b1 = [0.1, -4], W2 = [[1.5, -2]], b2 = [0.3];
  l1.weight.data.set(W1.flat()); l1.bias!.data.set(b1); l2.weight.data.set(W2.flat()); l2.bias!.data.set(b2);
  const model = new Sequential(l1, new Sigmoid(), l2);
  const mon = new GradientMonitor(model, { threshold: 0.05 });
  const X = [[1, 2], [-1, 0.5], [2, -3]];
  const lr = 0.1;
  const opt = new SGD(model.parameters(), { lr });
  const loss = (model.forward(tensor(X)) as ReturnType<typeof tensor>).sum();
  opt.zeroGrad();
  loss.backward();
  mon.beforeStep();
  opt.step();
  mon.afterStep();
  // by hand: L = Σ_n W2 σ(W1 x_n + b1) + b2
  const a = X.map((x) => W1.map((w, j) => sig(w[0] * x[0] + w[1] * x[1] + b1[j])));
  const g2 = [0, 1].map((j) => a.reduce((s, an) => s + an[j], 0));
  const g1 = W1.map((_, j) => [0, 1].map((i) => X.reduce((s, x, n) => s + W2[0][j] * a[n][j] * (1 - a[n][j]) * x[i], 0)));
  const nrm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  const rows = mon.rows();
  assert.equal(rows.length, 2);
  assert.deepEqual(rows.map((r) => r.layer), ['0', '2']);
  close(rows[0].gradNorm, nrm(g1.flat()));
  close(rows[1].gradNorm, nrm(g2));
  close(rows[0].updateRatio, lr * nrm(g1.flat()) / nrm(W1.flat()));
  close(rows[1].updateRatio, lr * nrm(g2) / nrm(W2.flat()));
  close(rows[0].weightNorm, nrm(W1.flat().map((w, i) => w - lr * g1.flat()[i])));
  const acts = a.flat();
  const mean = acts.reduce((s, v) => s + v, 0) / acts.length;
  close(rows[0].actMean, mean);
  close(rows[0].actStd, Math.sqrt(acts.reduce((s, v) => s + (v - mean) ** 2, 0) / acts.length));
  close(rows[0].saturation, acts.filter((v) => v < 0.05 || v > 0.95).length / acts.length);
  assert.ok(rows[0].saturation > 0, 'the example was chosen to saturate some units');
  assert.equal(rows[0].activation, 'sigmoid');
  assert.equal(rows[1].activation, 'linear');
  assert.ok(Number.isNaN(rows[1].saturation));
  // record() without beforeStep leaves the update ratio undefined
  mon.record();
  assert.ok(Number.isNaN(mon.rows()[2].updateRatio));
  mon.detach();
});

test('activationStats: saturation of tanh and dead ReLUs', () => {
  const t = tensor([-0.99, 0.2, 0.97, 0]);
  assert.equal(activationStats(t, 'tanh', 0.05).saturation, 0.5);
  assert.equal(activationStats(t, 'relu').saturation, 0.25);
});

test('GradientMonitor: every-n recording and argument checks', () => {
  const model = new Sequential(new Linear(3, 2));
  const mon = new GradientMonitor(model, { every: 2 });
  for (let i = 0; i < 5; i++) mon.record();
  assert.deepEqual(mon.rows().map((r) => r.step), [0, 2, 4]);
  assert.throws(() => new GradientMonitor(model, { threshold: 0.7 }), /threshold must be in \[0, 0\.5\), got 0\.7/);
  assert.throws(() => new GradientMonitor(new Sequential(new Sigmoid())), /no Linear layers/);
});
