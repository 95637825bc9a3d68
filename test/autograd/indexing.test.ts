import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ops from '../../src/autograd/index.js';
import { gradcheck } from './check.js';
import { tensor } from '../../src/tensor/creation.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { assertValues, distinct, narrowedLeaf, rnd, transposedLeaf } from './helpers.js';
import { topkKernel } from '../../src/backend/js/indexing.js';
import { Generator } from '../../src/tensor/rng.js';

const idx = (values: number[], shape?: number[]) => new Tensor(Int32Array.from(values), shape ?? [values.length]);
const m = () => tensor([[1, 2, 3], [4, 5, 6]]);

test('indexSelect, embedding, gather, scatterAdd, oneHot: hand-computed values', () => {
  assertValues(ops.indexSelect(m(), 1, idx([2, 0, 2])), [[3, 1, 3], [6, 4, 6]]);
  assertValues(ops.indexSelect(m(), 0, idx([1])), [[4, 5, 6]]);
  assertValues(ops.embedding(m(), idx([1, 0, 1], [1, 3])), [[[4, 5, 6], [1, 2, 3], [4, 5, 6]]]);
  assertValues(ops.gather(m(), 1, idx([2, 0, 1, 1], [2, 2])), [[3, 1], [5, 5]]);
  assertValues(ops.gather(m(), 0, idx([1, 0, 1], [1, 3])), [[4, 2, 6]]);
  assertValues(ops.scatterAdd(m(), 1, idx([0, 0, 2, 1], [2, 2]), tensor([[10, 20], [30, 40]])), [[31, 2, 3], [4, 45, 36]]);
  assertValues(ops.oneHot(idx([2, 0]), 3), [[0, 0, 1], [1, 0, 0]]);
});

test('topk and sort: hand-computed values and indices', () => {
  const x = tensor([[3, 1, 4, 1.5], [9, 2, 6, 5]]);
  const top = ops.topk(x, 2);
  assertValues(top.values, [[4, 3], [9, 6]]);
  assertValues(top.indices, [[2, 0], [0, 2]]);
  const low = ops.topk(x, 1, 0, false);
  assertValues(low.values, [[3, 1, 4, 1.5]]);
  assertValues(low.indices, [[0, 0, 0, 0]]);
  const s = ops.sort(tensor([3, 1, 2]));
  assertValues(s.values, [1, 2, 3]);
  assertValues(s.indices, [1, 2, 0]);
  assertValues(ops.sort(tensor([3, 1, 2]), 0, true).values, [3, 2, 1]);
});

test('indexing gradients: repeated indices accumulate; embedding padding rows get none', () => {
  const x = m().requiresGrad_();
  ops.sum(ops.indexSelect(x, 1, idx([2, 0, 2]))).backward();
  assertValues(x.grad!, [[1, 0, 2], [1, 0, 2]]);
  const w = m().requiresGrad_();
  ops.sum(ops.embedding(w, idx([1, 0, 1, 1]), 0)).backward();
  assertValues(w.grad!, [[0, 0, 0], [3, 3, 3]]);
  const g = m().requiresGrad_();
  ops.sum(ops.gather(g, 1, idx([2, 2, 0, 1], [2, 2]))).backward();
  assertValues(g.grad!, [[0, 0, 2], [1, 1, 0]]);
});

test('gradcheck indexSelect along each axis, with repeats, on non-contiguous inputs', () => {
  const i = idx([2, 0, 2, 1]);
  gradcheck((x) => ops.indexSelect(x, 0, i), [rnd([3, 4], 1)]);
  gradcheck((x) => ops.indexSelect(x, 1, i), [transposedLeaf(3, 4, 2)]);
  gradcheck((x) => ops.indexSelect(x, -1, idx([3, 3])), [narrowedLeaf([2, 3, 4], 3)]);
});

test('gradcheck embedding (2-D indices) and gather/scatterAdd along each axis', () => {
  gradcheck((w) => ops.embedding(w, idx([1, 0, 4, 1, 1, 3], [2, 3])), [rnd([5, 3], 4)]);
  gradcheck((w) => ops.embedding(w, idx([2, 2])), [transposedLeaf(3, 2, 5)]);
  const i1 = idx([0, 2, 2, 1, 0, 0], [2, 3]);
  gradcheck((x) => ops.gather(x, 1, i1), [rnd([2, 4], 6)]);
  gradcheck((x) => ops.gather(x, 0, idx([1, 0, 1, 1, 1, 0, 0, 0], [2, 4])), [transposedLeaf(2, 4, 7)]);
  gradcheck((x, s) => ops.scatterAdd(x, 1, i1, s), [rnd([2, 4], 8), rnd([2, 3], 9)]);
  gradcheck((x, s) => ops.scatterAdd(x, 0, idx([1, 0, 1, 1], [1, 4]), s), [narrowedLeaf([2, 4], 10), rnd([1, 4], 11)]);
});

test('gradcheck topk and sort (distinct values) along each axis', () => {
  gradcheck((x) => ops.topk(x, 2).values, [distinct([3, 4], 12)]);
  gradcheck((x) => ops.topk(x, 2, 0, false).values, [distinct([3, 4], 13)]);
  gradcheck((x) => ops.topk(x, 2, 1).values, [distinct([2, 3, 4], 14)]);
  gradcheck((x) => ops.sort(x, 0).values, [transposedLeaf(3, 4, 15, distinct)]);
  gradcheck((x) => ops.sort(x, -1, true).values, [narrowedLeaf([2, 5], 16, distinct)]);
});

test('indexing: errors name the op and the bad index', () => {
  assert.throws(() => ops.indexSelect(m(), 1, idx([3])), { message: 'indexSelect: index 3 (at position 0) is out of range for dimension 1 of size 3' });
  assert.throws(() => ops.indexSelect(m(), 1, tensor([1])), { message: 'indexSelect: index must be int32, got float32 (shape [1])' });
  assert.throws(() => ops.indexSelect(m(), 0, idx([0, 1], [1, 2])), { message: 'indexSelect: index must be 1-D, got shape [1,2]' });
  assert.throws(() => ops.embedding(m(), idx([-1])), { message: 'embedding: index -1 (at position 0) is out of range for an embedding table of size 2' });
  assert.throws(() => ops.embedding(tensor([1, 2]), idx([0])), { message: 'embedding: weight must be 2-D [num, dim], got [2]' });
  assert.throws(() => ops.gather(m(), 1, idx([0, 1])), { message: 'gather: index must have as many dimensions as the input (2), got [2]' });
  assert.throws(() => ops.gather(m(), 1, idx([0, 1, 2], [3, 1])), {
    message: 'gather: index shape [3,1] must match input shape [2,3] outside dimension 1',
  });
  assert.throws(() => ops.scatterAdd(m(), 1, idx([0, 1], [2, 1]), tensor([[1, 2]])), {
    message: 'scatterAdd: src shape [1,2] must equal index shape [2,1]',
  });
  assert.throws(() => ops.topk(m(), 4), { message: 'topk: k = 4 is out of range for dimension -1 of size 3' });
  assert.throws(() => ops.oneHot(idx([3]), 3), { message: 'oneHot: index 3 (at position 0) is out of range for numClasses of size 3' });
});

test('topk kernel: the one-pass selection for small k equals the stable full sort, ties, NaN and infinities included', () => {
  const g = new Generator(7);
  const rows = 6, cols = 50;
  const x = new Float32Array(rows * cols);
  const specials = [NaN, Infinity, -Infinity, 0, -0];
  for (let i = 0; i < x.length; i++) {
    const u = g.random();
    x[i] = u < 0.1 ? specials[Math.floor(g.random() * specials.length)] : Math.floor(g.random() * 7) - 3; // many ties
  }
  for (const largest of [true, false]) {
    const allV = new Float32Array(rows * cols), allI = new Int32Array(rows * cols);
    topkKernel(x, rows, cols, cols, largest, allV, allI); // k > 32: the sort
    for (const k of [1, 5, 32]) {
      const v = new Float32Array(rows * k), ix = new Int32Array(rows * k);
      topkKernel(x, rows, cols, k, largest, v, ix);
      for (let r = 0; r < rows; r++) {
        assert.deepEqual(Array.from(ix.subarray(r * k, (r + 1) * k)), Array.from(allI.subarray(r * cols, r * cols + k)), `row ${r} k ${k} largest ${largest}`);
        assert.deepEqual(Array.from(v.subarray(r * k, (r + 1) * k)), Array.from(allV.subarray(r * cols, r * cols + k)));
      }
    }
  }
});
