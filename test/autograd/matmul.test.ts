import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ops from '../../src/autograd/index.js';
import { gradcheck } from './check.js';
import { tensor, zeros } from '../../src/tensor/creation.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { assertClose, assertValues, narrowedLeaf, rnd, transposedLeaf } from './helpers.js';

const a23 = () => tensor([[1, 2, 3], [4, 5, 6]]);
const b32 = () => tensor([[1, 0], [0, 1], [2, -1]]);

test('matmul: hand-computed products with 1-D promotion', () => {
  assertValues(ops.matmul(a23(), b32()), [[7, -1], [16, -1]]);
  assertValues(ops.matmul(tensor([1, 1]), a23()), [5, 7, 9]);
  assertValues(ops.matmul(a23(), tensor([1, 0, -1])), [-2, -2]);
  assertValues(ops.matmul(tensor([1, 2, 3]), tensor([4, 5, 6])), 32);
  assertValues(ops.outer(tensor([1, 2]), tensor([3, 4, 5])), [[3, 4, 5], [6, 8, 10]]);
  assertValues(ops.bmm(tensor([[[1, 2]], [[3, 4]]]), tensor([[[1], [1]], [[2], [0]]])), [[[3]], [[6]]]);
  // transposed operand read through its strides
  assertValues(ops.matmul(ops.transpose(b32()), ops.transpose(a23())), [[7, 16], [-1, -1]]);
});

test('matmul: batch broadcasting matches per-matrix products', () => {
  const a = rnd([2, 1, 3, 4], 1);
  const b = rnd([3, 4, 2], 2);
  const out = ops.matmul(a, b);
  assert.deepEqual(out.shape, [2, 3, 3, 2]);
  for (let i = 0; i < 2; i++) {
    for (let j = 0; j < 3; j++) {
      const expected = ops.matmul(ops.select(ops.select(a, 0, i), 0, 0), ops.select(b, 0, j));
      assertClose(ops.select(ops.select(out, 0, i), 0, j), expected.values() as Float32Array, 1e-6, 1e-6, `batch ${i},${j}`);
    }
  }
});

test('matmul: hand-computed gradients', () => {
  const a = a23().requiresGrad_();
  const b = b32().requiresGrad_();
  ops.sum(ops.matmul(a, b)).backward();
  // d sum(AB)/dA = 1·Bᵀ (row sums of B), d/dB = Aᵀ·1 (column sums of A)
  assertValues(a.grad!, [[1, 1, 1], [1, 1, 1]]);
  assertValues(b.grad!, [[5, 5], [7, 7], [9, 9]]);
});

const cases: [string, () => Tensor, () => Tensor][] = [
  ['[3,4]·[4,2]', () => rnd([3, 4], 1), () => rnd([4, 2], 2)],
  ['[4]·[4,2] (vector-matrix)', () => rnd([4], 3), () => rnd([4, 2], 4)],
  ['[3,4]·[4] (matrix-vector)', () => rnd([3, 4], 5), () => rnd([4], 6)],
  ['[4]·[4] (dot)', () => rnd([4], 7), () => rnd([4], 8)],
  ['[2,3,4]·[2,4,2] (batched)', () => rnd([2, 3, 4], 9), () => rnd([2, 4, 2], 10)],
  ['[2,1,3,4]·[3,4,2] (broadcast batch)', () => rnd([2, 1, 3, 4], 11), () => rnd([3, 4, 2], 12)],
  ['[2,3,4]·[4,2] (shared right matrix)', () => rnd([2, 3, 4], 13), () => rnd([4, 2], 14)],
  ['[4]·[2,4,3] (vector broadcast over a batch)', () => rnd([4], 15), () => rnd([2, 4, 3], 16)],
  ['transposed · narrowed', () => transposedLeaf(3, 4, 17), () => narrowedLeaf([4, 2], 18)],
  ['narrowed · transposed', () => narrowedLeaf([3, 4], 19), () => transposedLeaf(4, 2, 20)],
  ['[1,4]·[4,1]', () => rnd([1, 4], 21), () => rnd([4, 1], 22)],
];

for (const [name, a, b] of cases) {
  test(`gradcheck matmul ${name}`, () => {
    gradcheck((x, y) => ops.matmul(x, y), [a(), b()]);
  });
}

test('gradcheck matmul of expanded and permuted operands, bmm and outer', () => {
  gradcheck((x, y) => ops.matmul(ops.expand(x, [2, 3, 4]), y), [rnd([3, 4], 23), rnd([2, 4, 2], 24)]);
  gradcheck((x, y) => ops.matmul(ops.permute(x, [1, 0, 2]), y), [rnd([3, 2, 4], 25), rnd([2, 4, 3], 26)]);
  gradcheck((x, y) => ops.bmm(x, ops.transpose(y)), [rnd([2, 3, 4], 27), rnd([2, 5, 4], 28)]);
  gradcheck((x, y) => ops.outer(x, y), [rnd([3], 29), narrowedLeaf([4], 30)]);
  // operands broadcast along rows or columns (stride-0 matrices cannot go to GEMM as they are)
  gradcheck((x, y) => ops.matmul(ops.expand(x, [3, 4]), y), [rnd([1, 4], 32), rnd([4, 2], 33)]);
  gradcheck((x, y) => ops.matmul(x, ops.expand(y, [4, 2])), [rnd([3, 4], 34), rnd([4, 1], 35)]);
  // a single row / column cut from a transposed matrix
  gradcheck((x, y) => ops.matmul(ops.narrow(x, 0, 1, 1), y), [transposedLeaf(3, 4, 36), rnd([4, 2], 37)]);
  gradcheck((x, y) => ops.matmul(y, ops.narrow(x, 1, 2, 1)), [transposedLeaf(4, 3, 38), rnd([2, 4], 39)]);
  // the same tensor on both sides
  gradcheck((x) => ops.matmul(x, ops.transpose(x)), [rnd([3, 4], 31)]);
});

test('matmul: errors name the op and the shapes', () => {
  assert.throws(() => ops.matmul(zeros([64, 256]), zeros([512, 1024])), { message: 'matmul: cannot multiply [64,256] by [512,1024]' });
  assert.throws(() => ops.matmul(zeros([3]), zeros([4])), { message: 'matmul: cannot multiply [3] by [4]' });
  assert.throws(() => ops.matmul(zeros([2, 3, 4]), zeros([3, 4, 5])), {
    message: 'matmul: shapes [2] and [3] cannot be broadcast together (dimension 0: 2 vs 3)',
  });
  assert.throws(() => ops.matmul(tensor(1), zeros([2])), { message: 'matmul: both operands need at least 1 dimension, got [] and [2]' });
  assert.throws(() => ops.matmul(zeros([2, 2], { dtype: 'int32' }), zeros([2, 2])), {
    message: 'matmul: first operand must be float32 or float64, got int32 (shape [2,2])',
  });
  assert.throws(() => ops.bmm(zeros([2, 3, 4]), zeros([3, 4, 5])), { message: 'bmm: expected [B,m,k] and [B,k,n] with the same B, got [2,3,4] and [3,4,5]' });
  assert.throws(() => ops.outer(zeros([2, 1]), zeros([3])), { message: 'outer: expected two 1-D tensors, got [2,1] and [3]' });
});

test('gradcheck matmul with transposed dense operands (gradients computed in the operand layout)', () => {
  gradcheck((x, w) => ops.matmul(x, ops.transpose(w)), [rnd([3, 4], 40), rnd([5, 4], 41)]);
  gradcheck((w, x) => ops.matmul(ops.transpose(w), x), [rnd([4, 3], 42), rnd([4, 2], 43)]);
  gradcheck((w, y) => ops.matmul(ops.transpose(w), y), [rnd([4, 3], 44), rnd([2, 4, 5], 45)]);
  gradcheck((x, w) => ops.matmul(x, ops.transpose(w)), [rnd([2, 3, 4], 46), rnd([5, 4], 47)]);
});

test('matmul: the gradient of a transposed weight reaches the weight row-major', () => {
  const w = rnd([5, 4], 48).requiresGrad_();
  const x = rnd([3, 4], 49).requiresGrad_();
  ops.sum(ops.matmul(x, ops.transpose(w))).backward();
  assert.ok(w.grad!.isContiguous());
  // the GEMM sums the 3 rows in its own order, so compare to float32 rounding rather than bit for bit
  const expected = (ops.sum(x, 0, true).expand([5, 4]).toArray() as number[][]).flat();
  const got = w.grad!.toArray() as number[][];
  got.flat().forEach((v, i) => assert.ok(Math.abs(v - expected[i]) <= 1e-6 * Math.max(1, Math.abs(expected[i])), `grad[${i}] ${v} vs ${expected[i]}`));
});

test('addmm: beta·input + alpha·(a@b) in value and gradient, with a broadcast input', () => {
  const input = rnd([4], 61), a = rnd([3, 5], 62), b = rnd([5, 4], 63);
  const got = ops.addmm(input, a, b, { alpha: 0.5, beta: -2 }).values();
  const want = ops.add(ops.mul(input, -2), ops.mul(ops.matmul(a, b), 0.5)).values();
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i] - want[i]) <= 1e-5 * Math.max(1, Math.abs(want[i])), `[${i}] ${got[i]} vs ${want[i]}`);
  gradcheck((i, x, y) => ops.addmm(i, x, y, { alpha: 0.5, beta: -2 }), [rnd([3, 4], 64), rnd([3, 5], 65), rnd([5, 4], 66)]);
  gradcheck((i, x, y) => ops.addmm(i, ops.transpose(x), y), [rnd([1, 4], 67), rnd([5, 3], 68), rnd([5, 4], 69)]);
  // transposed (column-slice) weights as the second operand, as a recurrent step passes W_hhᵀ
  gradcheck((i, x, y) => ops.addmm(i, x, ops.transpose(y)), [rnd([3, 4], 70), rnd([3, 5], 71), rnd([4, 5], 72)]);
  gradcheck((i, x, y) => ops.addmm(i, x, ops.transpose(ops.narrow(y, 1, 1, 5))), [rnd([3, 4], 73), rnd([3, 5], 74), rnd([4, 7], 75)]);
  assert.throws(() => ops.addmm(rnd([3, 4], 1), rnd([3, 5], 2), rnd([4, 4], 3)), /addmm: cannot multiply \[3,5\] by \[4,4\]/);
});

test('linear: x·Wᵀ + bias equals the matmul composition, for every bias shape and strided weights', () => {
  const x = rnd([2, 3, 4], 80), w = rnd([5, 4], 81);
  const want = ops.add(ops.matmul(x, ops.transpose(w)), rnd([5], 82));
  assertClose(ops.linear(x, w, rnd([5], 82)), want.values(), 1e-6);
  assertClose(ops.linear(x, w), ops.matmul(x, ops.transpose(w)).values(), 1e-6);
  const full = rnd([2, 3, 5], 83);
  assertClose(ops.linear(x, w, full), ops.add(ops.matmul(x, ops.transpose(w)), full).values(), 1e-6);
  gradcheck((xx, ww, bb) => ops.linear(xx, ww, bb), [rnd([3, 4], 84), rnd([5, 4], 85), rnd([5], 86)]);
  gradcheck((xx, ww, bb) => ops.linear(xx, ww, bb), [rnd([2, 3, 4], 87), rnd([5, 4], 88), rnd([2, 1, 5], 89)]);
  // a column slice of a larger weight, a transposed input and no bias
  gradcheck((xx, ww) => ops.linear(ops.transpose(xx), ops.narrow(ww, 1, 1, 4)), [rnd([4, 3], 90), rnd([5, 6], 91)]);
  // empty batch: no rows, zero gradients
  const wz = rnd([5, 4], 92).requiresGrad_();
  ops.sum(ops.linear(zeros([0, 4]), wz)).backward();
  assert.deepEqual(Array.from(wz.grad!.values()), new Array(20).fill(0));
  assert.throws(() => ops.linear(rnd([2, 3], 1), rnd([5, 4], 2)), /linear: input \[2,3\] does not match weight \[5,4\]/);
  assert.throws(() => ops.linear(rnd([2, 4], 1), rnd([5, 4], 2), rnd([4], 3)), /linear: shapes \[4\] and \[2,5\] cannot be broadcast/);
});

test('linear: a weight used at every step sums its gradient in place, equal to the per-step sum', () => {
  const steps = 6, B = 3, nIn = 4, nOut = 5;
  const run = (fused: boolean) => {
    const w = rnd([nOut, nIn + 2], 93).requiresGrad_();
    const wv = ops.narrow(w, 1, 1, nIn); // shared view, as a decoder's context weights
    let h = rnd([B, nIn], 94);
    let loss: Tensor | null = null;
    for (let t = 0; t < steps; t++) {
      const x = rnd([B, nOut], 100 + t);
      const y = fused ? ops.linear(h, wv, x) : ops.add(ops.matmul(h, ops.transpose(wv)), x);
      h = ops.narrow(ops.tanh(y), 1, 0, nIn);
      loss = loss ? ops.add(loss, ops.sum(y)) : ops.sum(y);
    }
    loss!.backward();
    return w.grad!;
  };
  assertClose(run(true), run(false).values(), 1e-5);
});
