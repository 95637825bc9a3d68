import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arange, eye, full, linspace, ones, onesLike, tensor, zeros, zerosLike } from '../../src/tensor/creation.js';
import { Tensor } from '../../src/tensor/tensor.js';

test('zeros, ones, full: shape, dtype and contents', () => {
  const z = zeros([2, 3]);
  assert.deepEqual(z.shape, [2, 3]);
  assert.equal(z.dtype, 'float32');
  assert.ok(z.data instanceof Float32Array);
  assert.deepEqual([...z.data], [0, 0, 0, 0, 0, 0]);
  const o = ones([4], { dtype: 'int32' });
  assert.equal(o.dtype, 'int32');
  assert.ok(o.data instanceof Int32Array);
  assert.deepEqual([...o.data], [1, 1, 1, 1]);
  const f = full([2, 2], 2.5);
  assert.deepEqual(f.toArray(), [[2.5, 2.5], [2.5, 2.5]]);
  const s = zeros([]);
  assert.equal(s.ndim, 0);
  assert.equal(s.size, 1);
  assert.equal(zeros([3, 0]).size, 0);
  assert.throws(() => zeros([2, -1]), /zeros: invalid shape \[2,-1\]/);
  assert.throws(() => full([1.5], 0), /full: invalid shape \[1\.5\]/);
  const zl = zerosLike(o);
  assert.equal(zl.dtype, 'int32');
  assert.deepEqual(zl.shape, [4]);
  assert.deepEqual(onesLike(f).toArray(), [[1, 1], [1, 1]]);
  assert.equal(ones([2], { requiresGrad: true }).requiresGrad, true);
});

test('arange infers int32 from integer arguments and float32 otherwise', () => {
  const a = arange(5);
  assert.equal(a.dtype, 'int32');
  assert.deepEqual([...a.data], [0, 1, 2, 3, 4]);
  const b = arange(2, 8, 3);
  assert.equal(b.dtype, 'int32');
  assert.deepEqual([...b.data], [2, 5]);
  const c = arange(0, 1, 0.25);
  assert.equal(c.dtype, 'float32');
  assert.deepEqual([...c.data], [0, 0.25, 0.5, 0.75]);
  const d = arange(1, 2.5);
  assert.equal(d.dtype, 'float32');
  assert.deepEqual([...d.data], [1, 2]);
  const e = arange(5, 0, -2);
  assert.deepEqual([...e.data], [5, 3, 1]);
  assert.equal(arange(3, 3).size, 0);
  assert.equal(arange(3, 1).size, 0);
  assert.equal(arange(0, 4, 1, { dtype: 'float32' }).dtype, 'float32');
  // torch.arange(0, 0.3, 0.1) has 3 elements (ceil((end-start)/step))
  assert.equal(arange(0, 0.3, 0.1).size, 3);
  assert.throws(() => arange(0, 5, 0), /arange: step must be nonzero/);
});

test('linspace hits both endpoints exactly and is evenly spaced', () => {
  for (const [start, end, steps] of [[0, 1, 11], [-3.7, 2.9, 7], [10, -10, 6], [0.1, 0.7, 100]] as const) {
    const t = linspace(start, end, steps);
    assert.equal(t.size, steps);
    assert.equal(t.data[0], Math.fround(start), `first of linspace(${start}, ${end}, ${steps})`);
    assert.equal(t.data[steps - 1], Math.fround(end), `last of linspace(${start}, ${end}, ${steps})`);
    const d = (end - start) / (steps - 1);
    for (let i = 0; i < steps; i++) {
      // float32 rounding of a value of magnitude <= max(|start|, |end|)
      const tol = 2 ** -22 * Math.max(Math.abs(start), Math.abs(end));
      assert.ok(Math.abs(t.data[i] - (start + d * i)) <= tol, `linspace element ${i}: ${t.data[i]} vs ${start + d * i}`);
    }
  }
  assert.deepEqual([...linspace(3, 9, 1).data], [3]);
  assert.equal(linspace(0, 1, 0).size, 0);
  assert.throws(() => linspace(0, 1, -1), /linspace: steps must be a non-negative integer, got -1/);
  assert.throws(() => linspace(0, 1, 2.5), /linspace: steps must be a non-negative integer/);
});

test('eye: square and rectangular', () => {
  assert.deepEqual(eye(3).toArray(), [[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
  assert.deepEqual(eye(2, 3).toArray(), [[1, 0, 0], [0, 1, 0]]);
  assert.deepEqual(eye(3, 2).toArray(), [[1, 0], [0, 1], [0, 0]]);
  assert.equal(eye(2, 2, { dtype: 'int32' }).dtype, 'int32');
});

test('tensor() from nested arrays', () => {
  const t = tensor([[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(t.shape, [2, 3]);
  assert.equal(t.dtype, 'float32');
  assert.deepEqual([...t.data], [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(t.toArray(), [[1, 2, 3], [4, 5, 6]]);
  const s = tensor(7.5);
  assert.deepEqual(s.shape, []);
  assert.equal(s.item(), 7.5);
  assert.deepEqual(tensor([true, false, true]).toArray(), [1, 0, 1]);
  const i = tensor([[1, 2]], { dtype: 'int32' });
  assert.equal(i.dtype, 'int32');
  assert.ok(i.data instanceof Int32Array);
  assert.deepEqual(tensor([]).shape, [0]);
  assert.deepEqual(tensor([[], []]).shape, [2, 0]);
  assert.deepEqual(tensor([[[1], [2]], [[3], [4]]]).shape, [2, 2, 1]);
  // values are rounded to float32
  assert.equal(tensor([0.1]).data[0], Math.fround(0.1));
});

test('tensor() rejects ragged and non-numeric nested arrays', () => {
  assert.throws(() => tensor([[1, 2], [3]]), /tensor: ragged nested array at \[1\]: expected length 2, got 1/);
  assert.throws(() => tensor([[1, 2], 3] as never), /tensor: ragged nested array at \[1\]: expected length 2, got a number/);
  assert.throws(() => tensor([1, [2]] as never), /tensor: ragged nested array at \[1\]/);
  assert.throws(() => tensor([[[1, 2]], [[3]]]), /tensor: ragged nested array at \[1\]\[0\]/);
  assert.throws(() => tensor(['a'] as never), /tensor: non-numeric value a at \[0\]/);
});

test('tensor() from typed arrays', () => {
  const f = tensor(new Float32Array([1, 2, 3, 4, 5, 6]), { shape: [3, 2] });
  assert.deepEqual(f.toArray(), [[1, 2], [3, 4], [5, 6]]);
  const i = tensor(new Int32Array([4, 5]));
  assert.equal(i.dtype, 'int32');
  assert.deepEqual(i.shape, [2]);
  assert.throws(() => tensor(new Float32Array(5), { shape: [2, 3] }), /tensor: 5 values do not fill shape \[2,3\]/);
  // the source array is copied, not aliased
  const src = new Float32Array([1, 2]);
  const t = tensor(src);
  src[0] = 9;
  assert.equal(t.data[0], 1);
});

test('item() and toArray()', () => {
  assert.equal(tensor([[3.5]]).item(), 3.5);
  assert.throws(() => tensor([1, 2]).item(), /item: tensor of shape \[2\] has 2 elements, expected 1/);
  // item of a one-element view with an offset reads the viewed element
  const base = tensor([1, 2, 3, 4]);
  assert.equal(new Tensor(base.data, [1], [1], 2).item(), 3);
  assert.equal(zeros([]).toArray(), 0);
  assert.deepEqual(zeros([2, 0]).toArray(), [[], []]);
  // toArray of a strided (transposed) view follows the view's logical order
  const m = tensor([[1, 2, 3], [4, 5, 6]]);
  const mt = new Tensor(m.data, [3, 2], [1, 3], 0);
  assert.deepEqual(mt.toArray(), [[1, 4], [2, 5], [3, 6]]);
});
