import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as F from '../../src/autograd/ops/index.js';
import { backward } from '../../src/autograd/engine.js';
import { randn, tensor } from '../../src/tensor/creation.js';
import { Generator } from '../../src/tensor/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { Parameter } from '../../src/nn/parameter.js';
import { Linear } from '../../src/nn/layers/linear.js';
import { Sequential } from '../../src/nn/layers/containers.js';
import { Tanh } from '../../src/nn/layers/activations.js';
import { mseLoss } from '../../src/nn/losses.js';
import type { Optimizer } from '../../src/optim/optimizer.js';
import { SGD } from '../../src/optim/sgd.js';
import { Adam, AdamW } from '../../src/optim/adam.js';
import { RMSprop } from '../../src/optim/rmsprop.js';
import { Adagrad } from '../../src/optim/adagrad.js';
import { clipGradNorm, clipGradValue } from '../../src/optim/clip.js';
import { l1Penalty, l2Penalty } from '../../src/optim/penalties.js';

const param = (values: number[], shape = [values.length]) => new Parameter(new Tensor(Float32Array.from(values), shape));

function makeModel(seed: number): Sequential {
  const g = new Generator(seed);
  return new Sequential(new Linear(3, 8, { generator: g }), new Tanh(), new Linear(8, 2, { generator: g }));
}

const X = randn([16, 3], { generator: new Generator(100) });
const Y = randn([16, 2], { generator: new Generator(101) });

function trainStep(model: Sequential, opt: Optimizer<object>): void {
  opt.zeroGrad();
  backward(mseLoss(model.forward(X) as Tensor, Y));
  opt.step();
}

const makers: [string, (ps: Parameter[]) => Optimizer<object>][] = [
  ['SGD nesterov', (ps) => new SGD(ps, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-3 })],
  ['Adam', (ps) => new Adam(ps, { lr: 0.01, weightDecay: 1e-3 })],
  ['AdamW amsgrad', (ps) => new AdamW(ps, { lr: 0.01, amsgrad: true })],
  ['RMSprop centered momentum', (ps) => new RMSprop(ps, { lr: 0.01, momentum: 0.5, centered: true })],
  ['Adagrad', (ps) => new Adagrad(ps, { lr: 0.1, lrDecay: 0.01, initialAccumulatorValue: 0.1 })],
];

for (const [name, make] of makers) {
  test(`${name}: stateDict after 3 steps, loaded into a fresh optimizer, continues bit-identically`, () => {
    const ref = makeModel(1);
    const refOpt = make(ref.parameters());
    for (let i = 0; i < 6; i++) trainStep(ref, refOpt);

    const first = makeModel(1);
    const firstOpt = make(first.parameters());
    for (let i = 0; i < 3; i++) trainStep(first, firstOpt);
    // round trip through JSON and plain arrays, as a checkpoint would
    const sd = firstOpt.stateDict();
    const json = JSON.parse(JSON.stringify({ ...sd, buffers: Object.fromEntries(Object.entries(sd.buffers).map(([k, t]) => [k, { shape: t.shape, data: [...t.values()] }])) }));
    const restoredSd = { ...json, buffers: Object.fromEntries(Object.entries(json.buffers as Record<string, { shape: number[]; data: number[] }>).map(([k, v]) => [k, new Tensor(Float32Array.from(v.data), v.shape)])) };
    const modelSd = first.stateDict();

    const resumed = makeModel(2); // different init: everything must come from the state dicts
    resumed.loadStateDict(modelSd);
    const resumedOpt = make(resumed.parameters());
    resumedOpt.loadStateDict(restoredSd);
    for (let i = 0; i < 3; i++) trainStep(resumed, resumedOpt);

    const a = ref.parameters(), b = resumed.parameters();
    for (let i = 0; i < a.length; i++) assert.deepEqual([...b[i].data], [...a[i].data], `${name}: parameter ${i}`);
    // the saved state is a snapshot, not a live view of the optimizer's buffers
    const again = firstOpt.stateDict();
    trainStep(first, firstOpt);
    for (const [k, t] of Object.entries(again.buffers)) assert.notDeepEqual([...t.values()], [...firstOpt.stateDict().buffers[k].values()], k);
  });
}

test('loadStateDict rejects state from another optimizer or another parameter layout', () => {
  const m = makeModel(1);
  const adam = new Adam(m.parameters(), { lr: 0.01 });
  trainStep(m, adam);
  const sgd = new SGD(m.parameters(), { lr: 0.1 });
  assert.throws(() => sgd.loadStateDict(adam.stateDict()), /SGD\.loadStateDict: state was saved by Adam/);
  const small = new Adam([m.parameters()[0]], { lr: 0.01 });
  assert.throws(() => small.loadStateDict(adam.stateDict()), /Adam\.loadStateDict: group 0 has 4 parameters in the state, 1 here/);
  const swapped = new Adam([m.parameters()[1], m.parameters()[0], m.parameters()[2], m.parameters()[3]], { lr: 0.01 });
  assert.throws(() => swapped.loadStateDict(adam.stateDict()), /Adam\.loadStateDict: buffer 0\.exp_avg has 24 values, parameter has 8 \(shape \[8\]\)/);
});

test('argument validation errors name the optimizer and the value', () => {
  const p = [param([1, 2])];
  assert.throws(() => new SGD(p, { lr: -1 }), { message: 'SGD: invalid learning rate -1' });
  assert.throws(() => new SGD(p, { lr: NaN }), { message: 'SGD: invalid learning rate NaN' });
  assert.throws(() => new SGD(p, { lr: 0.1, momentum: -0.5 }), { message: 'SGD: invalid momentum -0.5' });
  assert.throws(() => new SGD(p, { lr: 0.1, weightDecay: -1 }), { message: 'SGD: invalid weightDecay -1' });
  assert.throws(() => new SGD(p, { lr: 0.1, nesterov: true }), { message: 'SGD: nesterov needs momentum > 0 and dampening 0' });
  assert.throws(() => new Adam(p, { lr: 0.1, betas: [1, 0.999] }), { message: 'Adam: invalid beta1 1 (must be in [0, 1))' });
  assert.throws(() => new AdamW(p, { lr: 0.1, betas: [0.9, -0.1] }), { message: 'AdamW: invalid beta2 -0.1 (must be in [0, 1))' });
  assert.throws(() => new Adam(p, { lr: 0.1, eps: -1 }), { message: 'Adam: invalid eps -1' });
  assert.throws(() => new Adam(p, { lr: 0.1, weightDecay: -0.1 }), { message: 'Adam: invalid weightDecay -0.1' });
  assert.throws(() => new RMSprop(p, { lr: 0.1, alpha: -0.5 }), { message: 'RMSprop: invalid alpha -0.5' });
  assert.throws(() => new RMSprop(p, { lr: 0.1, momentum: -0.5 }), { message: 'RMSprop: invalid momentum -0.5' });
  assert.throws(() => new RMSprop(p, { lr: 0.1, weightDecay: -0.5 }), { message: 'RMSprop: invalid weightDecay -0.5' });
  assert.throws(() => new Adagrad(p, { lr: 0.1, lrDecay: -1 }), { message: 'Adagrad: invalid lrDecay -1' });
  assert.throws(() => new Adagrad(p, { lr: 0.1, weightDecay: -1 }), { message: 'Adagrad: invalid weightDecay -1' });
  assert.throws(() => new Adagrad(p, { lr: 0.1, initialAccumulatorValue: -1 }), { message: 'Adagrad: invalid initialAccumulatorValue -1' });
  assert.throws(() => new Adagrad(p, { lr: 0.1, eps: -1 }), { message: 'Adagrad: invalid eps -1' });
  assert.throws(() => new Adam([], { lr: 0.1 }), { message: 'Adam: got an empty parameter list' });
  assert.throws(() => new SGD([{ params: p }, { params: p, options: { lr: 1 } }], { lr: 0.1 }), /SGD: a parameter appears in more than one group \(shape \[2\]\)/);
  // per-group options override the defaults and are validated too
  assert.throws(() => new SGD([{ params: [param([1])], options: { lr: -2 } }], { lr: 0.1 }), { message: 'SGD: invalid learning rate -2' });
});

test('parameter groups: per-group lr; parameters without a gradient are skipped', () => {
  const a = param([1, 1]), b = param([1, 1]), c = param([1]);
  const opt = new SGD([{ params: [a] }, { params: [b, c], options: { lr: 1 } }], { lr: 0.1 });
  a.grad = tensor([1, 2]);
  b.grad = tensor([1, 2]);
  opt.step();
  assert.deepEqual([...a.data], [Math.fround(0.9), Math.fround(0.8)]);
  assert.deepEqual([...b.data], [0, -1]);
  assert.deepEqual([...c.data], [1]);
  assert.equal(opt.getState(c), undefined);
  opt.lr = 0.5;
  assert.deepEqual(opt.paramGroups.map((g) => g.options.lr), [0.5, 0.5]);
  opt.zeroGrad();
  assert.equal(a.grad, null);
});

function norm(ps: Parameter[]): number {
  let s = 0;
  for (const p of ps) for (const v of p.grad!.values()) s += v * v;
  return Math.sqrt(s);
}

test('clipGradNorm returns the true norm and scales to maxNorm with torch\'s 1e-6 epsilon', () => {
  const a = param([0, 0, 0]), b = param([0, 0]);
  a.grad = tensor([3, -4, 12]);
  b.grad = tensor([0, 84]); // total norm sqrt(9+16+144+7056) = 85
  const before = [...a.grad.values(), ...b.grad.values()];
  const total = clipGradNorm([a, b], 1);
  assert.equal(total, 85);
  const coef = 1 / (85 + 1e-6);
  const after = [...a.grad.values(), ...b.grad.values()];
  for (let i = 0; i < after.length; i++) assert.equal(after[i], Math.fround(before[i] * coef), `element ${i}`);
  assert.ok(Math.abs(norm([a, b]) - 85 / (85 + 1e-6)) < 1e-6);
  // below the threshold nothing changes
  a.grad = tensor([0.3, 0.4, 0]);
  b.grad = null;
  assert.ok(Math.abs(clipGradNorm([a, b], 1) - 0.5) < 1e-7);
  assert.deepEqual([...a.grad.values()], [Math.fround(0.3), Math.fround(0.4), 0]);
  // max-norm and 1-norm
  a.grad = tensor([1, -7, 2]);
  assert.equal(clipGradNorm([a], 3.5, Infinity), 7);
  assert.ok(Math.abs(a.grad.values()[1] - -7 * 3.5 / (7 + 1e-6)) < 1e-6);
  a.grad = tensor([1, -2, 3]);
  assert.equal(clipGradNorm([a], 100, 1), 6);
  // a non-finite norm is returned and the gradients are left for the caller to inspect
  a.grad = tensor([1, NaN, 3]);
  assert.ok(Number.isNaN(clipGradNorm([a], 1)));
  assert.equal(a.grad.values()[0], 1);
});

test('clipGradNorm on gradients produced by backward', () => {
  const m = makeModel(3);
  backward(F.mul(mseLoss(m.forward(X) as Tensor, Y), 1000));
  const ps = m.parameters();
  const n = norm(ps);
  assert.ok(n > 2);
  const total = clipGradNorm(ps, 2);
  assert.ok(Math.abs(total - n) <= 1e-9 * n);
  assert.ok(Math.abs(norm(ps) - 2 * n / (n + 1e-6)) < 1e-5);
});

test('clipGradValue clamps every gradient value', () => {
  const a = param([0, 0, 0, 0]), b = param([0]);
  a.grad = tensor([-3, -0.5, 0.2, 9]);
  clipGradValue([a, b], 1);
  assert.deepEqual([...a.grad.values()], [-1, -0.5, Math.fround(0.2), 1]);
  assert.equal(b.grad, null);
});

test('l1 and l2 penalties: values and gradients', () => {
  const w = param([1.5, -2, 0.5, 0], [2, 2]);
  const v = param([-1]);
  const l1 = l1Penalty([w, v], 0.1);
  assert.ok(Math.abs(l1.item() - 0.1 * 5) < 1e-6);
  backward(l1);
  assert.deepEqual([...w.grad!.values()], [0.1, -0.1, 0.1, 0].map(Math.fround));
  assert.deepEqual([...v.grad!.values()], [Math.fround(-0.1)]);
  w.grad = null;
  v.grad = null;
  const l2 = l2Penalty([w, v], 0.2);
  assert.ok(Math.abs(l2.item() - 0.1 * (2.25 + 4 + 0.25 + 1)) < 1e-6);
  backward(l2);
  // gradient λ·w: the same as SGD weight decay λ
  assert.deepEqual([...w.grad!.values()], [0.3, -0.4, 0.1, 0].map(Math.fround));
  assert.deepEqual([...v.grad!.values()], [Math.fround(-0.2)]);
});
