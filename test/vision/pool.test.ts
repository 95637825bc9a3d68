import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adaptiveAvgPool2d, avgPool2d, maxPool2d, sum, upsampleNearest } from '../../src/autograd/index.js';
import { gradcheck } from '../autograd/check.js';
import { arange, tensor, zeros } from '../../src/tensor/creation.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { assertClose, assertValues, checkFixture, distinct, loadFixture, permutedNCHW, rnd } from './helpers.js';

/** [1,1,n,n] holding 1..n² row-major. */
const grid = (n: number) => arange(1, n * n + 1, 1, { dtype: 'float32' }).reshape([1, 1, n, n]);

// ---- maxPool2d ----------------------------------------------------------------------------------

test('maxPool2d: hand-computed values', () => {
  assertValues(maxPool2d(grid(4), 2), [[[[6, 8], [14, 16]]]]);
  assertValues(maxPool2d(grid(4), 3, { stride: 2, padding: 1 }), [[[[6, 8], [14, 16]]]]);
  assertValues(maxPool2d(grid(4), [1, 2], { stride: [2, 1] }), [[[[2, 3, 4], [10, 11, 12]]]]);
});

test('maxPool2d: ceilMode keeps the partial last window, which must start inside the input', () => {
  assertValues(maxPool2d(grid(5), 2, { ceilMode: true }), [[[[7, 9, 10], [17, 19, 20], [22, 24, 25]]]]);
  assert.deepEqual(maxPool2d(grid(5), 2).shape, [1, 1, 2, 2]);
  // torch's rule: out = ceil((H + 2p - k) / s) + 1, minus one when the last window would start at or past H + p
  // 6x6, k3 s2 p1: ceil(5/2)+1 = 4 and window 3 starts at 3·2 = 6 < 7, kept (floor mode gives 3)
  assert.deepEqual(maxPool2d(zeros([1, 1, 6, 6]), 3, { stride: 2, padding: 1, ceilMode: true }).shape, [1, 1, 4, 4]);
  assert.deepEqual(maxPool2d(zeros([1, 1, 6, 6]), 3, { stride: 2, padding: 1 }).shape, [1, 1, 3, 3]);
  // 4x4, k2 s3: ceil(2/3)+1 = 2 and window 1 starts at 3 < 4, kept (floor mode gives 1)
  assert.deepEqual(maxPool2d(zeros([1, 1, 4, 4]), 2, { stride: 3, ceilMode: true }).shape, [1, 1, 2, 2]);
  // 5x5, k2 s3 p1: ceil(5/3)+1 = 3 but window 2 would start at 2·3 = 6 ≥ 5 + 1, dropped
  assert.deepEqual(maxPool2d(zeros([1, 1, 5, 5]), 2, { stride: 3, padding: 1, ceilMode: true }).shape, [1, 1, 2, 2]);
});

test('maxPool2d: the gradient goes to each window maximum, summed where windows overlap', () => {
  const x = tensor([[[[1, 9, 2], [3, 4, 5], [8, 0, 7]]]]).requiresGrad_();
  sum(maxPool2d(x, 2, { stride: 1 })).backward();
  // windows: max 9 (twice: top-left and top-right), 8, 7
  assertValues(x.grad!, [[[[0, 2, 0], [0, 0, 0], [1, 0, 1]]]]);
});

test('maxPool2d: unbatched input and NaN propagation', () => {
  const x = tensor([[[1, NaN], [3, 4]]]);
  const out = maxPool2d(x, 2);
  assert.deepEqual(out.shape, [1, 1, 1]);
  assert.ok(Number.isNaN(out.item()));
});

const poolConfigs: { name: string; x: [number, number, number, number]; k: number | [number, number]; opts: { stride?: number | [number, number]; padding?: number | [number, number]; ceilMode?: boolean } }[] = [
  { name: 'k2 s2', x: [2, 2, 4, 6], k: 2, opts: {} },
  { name: 'k3 s2 p1 odd sizes (overlapping windows)', x: [1, 3, 7, 5], k: 3, opts: { stride: 2, padding: 1 } },
  { name: 'non-square kernel and stride', x: [2, 1, 5, 6], k: [3, 2], opts: { stride: [1, 2], padding: [1, 0] } },
  { name: 'ceil mode', x: [1, 2, 5, 7], k: 2, opts: { ceilMode: true } },
];

for (const c of poolConfigs) {
  test(`maxPool2d gradcheck: ${c.name}`, () => {
    gradcheck((x) => maxPool2d(x, c.k, c.opts), [distinct(c.x, 40)]);
  });
  test(`avgPool2d gradcheck (count include pad and not): ${c.name}`, () => {
    gradcheck((x) => avgPool2d(x, c.k, c.opts), [rnd(c.x, 41)]);
    gradcheck((x) => avgPool2d(x, c.k, { ...c.opts, countIncludePad: false }), [rnd(c.x, 42)]);
  });
}

test('maxPool2d and avgPool2d gradcheck: permuted (non-contiguous) input', () => {
  const base = distinct([2, 5, 3, 4], 43); // stored as [N, H, C, W]
  const x = new Tensor(base.data, [2, 3, 5, 4], [base.strides[0], base.strides[2], base.strides[1], base.strides[3]], 0);
  assert.equal(x.isContiguous(), false);
  gradcheck((t) => maxPool2d(t, 2, { stride: 1 }), [x]);
  gradcheck((t) => avgPool2d(t, 3, { stride: 2, padding: 1 }), [permutedNCHW([2, 3, 5, 4], 44)]);
});

// ---- avgPool2d ----------------------------------------------------------------------------------

test('avgPool2d: hand-computed values, with and without counting padding', () => {
  assertValues(avgPool2d(grid(4), 2), [[[[3.5, 5.5], [11.5, 13.5]]]]);
  assertClose(avgPool2d(grid(4), 3, { stride: 2, padding: 1 }), [14 / 9, 30 / 9, 57 / 9, 99 / 9], [1, 1, 2, 2], 1e-6, 1e-6, 'include pad');
  assertClose(avgPool2d(grid(4), 3, { stride: 2, padding: 1, countIncludePad: false }), [14 / 4, 30 / 6, 57 / 6, 99 / 9], [1, 1, 2, 2], 1e-6, 1e-6, 'exclude pad');
  // ceil mode: the last column window [4,6) is clipped to the input and divides by 2
  assertValues(avgPool2d(grid(5), 2, { ceilMode: true }).select(2, 0), [[[4, 6, 7.5]]]);
});

test('avgPool2d: unbatched input', () => {
  const x = rnd([2, 4, 4], 45);
  assert.deepEqual(avgPool2d(x, 2).values(), avgPool2d(x.reshape([1, 2, 4, 4]), 2).values());
  assert.deepEqual(avgPool2d(x, 2).shape, [2, 2, 2]);
});

// ---- adaptiveAvgPool2d --------------------------------------------------------------------------

test('adaptiveAvgPool2d: hand-computed overlapping windows', () => {
  // 3 -> 2: windows [0,2) and [1,3)
  assertValues(adaptiveAvgPool2d(grid(3), 2), [[[[3, 4], [6, 7]]]]);
  // 5 -> 3: windows [0,2), [1,4), [3,5); height 1 -> 1 keeps the row
  assertValues(adaptiveAvgPool2d(tensor([[[[1, 2, 3, 4, 5]]]]), [1, 3]), [[[[1.5, 3, 4.5]]]]);
  // null keeps that input size
  assert.deepEqual(adaptiveAvgPool2d(zeros([2, 3, 5, 7]), [null, 2]).shape, [2, 3, 5, 2]);
});

test('adaptiveAvgPool2d: divisible sizes equal plain average pooling; global pooling is the mean', () => {
  const x = rnd([2, 3, 6, 8], 46);
  assert.deepEqual(adaptiveAvgPool2d(x, [3, 2]).values(), avgPool2d(x, [2, 4]).values());
  const g = adaptiveAvgPool2d(x, 1);
  assertClose(g, x.mean([2, 3]).values(), [2, 3, 1, 1], 1e-6, 1e-5, 'global');
});

for (const [name, shape, out] of [
  ['7x7 -> 3x3 (overlapping windows)', [2, 2, 7, 7], [3, 3]],
  ['5x6 -> 4x4 (mixed)', [1, 3, 5, 6], [4, 4]],
  ['6x4 -> 3x2 (divisible)', [2, 1, 6, 4], [3, 2]],
  ['upsampling 3x2 -> 5x4', [1, 2, 3, 2], [5, 4]],
] as const) {
  test(`adaptiveAvgPool2d gradcheck: ${name}`, () => {
    gradcheck((x) => adaptiveAvgPool2d(x, [out[0], out[1]]), [rnd(shape.slice(), 47)]);
  });
}

test('adaptiveAvgPool2d gradcheck: permuted input, unbatched input', () => {
  gradcheck((x) => adaptiveAvgPool2d(x, [2, 3]), [permutedNCHW([2, 3, 5, 4], 48)]);
  gradcheck((x) => adaptiveAvgPool2d(x, 2), [rnd([3, 5, 5], 49)]);
});

// ---- upsampleNearest ----------------------------------------------------------------------------

test('upsampleNearest: hand-computed values', () => {
  const x = tensor([[[[1, 2], [3, 4]]]]);
  assertValues(upsampleNearest(x, { scaleFactor: 2 }), [[[[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]]]);
  // size [3,5]: rows floor(i·2/3) = 0,0,1; columns floor(j·2/5) = 0,0,0,1,1
  assertValues(upsampleNearest(x, { size: [3, 5] }), [[[[1, 1, 1, 2, 2], [1, 1, 1, 2, 2], [3, 3, 3, 4, 4]]]]);
  // downsampling picks every other pixel
  assertValues(upsampleNearest(grid(4), { size: 2 }), [[[[1, 3], [9, 11]]]]);
});

test('upsampleNearest: a non-integer scale factor uses 1/factor as torch does, not in/out', () => {
  const x = tensor([[[[0, 1, 2, 3]]]]);
  // width 4 · 1.7 = 6.8 -> 6; sources floor(j / 1.7) = 0,0,1,1,2,2 (in/out = 4/6 would give 0,0,1,2,2,3)
  assertValues(upsampleNearest(x, { scaleFactor: [1, 1.7] }), [[[[0, 0, 1, 1, 2, 2]]]]);
  assertValues(upsampleNearest(x, { size: [1, 6] }), [[[[0, 0, 1, 2, 2, 3]]]]);
});

test('upsampleNearest: the gradient sums the copies of each pixel', () => {
  const x = zeros([1, 1, 2, 3]).requiresGrad_();
  sum(upsampleNearest(x, { size: [3, 5] })).backward();
  // rows 0,0,1 and columns floor(j·3/5) = 0,0,1,1,2
  assertValues(x.grad!, [[[[4, 4, 2], [2, 2, 1]]]]);
});

test('upsampleNearest gradcheck: scale 2, odd size, permuted input', () => {
  gradcheck((x) => upsampleNearest(x, { scaleFactor: 2 }), [rnd([2, 2, 3, 2], 50)]);
  gradcheck((x) => upsampleNearest(x, { size: [5, 3] }), [rnd([1, 2, 3, 4], 51)]);
  gradcheck((x) => upsampleNearest(x, { scaleFactor: [1.5, 3] }), [permutedNCHW([2, 2, 3, 2], 52)]);
});

// ---- PyTorch parity -----------------------------------------------------------------------------

const parity: [string, (x: Tensor) => Tensor][] = [
  ['maxpool2d', (x) => maxPool2d(x, 2, { stride: 2 })],
  ['maxpool2d_pad', (x) => maxPool2d(x, 3, { stride: 2, padding: 1 })],
  ['avgpool2d', (x) => avgPool2d(x, 3, { stride: 2, padding: 1 })],
  ['avgpool2d_exclude_pad', (x) => avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false })],
  ['adaptive_avgpool2d', (x) => adaptiveAvgPool2d(x, [3, 3])],
  ['upsample_nearest', (x) => upsampleNearest(x, { scaleFactor: 2 })],
];

for (const [name, f] of parity) {
  test(`matches PyTorch: ${name}`, (t) => {
    const fx = loadFixture(name);
    if (!fx) return t.skip('test/fixtures/torch is missing');
    checkFixture(fx, [], f);
  });
}

// ---- errors -------------------------------------------------------------------------------------

test('pooling: errors name the op and the bad values', () => {
  const x = zeros([1, 2, 4, 4]);
  assert.throws(() => maxPool2d(zeros([4, 4]), 2), { message: 'maxPool2d: expected input of shape [N,C,H,W] or unbatched [C,H,W], got [4,4]' });
  assert.throws(() => maxPool2d(x, 5), { message: 'maxPool2d: output size would be 0x0 for input 4x4 with kernel 5, padding 0, stride 5' });
  assert.throws(() => maxPool2d(x, 3, { padding: 2 }), { message: 'maxPool2d: padding 2 must be at most half the kernel 3' });
  assert.throws(() => maxPool2d(x, 2, { dilation: 2 }), { message: 'maxPool2d: dilation 2 is not supported (only 1)' });
  assert.throws(() => maxPool2d(x, 0), { message: 'maxPool2d: kernel must be a positive integer (or a pair of them), got 0' });
  assert.throws(() => avgPool2d(x, [2, 2], { stride: [1, 0] }), { message: 'avgPool2d: stride must be a positive integer (or a pair of them), got [1,0]' });
  assert.throws(() => avgPool2d(zeros([1, 2, 4, 4], { dtype: 'int32' }), 2), { message: 'avgPool2d: input must be float32 or float64, got int32 (shape [1,2,4,4])' });
  assert.throws(() => avgPool2d(x, [5, 2]), { message: 'avgPool2d: output size would be 0x2 for input 4x4 with kernel 5x2, padding 0, stride 5x2' });
  assert.throws(() => adaptiveAvgPool2d(x, 0), { message: 'adaptiveAvgPool2d: outputSize must be a positive integer (or a pair of them), got [0,0]' });
  assert.throws(() => adaptiveAvgPool2d(zeros([2, 1, 2, 3, 4]), 1), /^Error: adaptiveAvgPool2d: expected input of shape \[N,C,H,W\]/);
  assert.throws(() => upsampleNearest(zeros([2, 4, 4]), { scaleFactor: 2 }), { message: 'upsampleNearest: expected input of shape [N,C,H,W], got [2,4,4]' });
  assert.throws(() => upsampleNearest(x, {} as never), { message: 'upsampleNearest: give exactly one of scaleFactor and size' });
  assert.throws(() => upsampleNearest(x, { scaleFactor: 0 }), { message: 'upsampleNearest: scaleFactor must be positive, got 0' });
  assert.throws(() => upsampleNearest(x, { scaleFactor: 0.2 }), { message: 'upsampleNearest: output size would be 0x0 for input 4x4 with scaleFactor 0.2' });
});
