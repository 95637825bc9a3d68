import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ops from '../../src/autograd/index.js';
import { gradcheck } from './check.js';
import { tensor } from '../../src/tensor/creation.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { assertClose, assertValues, awayFromZero, narrowedLeaf, rnd, transposedLeaf } from './helpers.js';

test('activations: hand-computed values', () => {
  const x = tensor([-2, 0, 1]);
  assertValues(ops.relu(x), [0, 0, 1]);
  assertClose(ops.leakyRelu(x, 0.1), [-0.2, 0, 1]);
  assertClose(ops.sigmoid(x), [1 / (1 + Math.exp(2)), 0.5, 1 / (1 + Math.exp(-1))]);
  assertClose(ops.tanh(x), [Math.tanh(-2), 0, Math.tanh(1)]);
  assertClose(ops.elu(x, 2), [2 * (Math.exp(-2) - 1), 0, 1]);
  // gelu(x) = x·Φ(x): Φ(1) = 0.841344746, Φ(-2) = 0.022750132
  assertClose(ops.gelu(x), [-2 * 0.022750132, 0, 0.841344746], 1e-6, 1e-5);
  assertClose(ops.softplus(tensor([-2, 0, 1, 30])), [Math.log1p(Math.exp(-2)), Math.LN2, Math.log1p(Math.E), 30]);
});

test('softmax and logSoftmax: hand-computed values along the last and an inner axis', () => {
  const e = Math.exp(1), e2 = Math.exp(2);
  const z = 1 + e + e2;
  assertClose(ops.softmax(tensor([[0, 1, 2], [5, 5, 5]])), [1 / z, e / z, e2 / z, 1 / 3, 1 / 3, 1 / 3]);
  assertClose(ops.logSoftmax(tensor([0, 1, 2])), [-Math.log(z), 1 - Math.log(z), 2 - Math.log(z)]);
  // along dim 0 of [2,2]: columns normalised
  assertClose(ops.softmax(tensor([[0, 3], [0, 3]]), 0), [0.5, 0.5, 0.5, 0.5]);
  // large logits do not overflow
  assertClose(ops.softmax(tensor([1000, 1000])), [0.5, 0.5]);
  assertClose(ops.logSoftmax(tensor([1000, 0])), [0, -1000], 1e-6, 1e-6);
});

test('activations: hand-computed gradients', () => {
  const x = tensor([-1, 2]).requiresGrad_();
  ops.sum(ops.relu(x)).backward();
  assertValues(x.grad!, [0, 1]);
  const y = tensor([0]).requiresGrad_();
  ops.sum(ops.sigmoid(y)).backward();
  assertValues(y.grad!, [0.25]);
  const z = tensor([0]).requiresGrad_();
  ops.sum(ops.tanh(z)).backward();
  assertValues(z.grad!, [1]);
  // softmax rows sum to one, so the gradient of their sum is zero
  const s = rnd([2, 3], 1).requiresGrad_();
  ops.sum(ops.softmax(s)).backward();
  assertClose(s.grad!, [0, 0, 0, 0, 0, 0], 1e-7, 0);
});

const cases: [string, (x: Tensor) => Tensor, (shape: number[], seed: number) => Tensor][] = [
  ['sigmoid', ops.sigmoid, rnd],
  ['tanh', ops.tanh, rnd],
  ['relu', ops.relu, awayFromZero],
  ['leakyRelu 0.2', (x) => ops.leakyRelu(x, 0.2), awayFromZero],
  ['elu', (x) => ops.elu(x), awayFromZero],
  ['elu alpha 0.5', (x) => ops.elu(x, 0.5), awayFromZero],
  ['gelu', ops.gelu, rnd],
  ['softplus', ops.softplus, (s, k) => ops.mul(rnd(s, k), 3)],
  // β 2, threshold 1: values on both sides of βx = 1, none near it
  ['softplus beta 2 threshold 1', (x) => ops.softplus(x, 2, 1), (s, k) => ops.add(ops.mul(awayFromZero(s, k), 0.5), 0.5)],
  ['softmax last', (x) => ops.softmax(x), rnd],
  ['softmax dim 0', (x) => ops.softmax(x, 0), rnd],
  ['logSoftmax last', (x) => ops.logSoftmax(x, -1), rnd],
  ['logSoftmax dim 0', (x) => ops.logSoftmax(x, 0), rnd],
];

for (const [name, f, make] of cases) {
  test(`gradcheck ${name}: contiguous, transposed and narrowed inputs`, () => {
    gradcheck(f, [make([3, 4], 2)]);
    gradcheck(f, [transposedLeaf(3, 4, 3, make)]);
    gradcheck(f, [narrowedLeaf([2, 3], 4, make)]);
  });
}

test('gradcheck softmax and logSoftmax over the middle axis of a 3-D input', () => {
  gradcheck((x) => ops.softmax(x, 1), [rnd([2, 3, 4], 5)]);
  gradcheck((x) => ops.logSoftmax(x, -2), [rnd([2, 3, 4], 6)]);
});

test('softplus above the threshold is the identity with gradient 1', () => {
  const x = tensor([25, 40]).requiresGrad_();
  ops.sum(ops.softplus(x)).backward();
  assertValues(x.grad!, [1, 1]);
});

test('softmax: errors name the op', () => {
  assert.throws(() => ops.softmax(tensor(1)), { message: 'softmax: expected at least 1 dimension' });
  assert.throws(() => ops.logSoftmax(tensor([1, 2]), 1), { message: 'logSoftmax: axis 1 is out of range for a tensor with 1 dimension' });
});
