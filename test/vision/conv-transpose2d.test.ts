import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conv2d, convTranspose2d, type ConvTranspose2dOptions } from '../../src/autograd/index.js';
import { gradcheck } from '../autograd/check.js';
import { tensor, zeros } from '../../src/tensor/creation.js';
import { assertValues, checkFixture, loadFixture, permutedNCHW, rnd } from './helpers.js';

const x2x2 = () => tensor([[[[1, 2], [3, 4]]]]);
const w2x2 = () => tensor([[[[1, 2], [3, 4]]]]);

test('convTranspose2d: hand-computed stride 1 scatters overlapping copies of the kernel', () => {
  assertValues(convTranspose2d(x2x2(), w2x2()), [[[[1, 4, 4], [6, 20, 16], [9, 24, 16]]]]);
});

test('convTranspose2d: hand-computed stride 2 places disjoint blocks; padding crops them', () => {
  assertValues(convTranspose2d(x2x2(), w2x2(), tensor([0.5]), { stride: 2 }), [[
    [[1.5, 2.5, 2.5, 4.5], [3.5, 4.5, 6.5, 8.5], [3.5, 6.5, 4.5, 8.5], [9.5, 12.5, 12.5, 16.5]],
  ]]);
  assertValues(convTranspose2d(x2x2(), w2x2(), null, { stride: 2, padding: 1 }), [[[[4, 6], [6, 4]]]]);
  // outputPadding adds a row and column at the far end (zeros here, as nothing lands there)
  assertValues(convTranspose2d(x2x2(), w2x2(), null, { stride: 2, padding: 1, outputPadding: 1 }), [[[[4, 6, 8], [6, 4, 8], [12, 12, 16]]]]);
});

test('convTranspose2d: output size formula with dilation, groups and non-square settings', () => {
  const out = convTranspose2d(rnd([2, 4, 3, 5], 1), rnd([4, 3, 3, 2], 2), null, {
    stride: [2, 3], padding: [1, 0], dilation: [2, 1], outputPadding: [1, 2], groups: 2,
  });
  // (3-1)·2 - 2 + 2·2 + 1 + 1 = 8;  (5-1)·3 - 0 + 1·1 + 2 + 1 = 16
  assert.deepEqual(out.shape, [2, 6, 8, 16]);
});

test('convTranspose2d: unbatched [C,H,W] input equals the batch of one', () => {
  const x = rnd([3, 4, 4], 3);
  const w = rnd([3, 2, 3, 3], 4);
  const out = convTranspose2d(x, w, null, { stride: 2 });
  assert.deepEqual(out.shape, [2, 9, 9]);
  assert.deepEqual(out.values(), convTranspose2d(x.reshape([1, 3, 4, 4]), w, null, { stride: 2 }).values());
});

interface AdjointCase {
  name: string;
  x: [number, number, number, number];
  w: [number, number, number, number];
  conv: { stride: [number, number]; padding: [number, number]; dilation: [number, number]; groups: number };
  outputPadding: [number, number];
}

const adjointCases: AdjointCase[] = [
  { name: 'stride 2, padding 1, odd size', x: [2, 3, 7, 7], w: [4, 3, 3, 3], conv: { stride: [2, 2], padding: [1, 1], dilation: [1, 1], groups: 1 }, outputPadding: [0, 0] },
  { name: 'stride 2, even size needs outputPadding', x: [1, 2, 8, 6], w: [3, 2, 3, 3], conv: { stride: [2, 2], padding: [1, 1], dilation: [1, 1], groups: 1 }, outputPadding: [1, 1] },
  { name: 'groups 2, dilation 2, non-square', x: [2, 4, 9, 7], w: [6, 2, 3, 2], conv: { stride: [1, 2], padding: [2, 0], dilation: [2, 1], groups: 2 }, outputPadding: [0, 1] },
];

for (const c of adjointCases) {
  test(`adjoint identity <conv(x), y> = <x, convTranspose(y)>: ${c.name}`, () => {
    const x = rnd(c.x, 10);
    const w = rnd(c.w, 11);
    const cx = conv2d(x, w, null, c.conv);
    const y = rnd(cx.shape.slice(), 12);
    const ty = convTranspose2d(y, w, null, { ...c.conv, outputPadding: c.outputPadding });
    assert.deepEqual(ty.shape, x.shape);
    const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
      let s = 0;
      for (let i = 0; i < a.length; i++) s += a[i] * b[i];
      return s;
    };
    const lhs = dot(cx.values(), y.values());
    const rhs = dot(x.values(), ty.values());
    assert.ok(Math.abs(lhs - rhs) <= 1e-4 * (1 + Math.abs(lhs)), `${lhs} vs ${rhs}`);
  });
}

const configs: { name: string; x: [number, number, number, number]; w: [number, number, number, number]; opts: ConvTranspose2dOptions }[] = [
  { name: 'plain 3x3', x: [1, 2, 3, 3], w: [2, 3, 3, 3], opts: {} },
  { name: 'stride 2, padding 1, outputPadding 1, batch 2', x: [2, 2, 3, 3], w: [2, 2, 3, 3], opts: { stride: 2, padding: 1, outputPadding: 1 } },
  { name: 'dilation 2, non-square kernel', x: [1, 2, 3, 4], w: [2, 2, 2, 3], opts: { dilation: 2, padding: [1, 0] } },
  { name: 'groups 2, non-square stride', x: [2, 4, 3, 2], w: [4, 1, 3, 2], opts: { groups: 2, stride: [2, 1], padding: [1, 0] } },
  { name: 'pointwise 1x1', x: [1, 3, 3, 4], w: [3, 2, 1, 1], opts: {} },
];

for (const c of configs) {
  test(`convTranspose2d gradcheck (input, weight, bias): ${c.name}`, () => {
    gradcheck((x, w, b) => convTranspose2d(x, w, b, c.opts), [rnd(c.x, 20), rnd(c.w, 21), rnd([c.w[1] * (c.opts.groups ?? 1)], 22)]);
  });
}

test('convTranspose2d gradcheck: permuted (non-contiguous) input, no bias', () => {
  gradcheck((x, w) => convTranspose2d(x, w, null, { stride: 2 }), [permutedNCHW([2, 2, 3, 2], 30), rnd([2, 3, 2, 2], 31)]);
});

for (const f of ['conv_transpose2d', 'conv_transpose2d_groups']) {
  test(`convTranspose2d matches PyTorch: ${f}`, (t) => {
    const fx = loadFixture(f);
    if (!fx) return t.skip('test/fixtures/torch is missing');
    const a = fx.json.args as Required<Record<'stride' | 'padding' | 'dilation' | 'output_padding', [number, number]>> & { groups: number };
    checkFixture(fx, ['weight', 'bias'], (x, w, b) =>
      convTranspose2d(x, w, b, { stride: a.stride, padding: a.padding, dilation: a.dilation, outputPadding: a.output_padding, groups: a.groups }));
  });
}

test('convTranspose2d: errors name the op and the bad values', () => {
  assert.throws(() => convTranspose2d(zeros([1, 3, 4, 4]), zeros([4, 2, 3, 3])), {
    message: 'convTranspose2d: input has 3 channels but weight expects 4 (weight shape [4,2,3,3], groups 1)',
  });
  assert.throws(() => convTranspose2d(zeros([1, 3, 4, 4]), zeros([3, 2, 3, 3]), null, { groups: 2 }), {
    message: 'convTranspose2d: input channels 3 are not divisible by groups 2 (weight shape [3,2,3,3])',
  });
  assert.throws(() => convTranspose2d(zeros([1, 3, 4, 4]), zeros([3, 2, 3, 3]), null, { stride: 2, outputPadding: 2 }), {
    message: 'convTranspose2d: outputPadding 2 must be smaller than either stride 2 or dilation 1',
  });
  assert.throws(() => convTranspose2d(zeros([1, 1, 1, 1]), zeros([1, 1, 1, 1]), null, { padding: 1 }), {
    message: 'convTranspose2d: output size would be -1x-1 for input 1x1 with kernel 1, padding 1, dilation 1, stride 1',
  });
  assert.throws(() => convTranspose2d(zeros([1, 3, 4, 4]), zeros([3, 2, 3, 3]), zeros([3])), {
    message: 'convTranspose2d: bias must have shape [2] (one value per output channel), got [3]',
  });
  assert.throws(() => convTranspose2d(zeros([4, 4]), zeros([3, 2, 3, 3])), {
    message: 'convTranspose2d: expected input of shape [N,C,H,W] or unbatched [C,H,W], got [4,4]',
  });
  assert.throws(() => convTranspose2d(zeros([1, 3, 4, 4]), zeros([3, 2, 3, 3], { dtype: 'int32' })), {
    message: 'convTranspose2d: weight must be float32 or float64, got int32 (shape [3,2,3,3])',
  });
});
