import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ops from '../../src/autograd/index.js';
import { scalar } from '../../src/autograd/index.js';
import { gradcheck } from './check.js';
import { tensor } from '../../src/tensor/creation.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { assertClose, assertValues, awayFromZero, distinct, narrowedLeaf, rnd, transposedLeaf, uni } from './helpers.js';

// ---- forward values -----------------------------------------------------------------------------

test('arithmetic: hand-computed values with broadcasting and scalars', () => {
  const col = tensor([[1], [2], [3]]); // [3,1]
  const row = tensor([10, 20]); // [2]
  assertValues(ops.add(col, row), [[11, 21], [12, 22], [13, 23]]);
  assertValues(ops.sub(col, row), [[-9, -19], [-8, -18], [-7, -17]]);
  assertValues(ops.mul(col, row), [[10, 20], [20, 40], [30, 60]]);
  assertValues(ops.div(row, col), [[10, 20], [5, 10], [10 / 3, 20 / 3].map(Math.fround)]);
  assertValues(ops.add(col, 1), [[2], [3], [4]]);
  assertValues(ops.sub(1, col), [[0], [-1], [-2]]);
  assertValues(ops.sub(col, 1), [[0], [1], [2]]);
  assertValues(ops.mul(2, row), [20, 40]);
  assertValues(ops.div(6, col), [[6], [3], [2]]);
  assertValues(ops.div(row, 4), [2.5, 5]);
  assertValues(ops.pow(tensor([2, 3]), 2), [4, 9]);
  assertValues(ops.pow(tensor([2, 3]), tensor([3, 0.5])), [8, Math.fround(Math.sqrt(3))]);
  assertValues(ops.add(scalar(1), scalar(2)), 3);
});

test('unary math: hand-computed values', () => {
  const x = tensor([1, 4, 0.25]);
  assertValues(ops.sqrt(x), [1, 2, 0.5]);
  assertValues(ops.rsqrt(x), [1, 0.5, 2]);
  assertValues(ops.reciprocal(x), [1, 0.25, 4]);
  assertValues(ops.square(x), [1, 16, 0.0625]);
  assertValues(ops.neg(x), [-1, -4, -0.25]);
  assertValues(ops.abs(tensor([-2, 0, 3])), [2, 0, 3]);
  assertValues(ops.sign(tensor([-2, 0, 3])), [-1, 0, 1]);
  assertClose(ops.exp(tensor([0, 1, -1])), [1, Math.E, 1 / Math.E]);
  assertClose(ops.log(tensor([1, Math.E, 0.5])), [0, 1, Math.log(0.5)]);
  assertClose(ops.log1p(tensor([0, 1e-7, 1])), [0, 1e-7, Math.log(2)], 1e-12);
  assertClose(ops.sin(tensor([0, Math.PI / 2])), [0, 1]);
  assertClose(ops.cos(tensor([0, Math.PI])), [1, -1]);
  assertValues(ops.clamp(tensor([-2, 0.5, 3]), -1, 1), [-1, 0.5, 1]);
  assertValues(ops.clamp(tensor([-2, 0.5, 3]), null, 1), [-2, 0.5, 1]);
  assertValues(ops.minimum(tensor([1, 5]), tensor([[3], [0]])), [[1, 3], [0, 0]]);
  assertValues(ops.maximum(tensor([1, 5]), 2), [2, 5]);
});

test('where, maskedFill and comparisons: hand-computed values', () => {
  const cond = tensor([[1], [0]]);
  assertValues(ops.where(cond, tensor([1, 2, 3]), -1), [[1, 2, 3], [-1, -1, -1]]);
  assertValues(ops.maskedFill(tensor([[1, 2], [3, 4]]), tensor([0, 1]), -9), [[1, -9], [3, -9]]);
  assertValues(ops.gt(tensor([1, 2, 3]), 2), [0, 0, 1]);
  assertValues(ops.le(tensor([1, 2, 3]), tensor([3, 2, 1])), [1, 1, 0]);
  assertValues(ops.eq(tensor([1, 2]), tensor([1, 3])), [1, 0]);
  assertValues(ops.ne(tensor([1, 2]), 2), [1, 0]);
});

// ---- gradients ----------------------------------------------------------------------------------

const binaryCases: [string, number[], number[]][] = [
  ['same shape', [2, 3], [2, 3]],
  ['[3,1] and [4]', [3, 1], [4]],
  ['[2,1,4] and [3,1]', [2, 1, 4], [3, 1]],
  ['0-d and [2,3]', [], [2, 3]],
];

for (const [name, sa, sb] of binaryCases) {
  test(`gradcheck add, sub, mul, minimum, maximum: ${name}`, () => {
    for (const f of [ops.add, ops.sub, ops.mul]) gradcheck((a, b) => f(a, b), [rnd(sa, 1), rnd(sb, 2)]);
    // values from one shuffled grid: no ties between the operands
    const both = distinct([sa.reduce((p, d) => p * d, 1) + sb.reduce((p, d) => p * d, 1)], 3).values();
    const n = sa.reduce((p, d) => p * d, 1);
    const a = tensor(both.slice(0, n), { shape: sa });
    const b = tensor(both.slice(n), { shape: sb });
    gradcheck((x, y) => ops.minimum(x, y), [a, b]);
    gradcheck((x, y) => ops.maximum(x, y), [a, b]);
  });
  test(`gradcheck div and pow: ${name}`, () => {
    gradcheck((a, b) => ops.div(a, b), [rnd(sa, 4), uni(sb, 0.5, 2, 5)]);
    gradcheck((a, b) => ops.pow(a, b), [uni(sa, 0.5, 2, 6), rnd(sb, 7)]);
  });
}

test('gradcheck scalar operands on either side', () => {
  const x = () => uni([2, 3], 0.5, 2, 8);
  gradcheck((a) => ops.add(a, 3), [x()]);
  gradcheck((a) => ops.add(3, a), [x()]);
  gradcheck((a) => ops.sub(a, 3), [x()]);
  gradcheck((a) => ops.sub(3, a), [x()]);
  gradcheck((a) => ops.mul(a, -1.5), [x()]);
  gradcheck((a) => ops.mul(-1.5, a), [x()]);
  gradcheck((a) => ops.div(a, 4), [x()]);
  gradcheck((a) => ops.div(2, a), [x()]);
  gradcheck((a) => ops.pow(a, 3), [x()]);
  gradcheck((a) => ops.pow(a, -0.5), [x()]);
  gradcheck((a) => ops.maximum(a, 1.25), [tensor([0.6, 0.9, 1.5, 1.8], { dtype: 'float64' })]);
});

const unaryCases: [string, (x: Tensor) => Tensor, (shape: number[], seed: number) => Tensor][] = [
  ['neg', ops.neg, rnd],
  ['exp', ops.exp, rnd],
  ['log', ops.log, (s, k) => uni(s, 0.5, 2, k)],
  ['log1p', ops.log1p, (s, k) => uni(s, -0.4, 2, k)],
  ['sqrt', ops.sqrt, (s, k) => uni(s, 0.5, 2, k)],
  ['rsqrt', ops.rsqrt, (s, k) => uni(s, 0.5, 2, k)],
  ['square', ops.square, rnd],
  ['reciprocal', ops.reciprocal, (s, k) => uni(s, 0.5, 2, k)],
  ['abs', ops.abs, awayFromZero],
  ['sign', ops.sign, awayFromZero],
  ['sin', ops.sin, rnd],
  ['cos', ops.cos, rnd],
  ['clamp [-0.5, 0.5]', (x) => ops.clamp(x, -0.5, 0.5), (s, k) => awayFromBounds(s, k)],
  ['clamp min only', (x) => ops.clamp(x, -0.5), (s, k) => awayFromBounds(s, k)],
  ['clamp max only', (x) => ops.clamp(x, null, 0.5), (s, k) => awayFromBounds(s, k)],
];

/** Values at least 0.1 away from ±0.5 (the clamp bounds). */
function awayFromBounds(shape: number[], seed: number): Tensor {
  const t = awayFromZero(shape, seed);
  const d = t.data as Float32Array;
  for (let i = 0; i < d.length; i++) if (Math.abs(Math.abs(d[i]) - 0.5) < 0.1) d[i] *= 2;
  return t;
}

for (const [name, f, make] of unaryCases) {
  test(`gradcheck ${name}: contiguous, transposed and narrowed inputs`, () => {
    gradcheck(f, [make([2, 3, 2], 10)]);
    gradcheck(f, [transposedLeaf(3, 4, 11, make)]);
    gradcheck(f, [narrowedLeaf([2, 3], 12, make)]);
  });
}

test('gradcheck binary ops on non-contiguous and expanded operands', () => {
  const a = transposedLeaf(3, 4, 13);
  const b = narrowedLeaf([3, 4], 14, (s, k) => uni(s, 0.5, 2, k));
  for (const f of [ops.add, ops.sub, ops.mul, ops.div]) gradcheck((x, y) => f(x, y), [a, b]);
  // an expanded view as an operand: its gradient is summed back over the broadcast axis
  gradcheck((x, y) => ops.mul(ops.expand(x, [3, 4]), y), [rnd([1, 4], 15), transposedLeaf(3, 4, 16)]);
  gradcheck((x, y) => ops.div(y, ops.expand(x, [2, 3, 4])), [uni([3, 1], 0.5, 2, 17), rnd([2, 3, 4], 18)]);
});

test('gradcheck where and maskedFill (both branches, broadcast condition)', () => {
  const cond = tensor([[1, 0, 1, 0], [0, 0, 1, 1], [1, 1, 0, 0]]);
  gradcheck((a, b) => ops.where(cond, a, b), [rnd([3, 4], 19), rnd([4], 20)]);
  gradcheck((a) => ops.where(tensor([1, 0, 1]), a, 0.5), [transposedLeaf(2, 3, 21)]);
  gradcheck((a) => ops.maskedFill(a, tensor([[0], [1], [0]]), 7), [rnd([3, 4], 22)]);
  gradcheck((a) => ops.maskedFill(a, tensor([1, 0, 0, 1]), -7), [transposedLeaf(3, 4, 23)]);
  gradcheck((a, b) => ops.where(ops.transpose(tensor([[1, 0, 0], [0, 1, 1]])), a, b), [narrowedLeaf([3, 2], 24), transposedLeaf(3, 2, 25)]);
});

test('gradients: hand-computed values for a small expression', () => {
  // f = sum(a·b + a/b) with a = [1, 2], b = [4, 0.5]: df/da = b + 1/b, df/db = a - a/b²
  const a = tensor([1, 2]).requiresGrad_();
  const b = tensor([4, 0.5]).requiresGrad_();
  ops.sum(ops.add(ops.mul(a, b), ops.div(a, b))).backward();
  assertValues(a.grad!, [4.25, 2.5]);
  assertValues(b.grad!, [1 - 1 / 16, 2 - 8]);
  // broadcasting: the gradient of a [3,1] operand sums over the broadcast axis
  const c = tensor([[1], [2], [3]]).requiresGrad_();
  ops.sum(ops.mul(c, tensor([1, 2, 3, 4]))).backward();
  assertValues(c.grad!, [[10], [10], [10]]);
  // ties in maximum split the gradient
  const p = tensor([1, 2]).requiresGrad_();
  const q = tensor([1, 3]).requiresGrad_();
  ops.sum(ops.maximum(p, q)).backward();
  assertValues(p.grad!, [0.5, 0]);
  assertValues(q.grad!, [0.5, 1]);
});

test('elementwise: errors name the op and the shapes', () => {
  assert.throws(() => ops.add(tensor([1, 2, 3]), tensor([1, 2])), {
    message: 'add: shapes [3] and [2] cannot be broadcast together (dimension 0: 3 vs 2)',
  });
  assert.throws(() => ops.mul(rnd([2, 3], 1), rnd([3, 2], 2)), {
    message: 'mul: shapes [2,3] and [3,2] cannot be broadcast together (dimension 0: 2 vs 3)',
  });
  assert.throws(() => ops.clamp(tensor([1])), { message: 'clamp: at least one of min and max must be given' });
  assert.throws(() => ops.clamp(tensor([1]), 2, 1), { message: 'clamp: min (2) is greater than max (1)' });
  assert.throws(() => ops.maskedFill(tensor([1, 2]), tensor([[1], [0]]), 0), {
    message: "maskedFill: mask of shape [2,1] must broadcast to the input's shape [2]",
  });
  assert.throws(() => ops.assertFinite(tensor([1, NaN]), 'loss'), { message: 'loss: found NaN at flat index 1 of a tensor of shape [2]' });
});
