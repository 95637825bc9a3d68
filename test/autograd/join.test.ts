import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ops from '../../src/autograd/index.js';
import { gradcheck } from './check.js';
import { tensor } from '../../src/tensor/creation.js';
import { assertValues, narrowedLeaf, rnd, transposedLeaf } from './helpers.js';

test('concat and stack: hand-computed values', () => {
  const a = tensor([[1, 2], [3, 4]]);
  const b = tensor([[5], [6]]);
  assertValues(ops.concat([a, b], 1), [[1, 2, 5], [3, 4, 6]]);
  assertValues(ops.concat([a, tensor([[7, 8]])], 0), [[1, 2], [3, 4], [7, 8]]);
  assertValues(ops.concat([ops.transpose(a), a], -1), [[1, 3, 1, 2], [2, 4, 3, 4]]);
  assertValues(ops.stack([tensor([1, 2]), tensor([3, 4])]), [[1, 2], [3, 4]]);
  assertValues(ops.stack([tensor([1, 2]), tensor([3, 4])], 1), [[1, 3], [2, 4]]);
  assertValues(ops.stack([tensor([1, 2]), tensor([3, 4])], -1), [[1, 3], [2, 4]]);
});

test('split and chunk: hand-computed pieces', () => {
  const x = tensor([[0, 1, 2, 3, 4]]);
  assert.deepEqual(ops.split(x, 2, 1).map((t) => t.toArray()), [[[0, 1]], [[2, 3]], [[4]]]);
  assert.deepEqual(ops.split(x, [1, 4], 1).map((t) => t.toArray()), [[[0]], [[1, 2, 3, 4]]]);
  assert.deepEqual(ops.chunk(x, 2, 1).map((t) => t.toArray()), [[[0, 1, 2]], [[3, 4]]]);
});

test('concat and stack: the gradient is split back to each input', () => {
  const a = tensor([[1, 2], [3, 4]]).requiresGrad_();
  const b = tensor([[5], [6]]).requiresGrad_();
  ops.sum(ops.mul(ops.concat([a, b], 1), tensor([1, 10, 100]))).backward();
  assertValues(a.grad!, [[1, 10], [1, 10]]);
  assertValues(b.grad!, [[100], [100]]);
});

test('gradcheck concat along each axis with mixed layouts', () => {
  gradcheck((a, b) => ops.concat([a, b], 0), [rnd([2, 4], 1), rnd([3, 4], 2)]);
  gradcheck((a, b, c) => ops.concat([a, b, c], 1), [transposedLeaf(3, 2, 3), narrowedLeaf([3, 4], 4), rnd([3, 1], 5)]);
  gradcheck((a, b) => ops.concat([a, b], -1), [rnd([2, 2, 3], 6), rnd([2, 2, 1], 7)]);
  // the same tensor twice: both gradient parts accumulate
  gradcheck((a) => ops.concat([a, ops.square(a)], 0), [rnd([2, 3], 8)]);
});

test('gradcheck stack at each position', () => {
  for (const dim of [0, 1, 2, -1]) gradcheck((a, b) => ops.stack([a, b], dim), [rnd([2, 3], 9), transposedLeaf(2, 3, 10)]);
});

test('gradcheck split and chunk (pieces recombined in another order)', () => {
  gradcheck((x) => {
    const [p, q, r] = ops.split(x, [1, 2, 2], 1);
    return ops.concat([r, ops.mul(p, 2), ops.square(q)], 1);
  }, [rnd([3, 5], 11)]);
  gradcheck((x) => {
    const parts = ops.chunk(x, 3, 0);
    return ops.concat([parts[2], parts[0]], 0);
  }, [transposedLeaf(5, 2, 12)]);
});

test('join: errors name the op and the shapes', () => {
  assert.throws(() => ops.concat([]), { message: 'concat: expected at least one tensor' });
  assert.throws(() => ops.concat([rnd([2, 3], 1), rnd([3, 2], 2)], 0), { message: 'concat: shapes [2,3], [3,2] differ outside dimension 0' });
  assert.throws(() => ops.concat([rnd([2, 3], 1), rnd([2, 3], 2).to('int32')], 0), { message: 'concat: mixed dtypes float64 and int32' });
  assert.throws(() => ops.stack([rnd([2], 1), rnd([3], 2)]), { message: 'stack: all tensors must have the same shape, got [2], [3]' });
  assert.throws(() => ops.split(rnd([4], 1), [1, 2]), { message: 'split: sections [1,2] sum to 3, but dimension 0 has size 4' });
  assert.throws(() => ops.split(rnd([4], 1), 0), { message: 'split: size must be a positive integer, got 0' });
  assert.throws(() => ops.chunk(rnd([4], 1), 0), { message: 'chunk: chunks must be a positive integer, got 0' });
});
