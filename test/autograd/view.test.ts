import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ops from '../../src/autograd/index.js';
import { gradcheck } from './check.js';
import { arange, tensor } from '../../src/tensor/creation.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { assertValues, narrowedLeaf, rnd, transposedLeaf } from './helpers.js';

/** [2,3] holding 0..5. */
const m = () => arange(0, 6, 1, { dtype: 'float32' }).reshape([2, 3]);

test('views: hand-computed values', () => {
  assertValues(ops.reshape(m(), [3, 2]), [[0, 1], [2, 3], [4, 5]]);
  assertValues(ops.reshape(m(), [-1]), [0, 1, 2, 3, 4, 5]);
  assertValues(ops.transpose(m()), [[0, 3], [1, 4], [2, 5]]);
  assertValues(ops.permute(m().reshape([1, 2, 3]), [2, 0, 1]), [[[0, 3]], [[1, 4]], [[2, 5]]]);
  assertValues(ops.narrow(m(), 1, 1, 2), [[1, 2], [4, 5]]);
  assertValues(ops.slice(m(), 1, 0, undefined, 2), [[0, 2], [3, 5]]);
  assertValues(ops.slice(m(), 1, -2), [[1, 2], [4, 5]]);
  assertValues(ops.select(m(), 0, -1), [3, 4, 5]);
  assertValues(ops.expand(tensor([[1], [2]]), [2, 3]), [[1, 1, 1], [2, 2, 2]]);
  assertValues(ops.expand(tensor([1, 2]), [2, -1]), [[1, 2], [1, 2]]);
  assertValues(ops.unsqueeze(tensor([1, 2]), 1), [[1], [2]]);
  assertValues(ops.squeeze(tensor([[[1, 2]]])), [1, 2]);
  assert.deepEqual(ops.squeeze(tensor([[1, 2]]), 1).shape, [1, 2]);
  assertValues(ops.flatten(tensor([[[1, 2]], [[3, 4]]]), 1), [[1, 2], [3, 4]]);
  // reshape of a transposed view copies in logical order
  assertValues(ops.reshape(ops.transpose(m()), [6]), [0, 3, 1, 4, 2, 5]);
});

test('views share storage; contiguous and clone copy', () => {
  const x = m();
  assert.equal(ops.transpose(x).data, x.data);
  assert.equal(ops.narrow(x, 1, 1, 1).data, x.data);
  assert.equal(ops.view(x, [3, 2]).data, x.data);
  const t = ops.transpose(x);
  assert.equal(ops.contiguous(x), x);
  const c = ops.contiguous(t);
  assert.notEqual(c.data, x.data);
  assert.ok(c.isContiguous());
  assertValues(c, [[0, 3], [1, 4], [2, 5]]);
  assert.notEqual(ops.clone(x).data, x.data);
  const d = ops.detach(x.requiresGrad_());
  assert.equal(d.requiresGrad, false);
  assert.equal(d.data, x.data);
});

const viewOps: [string, (x: Tensor) => Tensor][] = [
  ['reshape', (x) => ops.reshape(x, [2, 6])],
  ['reshape -1', (x) => ops.reshape(x, [-1, 2])],
  ['flatten', (x) => ops.flatten(x)],
  ['permute', (x) => ops.permute(x, [1, 0])],
  ['transpose', (x) => ops.transpose(x, 0, 1)],
  ['narrow', (x) => ops.narrow(x, 1, 1, 2)],
  ['slice step 2', (x) => ops.slice(x, 1, 1, undefined, 2)],
  ['slice negative start', (x) => ops.slice(x, 0, -2)],
  ['select', (x) => ops.select(x, 1, -1)],
  ['unsqueeze', (x) => ops.unsqueeze(x, 1)],
  ['unsqueeze + squeeze', (x) => ops.squeeze(ops.unsqueeze(x, 0))],
  ['expand', (x) => ops.expand(ops.unsqueeze(x, 0), [2, -1, -1])],
  ['contiguous', (x) => ops.contiguous(x)],
  ['clone', (x) => ops.clone(x)],
];

for (const [name, f] of viewOps) {
  test(`gradcheck ${name}: contiguous, transposed and narrowed inputs`, () => {
    // every view is followed by a product with fixed weights inside gradcheck, so positions matter
    gradcheck(f, [rnd([3, 4], 1)]);
    gradcheck(f, [transposedLeaf(3, 4, 2)]);
    gradcheck(f, [narrowedLeaf([3, 4], 3)]);
  });
}

test('gradcheck chains of views on a 3-D input, and view()', () => {
  gradcheck((x) => ops.reshape(ops.permute(x, [2, 0, 1]), [4, 6]), [rnd([2, 3, 4], 4)]);
  gradcheck((x) => ops.select(ops.narrow(ops.transpose(x, 0, 2), 1, 1, 2), 0, 2), [rnd([2, 3, 4], 5)]);
  gradcheck((x) => ops.view(x, [6, 4]), [rnd([2, 3, 4], 6)]);
  gradcheck((x) => ops.flatten(x, 1, 2), [rnd([2, 3, 4], 7)]);
  // an expanded leaf used twice: gradients accumulate from both uses
  gradcheck((x) => ops.mul(ops.expand(x, [3, 4]), ops.transpose(ops.expand(ops.transpose(x), [4, 3]))).reshape([-1]).narrow(0, 0, 12), [rnd([1, 4], 8)]);
});

test('views: errors name the op and the shapes', () => {
  assert.throws(() => ops.reshape(m(), [4, 2]), { message: 'reshape: cannot reshape tensor of shape [2,3] (6 elements) into [4,2] (8 elements)' });
  assert.throws(() => ops.reshape(m(), [-1, 4]), { message: 'reshape: cannot reshape tensor of shape [2,3] (6 elements) into [-1,4]' });
  assert.throws(() => ops.reshape(m(), [-1, -1]), { message: 'reshape: only one dimension can be -1, got [-1,-1]' });
  assert.throws(() => ops.view(ops.transpose(m()), [6]), {
    message: 'view: tensor of shape [3,2] with strides [1,3] cannot be viewed as [6] without a copy; use reshape()',
  });
  assert.throws(() => ops.permute(m(), [0]), { message: 'permute: got 1 dims [0] for a tensor with 2 dimensions' });
  assert.throws(() => ops.permute(m(), [1, 1]), { message: 'permute: repeated dimension in [1,1]' });
  assert.throws(() => ops.narrow(m(), 1, 2, 2), { message: 'narrow: range [2, 4) is outside dimension 1 of size 3 (shape [2,3])' });
  assert.throws(() => ops.select(m(), 0, 2), { message: 'select: index 2 is out of range for dimension 0 of size 2' });
  assert.throws(() => ops.slice(m(), 0, 0, 1, 0), { message: 'slice: step must be a positive integer, got 0' });
  assert.throws(() => ops.expand(m(), [3]), { message: 'expand: target [3] has fewer dimensions than the input [2,3]' });
  assert.throws(() => ops.expand(m(), [4, 3]), { message: 'expand: cannot expand [2,3] to [4,3]' });
  assert.throws(() => ops.flatten(m(), 1, 0), { message: 'flatten: startDim 1 comes after endDim 0' });
  assert.throws(() => ops.transpose(m(), 0, 2), { message: 'transpose: axis 2 is out of range for a tensor with 2 dimensions' });
});
