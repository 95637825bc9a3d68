import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as F from '../../src/autograd/ops/index.js';
import { arange, tensor } from '../../src/tensor/creation.js';
import { Tensor } from '../../src/tensor/tensor.js';
import '../../src/autograd/methods.js';

/** [2,3,4] with values 0..23, float32. */
const cube = () => arange(0, 24, 1, { dtype: 'float32' }).reshape([2, 3, 4]);

/** Element of a row-major [2,3,4] array of 0..23. */
const at = (i: number, j: number, k: number) => i * 12 + j * 4 + k;

test('reshape and view of a contiguous tensor share storage', () => {
  const x = cube();
  const r = F.reshape(x, [6, 4]);
  const v = F.view(x, [4, -1]);
  assert.equal(r.data, x.data);
  assert.equal(v.data, x.data);
  assert.deepEqual(v.shape, [4, 6]);
  x.data[5] = 100;
  assert.equal((r.toArray() as number[][])[1][1], 100);
  assert.equal((v.toArray() as number[][])[0][5], 100);
  assert.throws(() => F.reshape(x, [5, -1]), /reshape: cannot reshape tensor of shape \[2,3,4\] \(24 elements\) into \[5,-1\]/);
  assert.throws(() => F.reshape(x, [-1, -1]), /reshape: only one dimension can be -1/);
  assert.throws(() => F.view(x, [25]), /view: cannot reshape tensor of shape \[2,3,4\] \(24 elements\) into \[25\] \(25 elements\)/);
});

test('view of a non-viewable layout throws and names the fix; reshape copies', () => {
  const x = tensor([[1, 2, 3], [4, 5, 6]]);
  const t = F.transpose(x); // [3,2], strides [1,3]
  assert.equal(t.isContiguous(), false);
  assert.throws(
    () => F.view(t, [6]),
    /^Error: view: tensor of shape \[3,2\] with strides \[1,3\] cannot be viewed as \[6\] without a copy; use reshape\(\)$/,
  );
  const r = F.reshape(t, [6]);
  assert.notEqual(r.data, x.data);
  assert.deepEqual([...r.values()], [1, 4, 2, 5, 3, 6]);
  // splitting a dim or adding size-1 dims of a transposed tensor is still a view
  const v = F.view(t, [3, 1, 2]);
  assert.equal(v.data, x.data);
  assert.deepEqual(v.toArray(), [[[1, 4]], [[2, 5]], [[3, 6]]]);
  const big = F.permute(cube(), [2, 0, 1]); // [4,2,3]; dims 1,2 (2,3) still merge
  const merged = F.view(big, [4, 6]);
  assert.equal(merged.data, big.data);
  for (let k = 0; k < 4; k++) for (let m = 0; m < 6; m++) {
    assert.equal((merged.toArray() as number[][])[k][m], at(Math.floor(m / 3), m % 3, k));
  }
  assert.throws(() => F.view(big, [8, 3]), /cannot be viewed as \[8,3\] without a copy/);
});

test('transpose and permute give the right values and share storage', () => {
  const x = cube();
  const p = F.permute(x, [2, 0, 1]);
  assert.deepEqual(p.shape, [4, 2, 3]);
  assert.equal(p.data, x.data);
  const pa = p.toArray() as number[][][];
  for (let k = 0; k < 4; k++) for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) assert.equal(pa[k][i][j], at(i, j, k));
  const t = F.transpose(x, 0, 2);
  assert.deepEqual(t.shape, [4, 3, 2]);
  const ta = t.toArray() as number[][][];
  for (let k = 0; k < 4; k++) for (let j = 0; j < 3; j++) for (let i = 0; i < 2; i++) assert.equal(ta[k][j][i], at(i, j, k));
  assert.equal(t.data, x.data);
  assert.throws(() => F.permute(x, [0, 1]), /permute: got 2 dims \[0,1\] for a tensor with 3 dimensions/);
  assert.throws(() => F.permute(x, [0, 1, 1]), /permute: repeated dimension in \[0,1,1\]/);
  assert.throws(() => F.transpose(x, 0, 3), /transpose: axis 3 is out of range for a tensor with 3 dimensions/);
});

test('narrow, slice with step, select: values and shared storage', () => {
  const x = cube();
  const n = F.narrow(x, 1, 1, 2); // [2,2,4]
  assert.deepEqual(n.shape, [2, 2, 4]);
  assert.equal(n.data, x.data);
  const na = n.toArray() as number[][][];
  for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) for (let k = 0; k < 4; k++) assert.equal(na[i][j][k], at(i, j + 1, k));
  assert.throws(() => F.narrow(x, 1, 2, 2), /narrow: range \[2, 4\) is outside dimension 1 of size 3 \(shape \[2,3,4\]\)/);

  const s = F.slice(x, 2, 1, undefined, 2); // k = 1, 3
  assert.deepEqual(s.shape, [2, 3, 2]);
  assert.equal(s.data, x.data);
  const sa = s.toArray() as number[][][];
  for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) {
    assert.equal(sa[i][j][0], at(i, j, 1));
    assert.equal(sa[i][j][1], at(i, j, 3));
  }
  const neg = F.slice(arange(0, 10, 1, { dtype: 'float32' }), 0, -7, -1, 3); // python [ -7:-1:3 ] = 3, 6
  assert.deepEqual([...neg.values()], [3, 6]);
  assert.equal(F.slice(x, 0, 5, 9).shape[0], 0);
  assert.throws(() => F.slice(x, 0, 0, 2, 0), /slice: step must be a positive integer, got 0/);

  const sel = F.select(x, 1, -1); // j = 2
  assert.deepEqual(sel.shape, [2, 4]);
  assert.equal(sel.data, x.data);
  const sla = sel.toArray() as number[][];
  for (let i = 0; i < 2; i++) for (let k = 0; k < 4; k++) assert.equal(sla[i][k], at(i, 2, k));
  assert.throws(() => F.select(x, 1, 3), /select: index 3 is out of range for dimension 1 of size 3/);

  // a write to the storage is seen through every view
  x.data[at(1, 2, 3)] = -1;
  assert.equal((sel.toArray() as number[][])[1][3], -1);
  assert.equal((s.toArray() as number[][][])[1][2][1], -1);
});

test('expand, squeeze, unsqueeze', () => {
  const col = tensor([[1], [2], [3]]); // [3,1]
  const e = F.expand(col, [2, 3, 4]);
  assert.deepEqual(e.shape, [2, 3, 4]);
  assert.equal(e.data, col.data);
  assert.deepEqual(e.strides.slice(), [0, 1, 0]);
  assert.deepEqual(e.toArray(), [
    [[1, 1, 1, 1], [2, 2, 2, 2], [3, 3, 3, 3]],
    [[1, 1, 1, 1], [2, 2, 2, 2], [3, 3, 3, 3]],
  ]);
  assert.deepEqual(F.expand(col, [-1, 2]).toArray(), [[1, 1], [2, 2], [3, 3]]);
  assert.throws(() => F.expand(col, [3]), /expand: target \[3\] has fewer dimensions than the input \[3,1\]/);
  assert.throws(() => F.expand(col, [2, 2]), /expand: cannot expand \[3,1\] to \[2,2\]/);

  const x = arange(0, 6, 1, { dtype: 'float32' }).reshape([1, 2, 1, 3]);
  assert.deepEqual(F.squeeze(x).shape, [2, 3]);
  assert.deepEqual(F.squeeze(x, 2).shape, [1, 2, 3]);
  assert.deepEqual(F.squeeze(x, 1).shape, [1, 2, 1, 3]); // not size 1: left alone, as torch
  assert.equal(F.squeeze(x).data, x.data);
  const u = F.unsqueeze(F.squeeze(x), -1);
  assert.deepEqual(u.shape, [2, 3, 1]);
  assert.deepEqual(u.toArray(), [[[0], [1], [2]], [[3], [4], [5]]]);
  assert.deepEqual(F.unsqueeze(F.squeeze(x), 0).shape, [1, 2, 3]);
  // unsqueeze of a transposed view keeps the values
  const tu = F.unsqueeze(F.transpose(F.squeeze(x)), 1); // [3,1,2]
  assert.deepEqual(tu.toArray(), [[[0, 3]], [[1, 4]], [[2, 5]]]);
  assert.equal(tu.data, x.data);
});

test('contiguous copies non-contiguous views and leaves contiguous ones alone', () => {
  const x = cube();
  assert.equal(F.contiguous(x), x);
  const t = F.permute(x, [1, 2, 0]);
  const c = F.contiguous(t);
  assert.notEqual(c.data, x.data);
  assert.ok(c.isContiguous());
  assert.deepEqual(c.strides.slice(), [8, 2, 1]);
  assert.deepEqual(c.toArray(), t.toArray());
  x.data[0] = 42;
  assert.equal(c.data[0], 0, 'the copy does not follow later writes');
  const cl = F.clone(x);
  assert.notEqual(cl.data, x.data);
  assert.deepEqual(cl.toArray(), x.toArray());
  // an offset view that is contiguous is read correctly by values()
  const row = F.select(x, 0, 1);
  assert.deepEqual([...row.values()], Array.from({ length: 12 }, (_, i) => 12 + i));
  assert.ok(new Tensor(x.data, [2], [1], 22).isContiguous());
});
