import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as F from '../../src/autograd/ops/index.js';
import { backward } from '../../src/autograd/engine.js';
import { broadcastShapes, normAxis } from '../../src/tensor/shape.js';
import { ones, tensor, zeros } from '../../src/tensor/creation.js';

test('broadcastShapes follows the NumPy rules', () => {
  assert.deepEqual(broadcastShapes('op', [2, 1, 3], [4, 1]), [2, 4, 3]);
  assert.deepEqual(broadcastShapes('op', [], [3, 2]), [3, 2]);
  assert.deepEqual(broadcastShapes('op', [5, 1], [1]), [5, 1]);
  assert.deepEqual(broadcastShapes('op', [0, 3], [1, 3]), [0, 3]);
  assert.throws(() => broadcastShapes('op', [0, 3], [2, 3]), /op: shapes \[0,3\] and \[2,3\] cannot be broadcast together \(dimension 0: 0 vs 2\)/);
});

test('broadcast error messages name the op, both shapes and the dimension', () => {
  const a = zeros([2, 3]), b = zeros([4]);
  assert.throws(() => F.add(a, b), { message: 'add: shapes [2,3] and [4] cannot be broadcast together (dimension 1: 3 vs 4)' });
  assert.throws(() => F.mul(zeros([2, 3, 4]), zeros([3, 3, 1])), { message: 'mul: shapes [2,3,4] and [3,3,1] cannot be broadcast together (dimension 0: 2 vs 3)' });
  assert.throws(() => F.sub(a, zeros([3, 1])), /^Error: sub: shapes \[2,3\] and \[3,1\]/);
  assert.throws(() => F.div(a, b), /^Error: div: shapes/);
});

test('broadcast values: [2,1,3] + [4,1] and scalars', () => {
  const a = tensor([[[1, 2, 3]], [[10, 20, 30]]]); // [2,1,3]
  const b = tensor([[100], [200], [300], [400]]); // [4,1]
  const c = F.add(a, b);
  assert.deepEqual(c.shape, [2, 4, 3]);
  const ca = c.toArray() as number[][][];
  const av = a.toArray() as number[][][], bv = b.toArray() as number[][];
  for (let i = 0; i < 2; i++) for (let j = 0; j < 4; j++) for (let k = 0; k < 3; k++) assert.equal(ca[i][j][k], av[i][0][k] + bv[j][0]);
  assert.deepEqual(F.mul(tensor([1, 2, 3]), 2).toArray(), [2, 4, 6]);
  assert.deepEqual(F.sub(10, tensor([1, 2])).toArray(), [9, 8]);
  assert.deepEqual(F.div(tensor([[2], [4]]), tensor([1, 2])).toArray(), [[2, 1], [4, 2]]);
  assert.deepEqual(F.add(tensor(5), ones([2, 2])).toArray(), [[6, 6], [6, 6]]);
});

test('gradient of a broadcast op sums back to each input shape', () => {
  const a = tensor([[1, 2, 3]]).requiresGrad_(); // [1,3]
  const b = tensor([[1], [2]]).requiresGrad_(); // [2,1]
  backward(F.sum(F.mul(a, b)));
  assert.deepEqual(a.grad!.toArray(), [[3, 3, 3]]); // Σ_j b_j
  assert.deepEqual(b.grad!.toArray(), [[6], [6]]); // Σ_k a_k
});

test('dtype errors: int32 into matmul and into requiresGrad', () => {
  const i = tensor([[1, 2], [3, 4]], { dtype: 'int32' });
  const f = tensor([[1, 0], [0, 1]]);
  assert.throws(() => F.matmul(i, f), { message: 'matmul: first operand must be float32 or float64, got int32 (shape [2,2])' });
  assert.throws(() => F.matmul(f, i), { message: 'matmul: second operand must be float32 or float64, got int32 (shape [2,2])' });
  assert.throws(() => i.requiresGrad_(), /requiresGrad_: only float32 and float64 tensors can require gradients \(got int32\)/);
  assert.throws(() => F.matmul(zeros([2, 3]), zeros([2, 3])), { message: 'matmul: cannot multiply [2,3] by [2,3]' });
  assert.deepEqual(F.matmul(tensor([[1, 2], [3, 4]]), tensor([[5], [6]])).toArray(), [[17], [39]]);
});

test('normAxis accepts negative axes and rejects out-of-range ones', () => {
  assert.equal(normAxis('sum', -1, 3), 2);
  assert.equal(normAxis('sum', 0, 1), 0);
  assert.throws(() => normAxis('sum', -4, 3), { message: 'sum: axis -4 is out of range for a tensor with 3 dimensions' });
  assert.throws(() => normAxis('sum', 1, 1), { message: 'sum: axis 1 is out of range for a tensor with 1 dimension' });
  assert.throws(() => normAxis('sum', 0.5, 2), /sum: axis must be an integer, got 0\.5/);
});
