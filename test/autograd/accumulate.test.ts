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

test('backward: a transposed column slice of a weight, used at every step, gets the summed gradient in the weight layout', () => {
  const rows = 6, cols = 7, k0 = 2, kn = 4, B = 3, steps = 4;
  const rand = (n: number, seed: number) => Array.from({ length: n }, (_, i) => Math.sin(seed * 13.7 + i * 1.3));
  const w = tensor(rand(rows * cols, 1), { requiresGrad: true });
  const W = ops.reshape(w, [rows, cols]);
  const Wn = ops.narrow(W, 1, k0, kn); // (rows, kn): linear(x, Wn) multiplies by its transpose
  const xs = Array.from({ length: steps }, (_, t) => ops.reshape(tensor(rand(B * kn, 10 + t)), [B, kn]));
  const cs = Array.from({ length: steps }, (_, t) => ops.reshape(tensor(rand(B * rows, 20 + t)), [B, rows]));
  let loss = ops.sum(ops.mul(ops.matmul(ops.reshape(tensor(rand(B * cols, 5)), [B, cols]), ops.transpose(W, 0, 1)), cs[0]));
  const WnT = ops.transpose(Wn, 0, 1); // shared by steps 0-2 (as an RNN shares Wᵀ), step 3 takes its own
  for (let t = 0; t < steps; t++) loss = ops.add(loss, ops.sum(ops.mul(ops.matmul(xs[t], t < 3 ? WnT : ops.transpose(Wn, 0, 1)), cs[t])));
  loss.backward();
  const want = new Float64Array(rows * cols);
  const x0 = rand(B * cols, 5), c0 = rand(B * rows, 20);
  for (let b = 0; b < B; b++) for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) want[r * cols + c] += c0[b * rows + r] * x0[b * cols + c];
  for (let t = 0; t < steps; t++) {
    const x = rand(B * kn, 10 + t), c = rand(B * rows, 20 + t);
    for (let b = 0; b < B; b++) for (let r = 0; r < rows; r++) for (let j = 0; j < kn; j++) want[r * cols + k0 + j] += c[b * rows + r] * x[b * kn + j];
  }
  const got = w.grad!;
  assert.ok(got.isContiguous() && got.offset === 0, '.grad is contiguous');
  const g = got.values();
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(g[i] - want[i]) < 1e-5, `element ${i}: ${g[i]} vs ${want[i]}`);
});
