import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as F from '../../src/autograd/ops/index.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { nativeBackend } from '../../src/backend/native/index-node.js';
import { getBackend, withBackend } from '../../src/backend/registry.js';
import { randint, randn } from '../../src/tensor/creation.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { Generator, skipNative } from './native-helpers.js';

/**
 * Engine-level ops (autograd forward and backward) run once on each backend: the native kernels
 * are reached through the same calls the models make (contiguous copies of transposes, where,
 * gather, topk, cumsum, pooling, the fused LSTM cell, batched attention products).
 */

function close(got: ArrayLike<number>, want: ArrayLike<number>, what: string, rel = 1e-5, abs = 1e-6): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    const ok = Number.isNaN(want[i]) ? Number.isNaN(got[i]) : Math.abs(got[i] - want[i]) <= abs + rel * Math.abs(want[i]);
    if (!ok) assert.fail(`${what}: element ${i} native ${got[i]} vs js ${want[i]}`);
  }
}

/** Runs `fn` on fresh leaf copies of `inputs` under a backend; returns outputs and input gradients. */
function run(backend: typeof jsBackend, inputs: Tensor[], fn: (...xs: Tensor[]) => Tensor[]): { name: string; out: number[][]; grads: number[][] } {
  return withBackend(backend, () => {
    const leaves = inputs.map((t) => (t.dtype === 'float32' ? t.detach().requiresGrad_() : t));
    const outs = fn(...leaves);
    const seeds = outs.map((o, i) => randn(o.shape, { generator: new Generator(900 + i) }));
    const floats = outs.filter((o) => o.dtype === 'float32' && o.requiresGrad);
    if (floats.length) {
      let loss = F.sum(F.mul(floats[0], seeds[outs.indexOf(floats[0])]));
      for (const o of floats.slice(1)) loss = F.add(loss, F.sum(F.mul(o, seeds[outs.indexOf(o)])));
      loss.backward();
    }
    return {
      name: getBackend().name,
      out: outs.map((o) => Array.from(o.values())),
      grads: leaves.filter((l) => l.dtype === 'float32').map((l) => Array.from(l.grad?.values() ?? [])),
    };
  });
}

/** `abs` covers sums whose terms cancel (different summation orders, float32 tanh). */
function compare(what: string, inputs: Tensor[], fn: (...xs: Tensor[]) => Tensor[], rel = 1e-5, abs = 1e-6): void {
  const n = run(nativeBackend!, inputs, fn);
  const j = run(jsBackend, inputs, fn);
  assert.equal(n.name, 'native');
  assert.equal(j.name, 'js');
  n.out.forEach((o, i) => close(o, j.out[i], `${what} output ${i}`, rel, abs));
  n.grads.forEach((g, i) => close(g, j.grads[i], `${what} grad ${i}`, rel, abs));
}

const gen = new Generator(61);
const rn = (shape: number[], std = 1) => randn(shape, { generator: gen, std });

test('engine: fused LSTM cell forward and backward on native equal js', { skip: skipNative }, () => {
  for (const [b, h] of [[1, 3], [4, 17], [64, 128]]) {
    compare(`lstmCell b=${b} h=${h}`, [rn([b, 4 * h], 2), rn([b, h])], (g, c) => {
      const r = F.lstmCell(g, c);
      return [r.h, r.c];
    });
  }
});

test('engine: Bahdanau attention step (broadcast add, tanh, bmm, softmax) on native equals js', { skip: skipNative }, () => {
  const B = 8, S = 20, A = 33, H = 40;
  compare('attention', [rn([B, S, A]), rn([B, A]), rn([A, 1]), rn([B, S, H])], (keys, q, v, values) => {
    const e = F.squeeze(F.matmul(F.tanh(F.add(keys, F.unsqueeze(q, 1))), v), 2);
    const alpha = F.softmax(e, 1);
    const ctx = F.squeeze(F.bmm(F.unsqueeze(alpha, 1), values), 1);
    const scores = F.bmm(F.unsqueeze(ctx, 1), F.transpose(values, 1, 2));
    return [ctx, scores];
  }, 1e-4, 2e-5);
});

test('engine: contiguous copies of transposes, where, cumsum on native equal js', { skip: skipNative }, () => {
  compare('transpose+contiguous', [rn([17, 33, 5])], (x) => [F.contiguous(F.transpose(x, 0, 2)), F.contiguous(F.permute(x, [1, 0, 2]))]);
  const cond = F.gt(rn([20, 1, 40]), 0);
  compare('where', [rn([20, 30, 40]), rn([30, 40])], (a, b) => [F.where(cond, a, b)]);
  compare('cumsum', [rn([17, 100])], (x) => [F.cumsum(x, 1), F.cumsum(x, 0)], 1e-5);
});

test('engine: gather, topk and pooling on native equal js', { skip: skipNative }, () => {
  const idx = randint(0, 1000, [64, 3], { generator: gen });
  compare('gather', [rn([64, 1000])], (x) => [F.gather(x, 1, idx)]);
  compare('topk', [rn([64, 1000])], (x) => {
    const t = F.topk(x, 7, 1);
    return [t.values, t.indices];
  });
  compare('maxPool2d', [rn([4, 3, 17, 16])], (x) => [F.maxPool2d(x, 2), F.maxPool2d(x, 3, { stride: 2, padding: 1 })]);
  compare('avgPool2d', [rn([4, 3, 17, 16])], (x) => [F.avgPool2d(x, 3, { stride: 1, padding: 1 })]);
  // the caption encoder's first block: one image per chunk, so three chunks
  compare('conv2dReluMaxPool2d', [rn([3, 1, 84, 84]), rn([32, 1, 3, 3], 0.3), rn([32], 0.1)],
    (x, w, b) => [F.conv2dReluMaxPool2d(x, w, b, { padding: 1 }, 2)], 1e-4, 1e-4);
  compare('conv2dReluMaxPool2d (multi-channel, pool 7)', [rn([2, 8, 21, 21]), rn([16, 8, 3, 3], 0.2), rn([16], 0.1)],
    (x, w, b) => [F.conv2dReluMaxPool2d(x, w, b, { padding: 1 }, 7)], 1e-4, 1e-4);
});
