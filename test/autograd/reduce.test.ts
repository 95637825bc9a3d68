import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ops from '../../src/autograd/index.js';
import { gradcheck } from './check.js';
import { tensor } from '../../src/tensor/creation.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { assertClose, assertValues, distinct, narrowedLeaf, rnd, transposedLeaf } from './helpers.js';

const m = () => tensor([[1, 5, 3], [4, 2, 6]]);

test('reductions: hand-computed values over all, one and several axes', () => {
  assertValues(ops.sum(m()), 21);
  assertValues(ops.sum(m(), 0), [5, 7, 9]);
  assertValues(ops.sum(m(), 1, true), [[9], [12]]);
  assertValues(ops.sum(m(), [0, 1]), 21);
  assertValues(ops.mean(m(), -1), [3, 4]);
  assertValues(ops.max(m(), 1), [5, 6]);
  assertValues(ops.min(m(), 0), [1, 2, 3]);
  assertValues(ops.max(m()), 6);
  assertValues(ops.argmax(m(), 1), [1, 2]);
  assertValues(ops.argmin(m(), 0, true), [[0, 1, 0]]);
  assertValues(ops.argmax(m()), 5);
  // unbiased (default) and population variance of [1,5,3] (mean 3): squares sum to 8
  assertValues(ops.variance(tensor([1, 5, 3])), 4);
  assertClose(ops.variance(tensor([1, 5, 3]), undefined, false, 0), [8 / 3]);
  assertClose(ops.logsumexp(tensor([[0, Math.log(3)], [1000, 1000]]), 1), [Math.log(4), 1000 + Math.LN2]);
  assertValues(ops.cumsum(m(), 1), [[1, 6, 9], [4, 6, 12]]);
  assertValues(ops.cumsum(m(), 0), [[1, 5, 3], [5, 7, 9]]);
  // a reduction over a transposed view reads it in logical order
  assertValues(ops.sum(ops.transpose(m()), 1), [5, 7, 9]);
  assertValues(ops.sum(ops.transpose(m()), 0), [9, 12]);
});

test('reductions: hand-computed gradients (max splits ties evenly)', () => {
  const x = tensor([[1, 3, 3], [2, 0, 1]]).requiresGrad_();
  ops.sum(ops.max(x, 1)).backward();
  assertValues(x.grad!, [[0, 0.5, 0.5], [1, 0, 0]]);
  const y = tensor([[1, 2], [3, 4]]).requiresGrad_();
  ops.sum(ops.mean(y, 0)).backward();
  assertValues(y.grad!, [[0.5, 0.5], [0.5, 0.5]]);
  const z = tensor([1, 2, 3]).requiresGrad_();
  ops.sum(ops.mul(ops.cumsum(z, 0), tensor([1, 10, 100]))).backward();
  assertValues(z.grad!, [111, 110, 100]);
});

const axisCases: [string, number | number[] | undefined, boolean][] = [
  ['all axes', undefined, false],
  ['axis 0', 0, false],
  ['last axis keepdim', -1, true],
  ['axes [0,2]', [0, 2], false],
  ['axes [1,2] keepdim', [1, 2], true],
];

for (const [name, axes, keepdim] of axisCases) {
  test(`gradcheck sum, mean, variance, logsumexp, max, min: ${name}`, () => {
    const shape = [2, 3, 4];
    gradcheck((x) => ops.sum(x, axes, keepdim), [rnd(shape, 1)]);
    gradcheck((x) => ops.mean(x, axes, keepdim), [rnd(shape, 2)]);
    gradcheck((x) => ops.variance(x, axes, keepdim), [rnd(shape, 3)]);
    gradcheck((x) => ops.variance(x, axes, keepdim, 0), [rnd(shape, 4)]);
    gradcheck((x) => ops.logsumexp(x, axes, keepdim), [rnd(shape, 5)]);
    gradcheck((x) => ops.max(x, axes, keepdim), [distinct(shape, 6)]);
    gradcheck((x) => ops.min(x, axes, keepdim), [distinct(shape, 7)]);
  });
}

const layouts: [string, (seed: number, make?: (s: number[], k: number) => Tensor) => Tensor][] = [
  ['transposed', (k, make) => transposedLeaf(3, 4, k, make)],
  ['narrowed', (k, make) => narrowedLeaf([3, 4], k, make)],
];

for (const [name, leaf] of layouts) {
  test(`gradcheck reductions on a ${name} input`, () => {
    for (const axes of [0, 1, undefined]) {
      gradcheck((x) => ops.sum(x, axes), [leaf(10)]);
      gradcheck((x) => ops.mean(x, axes, true), [leaf(11)]);
      gradcheck((x) => ops.variance(x, axes), [leaf(12)]);
      gradcheck((x) => ops.logsumexp(x, axes), [leaf(13)]);
      gradcheck((x) => ops.max(x, axes), [leaf(14, distinct)]);
      gradcheck((x) => ops.min(x, axes), [leaf(15, distinct)]);
    }
    gradcheck((x) => ops.cumsum(x, 0), [leaf(16)]);
    gradcheck((x) => ops.cumsum(x, -1), [leaf(17)]);
  });
}

test('gradcheck cumsum over each axis of a 3-D input', () => {
  for (const axis of [0, 1, 2]) gradcheck((x) => ops.cumsum(x, axis), [rnd([2, 3, 4], 20 + axis)]);
});

test('gradcheck reductions of an expanded view (gradient summed over the broadcast)', () => {
  gradcheck((x) => ops.sum(ops.expand(x, [3, 4]), 0), [rnd([1, 4], 30)]);
  gradcheck((x) => ops.mean(ops.expand(x, [2, 3, 4]), [0, 2]), [rnd([3, 1], 31)]);
});

test('sumToShape: sums broadcast axes back', () => {
  assertValues(ops.sumToShape(tensor([[1, 2], [3, 4], [5, 6]]), [1, 2]), [[9, 12]]);
  assertValues(ops.sumToShape(tensor([[1, 2], [3, 4], [5, 6]]), [3, 1]), [[3], [7], [11]]);
  assertValues(ops.sumToShape(tensor([[1, 2], [3, 4]]), []), 10);
});

test('reductions: errors name the op and the bad axis', () => {
  assert.throws(() => ops.sum(m(), 2), { message: 'sum: axis 2 is out of range for a tensor with 2 dimensions' });
  assert.throws(() => ops.mean(m(), [0, 0]), { message: 'mean: axis 0 appears more than once in [0,0]' });
  assert.throws(() => ops.max(tensor([[], []]), 1), { message: 'max: cannot reduce over an empty dimension (input shape [2,0])' });
  assert.throws(() => ops.cumsum(m(), 1.5), { message: 'cumsum: axis must be an integer, got 1.5' });
  assert.throws(() => ops.argmax(m(), -3), { message: 'argmax: axis -3 is out of range for a tensor with 2 dimensions' });
});
