import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ops from '../../src/autograd/ops/index.js';
import { tensor } from '../../src/tensor/creation.js';

test('backward: a leaf used several times gets the sum of its gradients', () => {
  const x = tensor([1, 2, 3], { requiresGrad: true });
  const y = ops.add(ops.add(ops.mul(x, 2), ops.mul(x, 3)), ops.mul(x, x));
  ops.sum(y).backward();
  assert.deepEqual(Array.from(x.grad!.values()), [7, 9, 11]); // 2 + 3 + 2x
});

test('backward: leaves never share gradient storage, also when one took over a summed buffer', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  const w = tensor([3, 4], { requiresGrad: true });
  // x's gradient is a sum of three contributions; w receives the upstream gradient unchanged
  const s = ops.add(ops.add(ops.mul(x, 1), ops.mul(x, 1)), ops.add(x, w));
  ops.sum(s).backward();
  assert.deepEqual(Array.from(x.grad!.values()), [3, 3]);
  assert.deepEqual(Array.from(w.grad!.values()), [1, 1]);
  (x.grad!.data as Float32Array).fill(0);
  assert.deepEqual(Array.from(w.grad!.values()), [1, 1]);
});

test('backward: a second pass accumulates into .grad without touching the first result in place', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  ops.sum(ops.add(ops.mul(x, 2), ops.mul(x, 3))).backward();
  const first = x.grad!;
  ops.sum(ops.add(ops.mul(x, 2), ops.mul(x, 3))).backward();
  assert.deepEqual(Array.from(first.values()), [5, 5]);
  assert.deepEqual(Array.from(x.grad!.values()), [10, 10]);
});

test('backward: a hook sees the summed gradient and its replacement becomes .grad', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  let seen: number[] = [];
  x.registerHook((g) => { seen = Array.from(g.values()); return ops.mul(g, 10); });
  ops.sum(ops.add(ops.mul(x, 2), ops.mul(x, 3))).backward();
  assert.deepEqual(seen, [5, 5]);
  assert.deepEqual(Array.from(x.grad!.values()), [50, 50]);
});
