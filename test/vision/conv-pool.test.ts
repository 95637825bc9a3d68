import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conv2d, conv2dReluMaxPool2d, maxPool2d, mul, relu, sum, type Conv2dOptions, type MaxPool2dOptions } from '../../src/autograd/index.js';
import type { IntPair } from '../../src/autograd/ops/vision-args.js';
import { gradcheck } from '../autograd/check.js';
import { randn, tensor } from '../../src/tensor/creation.js';
import { Generator } from '../../src/tensor/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { assertClose, assertValues, rnd } from './helpers.js';

interface Case {
  name: string;
  x: [number, number, number, number];
  w: [number, number, number, number];
  bias: boolean;
  conv: Conv2dOptions;
  k: IntPair;
  pool?: MaxPool2dOptions;
}

const cases: Case[] = [
  { name: 'conv3x3 pad 1, pool 2 (the caption encoder block)', x: [2, 1, 8, 8], w: [3, 1, 3, 3], bias: true, conv: { padding: 1 }, k: 2 },
  { name: 'two input channels, pool 3 over 6x6 (one window per 3x3 cell)', x: [2, 2, 6, 6], w: [4, 2, 3, 3], bias: true, conv: { padding: 1 }, k: 3 },
  { name: 'no bias, stride 2 conv, overlapping pool windows with padding', x: [1, 3, 9, 7], w: [2, 3, 3, 3], bias: false, conv: { stride: 2, padding: 1 }, k: 3, pool: { stride: 1, padding: 1 } },
  { name: 'pointwise conv, groups 2, ceil-mode pool', x: [2, 4, 5, 5], w: [6, 2, 1, 1], bias: true, conv: { groups: 2 }, k: 2, pool: { ceilMode: true } },
];

const composed = (c: Case) => (x: Tensor, w: Tensor, b?: Tensor) => maxPool2d(relu(conv2d(x, w, b ?? null, c.conv)), c.k, c.pool);
const fused = (c: Case) => (x: Tensor, w: Tensor, b?: Tensor) => conv2dReluMaxPool2d(x, w, b ?? null, c.conv, c.k, c.pool);

function inputs(c: Case, seed: number): Tensor[] {
  const xs = [rnd(c.x, seed), rnd(c.w, seed + 1)];
  if (c.bias) xs.push(rnd([c.w[0]], seed + 2));
  return xs;
}

/** Output and input gradients of f under a fixed upstream gradient (float64 leaves). */
function valueAndGrads(f: (...xs: Tensor[]) => Tensor, xs: Tensor[]): { out: Tensor; grads: Tensor[] } {
  const leaves = xs.map((t) => t.detach().requiresGrad_());
  const out = f(...leaves);
  const up = randn(out.shape, { generator: new Generator(77), dtype: out.dtype });
  sum(mul(out, up)).backward();
  return { out, grads: leaves.map((l) => l.grad!) };
}

for (const [i, c] of cases.entries()) {
  test(`conv2dReluMaxPool2d equals maxPool2d(relu(conv2d)) in value and gradient: ${c.name}`, () => {
    const xs = inputs(c, 10 * i);
    const want = valueAndGrads(composed(c), xs);
    const got = valueAndGrads(fused(c), xs);
    assertClose(got.out, want.out.values(), want.out.shape, 1e-12, 1e-12, 'output');
    got.grads.forEach((g, k) => assertClose(g, want.grads[k].values(), want.grads[k].shape, 1e-12, 1e-12, `gradient of input ${k}`));
  });

  test(`conv2dReluMaxPool2d gradcheck: ${c.name}`, () => {
    gradcheck(fused(c), inputs(c, 10 * i + 5));
  });
}

test('conv2dReluMaxPool2d: hand-computed values; ReLU zeroes negative windows, the bias is added once per window', () => {
  const x = tensor([[[[1, -2, 3, 0], [-1, 4, -5, 2], [0, 0, -1, -1], [2, 1, -3, -2]]]]);
  const w = tensor([[[[1]]], [[[-1]]]]); // channel 0 copies x, channel 1 negates it
  assertValues(conv2dReluMaxPool2d(x, w, tensor([0.5, -1]), {}, 2), [[[[4.5, 3.5], [2.5, 0]], [[1, 4], [0, 2]]]]);
});

test('conv2dReluMaxPool2d: the gradient reaches only windows whose maximum is positive', () => {
  const x = tensor([[[[1, -2, -3, -1], [-1, 4, -5, -2]]]]).requiresGrad_();
  const w = tensor([[[[2]]]]).requiresGrad_();
  const b = tensor([0.5]).requiresGrad_();
  sum(conv2dReluMaxPool2d(x, w, b, {}, 2)).backward();
  // windows: max 2·4 + 0.5 at (1, 1); max 2·(-1) + 0.5 < 0 (ReLU closes it)
  assertValues(x.grad!, [[[[0, 0, 0, 0], [0, 2, 0, 0]]]]);
  assertValues(w.grad!, [[[[4]]]]);
  assertValues(b.grad!, [1]);
});

for (const [cIn, cOut] of [[1, 32], [2, 20], [4, 8]]) {
  // 84x84 maps: one image per chunk
  test(`conv2dReluMaxPool2d: a batch split into chunks (${cIn} -> ${cOut} channels, 84x84) match the composition in float32`, () => {
    const gen = new Generator(3);
    const x = randn([3, cIn, 84, 84], { generator: gen });
    const w = randn([cOut, cIn, 3, 3], { generator: gen, std: 0.3 });
    const b = randn([cOut], { generator: gen, std: 0.1 });
    const c: Case = { name: 'big', x: [3, cIn, 84, 84], w: [cOut, cIn, 3, 3], bias: true, conv: { padding: 1 }, k: 2 };
    const want = valueAndGrads(composed(c), [x, w, b]);
    const got = valueAndGrads(fused(c), [x, w, b]);
    assert.equal(got.out.dtype, 'float32');
    assertClose(got.out, want.out.values(), want.out.shape, 1e-6, 1e-6, 'output');
    got.grads.forEach((g, k) => assertClose(g, want.grads[k].values(), want.grads[k].shape, 1e-4, 1e-4, `gradient of input ${k}`));
  });
}

test('conv2dReluMaxPool2d: unbatched input, and errors name the op and the shapes', () => {
  const x = rnd([1, 4, 4], 1), w = rnd([2, 1, 3, 3], 2);
  const out = conv2dReluMaxPool2d(x, w, null, { padding: 1 }, 2);
  assert.deepEqual(out.shape, [2, 2, 2]);
  assertClose(out, maxPool2d(relu(conv2d(x, w, null, { padding: 1 })), 2).values(), [2, 2, 2], 1e-12, 1e-12, 'unbatched');
  assert.throws(() => conv2dReluMaxPool2d(rnd([1, 3, 4, 4], 1), w, null, {}, 2), /conv2dReluMaxPool2d: input has 3 channels but weight expects 1/);
  assert.throws(() => conv2dReluMaxPool2d(x, w, rnd([3], 3), {}, 2), /conv2dReluMaxPool2d: bias must have shape \[2\]/);
  assert.throws(() => conv2dReluMaxPool2d(x, w, null, {}, 3), /conv2dReluMaxPool2d: output size would be 0x0 for input 2x2/);
  assert.throws(() => conv2dReluMaxPool2d(x, w, null, {}, 2, { dilation: 2 }), /conv2dReluMaxPool2d: pool dilation 2 is not supported/);
});

test('conv2dReluMaxPool2d: only the inputs that need gradients get them, with the same values as when all do', () => {
  const c = cases[0];
  const [x, w, b] = inputs(c, 90);
  const all = valueAndGrads(fused(c), [x, w, b]);
  for (const k of [0, 1, 2]) {
    const leaves = [x, w, b].map((t, i) => (i === k ? t.detach().requiresGrad_() : t.detach()));
    const out = fused(c)(leaves[0], leaves[1], leaves[2]);
    sum(mul(out, randn(out.shape, { generator: new Generator(77), dtype: out.dtype }))).backward();
    leaves.forEach((l, i) => assert.equal(l.grad != null, i === k, `input ${i} has a gradient only when it needs one (k = ${k})`));
    assertClose(leaves[k].grad!, all.grads[k].values(), all.grads[k].shape, 1e-12, 1e-12, `gradient of input ${k} alone`);
  }
});
