import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conv2d, mul, noGrad, sum, type Conv2dOptions } from '../../src/autograd/index.js';
import { gradcheck } from '../autograd/check.js';
import { rand, tensor, zeros } from '../../src/tensor/creation.js';
import { Generator } from '../../src/tensor/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { assertValues, checkFixture, distinct, loadFixture, permutedNCHW, rnd } from './helpers.js';

const img3x3 = () => tensor([[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]]);
const w2x2 = () => tensor([[[[1, 2], [3, 4]]]]);

test('conv2d: hand-computed 2x2 kernel over 3x3 with bias', () => {
  assertValues(conv2d(img3x3(), w2x2(), tensor([0.5])), [[[[37.5, 47.5], [67.5, 77.5]]]]);
});

test('conv2d: hand-computed stride 2 with padding 1', () => {
  // windows start at (-1,-1), (-1,1), (1,-1), (1,1); padded cells contribute nothing
  assertValues(conv2d(img3x3(), w2x2(), null, { stride: 2, padding: 1 }), [[[[4, 18], [36, 77]]]]);
});

test('conv2d: hand-computed dilation 2 reaches the corners', () => {
  assertValues(conv2d(img3x3(), w2x2(), null, { dilation: 2 }), [[[[1 * 1 + 3 * 2 + 7 * 3 + 9 * 4]]]]);
});

test('conv2d: groups keep channels apart', () => {
  const x = tensor([[[[1, 2]], [[3, 4]]]]); // [1,2,1,2]
  const w = tensor([[[[10]]], [[[-1]]]]); // [2,1,1,1]: channel 0 ×10, channel 1 ×-1
  assertValues(conv2d(x, w, tensor([1, 2]), { groups: 2 }), [[[[11, 21]], [[-1, -2]]]]);
});

test('conv2d: a 1x1 kernel is a per-pixel matrix product', () => {
  const x = rnd([2, 3, 4, 5], 1);
  const w = rnd([4, 3, 1, 1], 2);
  const out = conv2d(x, w);
  const xv = x.values(), wv = w.values();
  const expected = new Float32Array(2 * 4 * 20);
  for (let n = 0; n < 2; n++) for (let o = 0; o < 4; o++) for (let p = 0; p < 20; p++) {
    let s = 0;
    for (let c = 0; c < 3; c++) s += wv[o * 3 + c] * xv[(n * 3 + c) * 20 + p];
    expected[(n * 4 + o) * 20 + p] = s;
  }
  const ov = out.values();
  assert.deepEqual(out.shape, [2, 4, 4, 5]);
  for (let i = 0; i < ov.length; i++) assert.ok(Math.abs(ov[i] - expected[i]) < 1e-5, `element ${i}: ${ov[i]} vs ${expected[i]}`);
});

test("conv2d: padding 'same' keeps the size and 'valid' means none", () => {
  const x = rnd([1, 2, 5, 6], 3);
  const w = rnd([3, 2, 3, 5], 4);
  const same = conv2d(x, w, null, { padding: 'same' });
  assert.deepEqual(same.shape, [1, 3, 5, 6]);
  assert.deepEqual(same.values(), conv2d(x, w, null, { padding: [1, 2] }).values());
  assert.deepEqual(conv2d(x, w, null, { padding: 'valid' }).values(), conv2d(x, w).values());
});

test('conv2d: unbatched [C,H,W] input equals the batch of one', () => {
  const x = rnd([2, 5, 5], 5);
  const w = rnd([3, 2, 3, 3], 6);
  const b = rnd([3], 7);
  const out = conv2d(x, w, b, { padding: 1 });
  assert.deepEqual(out.shape, [3, 5, 5]);
  assert.deepEqual(out.values(), conv2d(x.reshape([1, 2, 5, 5]), w, b, { padding: 1 }).values());
  gradcheck((xx, ww, bb) => conv2d(xx, ww, bb, { stride: 2 }), [rnd([2, 5, 4], 8), rnd([3, 2, 2, 2], 9), rnd([3], 10)]);
});

test('conv2d: a non-contiguous input gives the same values as its contiguous copy', () => {
  const x = permutedNCHW([2, 3, 5, 4], 11);
  assert.equal(x.isContiguous(), false);
  const w = rnd([2, 3, 3, 2], 12);
  const dense = new Tensor(x.values().slice(), x.shape.slice());
  assert.deepEqual(conv2d(x, w, null, { padding: 1 }).values(), conv2d(dense, w, null, { padding: 1 }).values());
});

const configs: { name: string; x: [number, number, number, number]; w: [number, number, number, number]; opts: Conv2dOptions }[] = [
  { name: 'plain 3x3', x: [1, 2, 5, 5], w: [3, 2, 3, 3], opts: {} },
  { name: 'stride 2, padding 1, batch 2, odd sizes', x: [2, 2, 7, 5], w: [3, 2, 3, 3], opts: { stride: 2, padding: 1 } },
  { name: 'dilation 2', x: [1, 2, 7, 6], w: [2, 2, 3, 2], opts: { dilation: 2, padding: [2, 1] } },
  { name: 'groups 2', x: [2, 4, 5, 4], w: [6, 2, 3, 2], opts: { groups: 2, padding: [1, 0] } },
  { name: 'non-square kernel and stride', x: [1, 3, 6, 7], w: [2, 3, 2, 4], opts: { stride: [2, 1], padding: [0, 1] } },
  { name: 'depthwise with mixed everything', x: [2, 3, 6, 5], w: [3, 1, 3, 3], opts: { groups: 3, stride: [1, 2], padding: 2, dilation: [2, 1] } },
  { name: 'pointwise 1x1', x: [2, 4, 3, 3], w: [2, 2, 1, 1], opts: { groups: 2 } },
  // fewer rows per filter (Cin/groups·kh·kw) than filters per group: the weight gradient is computed transposed
  { name: 'one input channel, more filters than taps', x: [2, 1, 5, 5], w: [12, 1, 2, 2], opts: { padding: 1 } },
  { name: 'groups 2, more filters than taps', x: [2, 2, 4, 4], w: [10, 1, 1, 3], opts: { groups: 2, padding: [0, 1] } },
];

for (const c of configs) {
  test(`conv2d gradcheck (input, weight, bias): ${c.name}`, () => {
    gradcheck((x, w, b) => conv2d(x, w, b, c.opts), [rnd(c.x, 20), rnd(c.w, 21), rnd([c.w[0]], 22)]);
  });
}

test('conv2d gradcheck: without bias, on a permuted (non-contiguous) input', () => {
  const x = permutedNCHW([2, 2, 5, 4], 30);
  gradcheck((xx, ww) => conv2d(xx, ww, null, { stride: 2, padding: 1 }), [x, rnd([3, 2, 3, 3], 31)]);
});

test('conv2d gradcheck: through a nonlinearity after the convolution', () => {
  // squaring makes the upstream gradient depend on the output, so dX and dW are not just sums of weights
  gradcheck((x, w) => conv2d(x, w, null, { padding: 1 }).square(), [rnd([1, 2, 4, 4], 32), rnd([2, 2, 3, 3], 33)]);
});

test('conv2d: the weight gradient of a batch processed in chunks is the sum of its images\' gradients', () => {
  // 1 -> 16 channels over 84x84: 4 images per chunk, so 6 images are 2 chunks
  const x = rnd([6, 1, 84, 84], 40), w = rnd([16, 1, 3, 3], 41);
  const up = rnd([6, 16, 84, 84], 42);
  const ww = w.detach().requiresGrad_();
  sum(mul(conv2d(x, ww, null, { padding: 1 }), up)).backward();
  const want = new Float64Array(w.size);
  for (let i = 0; i < 6; i++) {
    const wi = w.detach().requiresGrad_();
    sum(mul(conv2d(x.narrow(0, i, 1), wi, null, { padding: 1 }), up.narrow(0, i, 1))).backward();
    wi.grad!.values().forEach((v, k) => { want[k] += v; });
  }
  const got = ww.grad!.values();
  for (let k = 0; k < want.length; k++) assert.ok(Math.abs(got[k] - want[k]) <= 1e-9 * (1 + Math.abs(want[k])), `dW[${k}]: ${got[k]} vs ${want[k]}`);
});

test('conv2d: only the tensors that need gradients get them', () => {
  const x = rnd([1, 2, 4, 4], 34).requiresGrad_();
  const w = rnd([3, 2, 3, 3], 35);
  const b = rnd([3], 36);
  sum(conv2d(x, w, b)).backward();
  assert.deepEqual(x.grad!.shape, [1, 2, 4, 4]);
  assert.equal(w.grad, null);
  assert.equal(b.grad, null);
  const out = noGrad(() => conv2d(x, w, b));
  assert.equal(out.requiresGrad, false);
});

test('conv2d: the bias gradient is the upstream summed over batch and positions', () => {
  const x = distinct([2, 1, 3, 3], 37);
  const w = rnd([2, 1, 2, 2], 38);
  const b = zeros([2]).requiresGrad_();
  sum(conv2d(x, w, b)).backward();
  // each of the two channels has 2 images × 2×2 positions
  assertValues(b.grad!, [8, 8]);
});

for (const f of ['conv2d_basic', 'conv2d_stride_pad_dilation', 'conv2d_groups']) {
  test(`conv2d matches PyTorch: ${f}`, (t) => {
    const fx = loadFixture(f);
    if (!fx) return t.skip('test/fixtures/torch is missing');
    const a = fx.json.args as { stride: [number, number]; padding: [number, number]; dilation: [number, number]; groups: number };
    checkFixture(fx, ['weight', 'bias'], (x, w, b) => conv2d(x, w, b, { stride: a.stride, padding: a.padding, dilation: a.dilation, groups: a.groups }));
  });
}

test('conv2d: errors name the op and the bad values', () => {
  const x = zeros([1, 3, 5, 5]);
  assert.throws(() => conv2d(x, zeros([6, 4, 3, 3])), {
    message: 'conv2d: input has 3 channels but weight expects 4 (weight shape [6,4,3,3], groups 1)',
  });
  assert.throws(() => conv2d(zeros([1, 4, 5, 5]), zeros([6, 1, 3, 3]), null, { groups: 2 }), {
    message: 'conv2d: input has 4 channels but weight expects 2 (weight shape [6,1,3,3], groups 2)',
  });
  assert.throws(() => conv2d(zeros([1, 4, 5, 5]), zeros([5, 2, 3, 3]), null, { groups: 2 }), {
    message: 'conv2d: out channels 5 (weight shape [5,2,3,3]) are not divisible by groups 2',
  });
  assert.throws(() => conv2d(zeros([1, 1, 2, 2]), zeros([1, 1, 3, 3])), {
    message: 'conv2d: output size would be 0x0 for input 2x2 with kernel 3, padding 0, dilation 1, stride 1',
  });
  assert.throws(() => conv2d(zeros([1, 1, 2, 2]), zeros([1, 1, 3, 4])), {
    message: 'conv2d: output size would be 0x-1 for input 2x2 with kernel 3x4, padding 0, dilation 1, stride 1',
  });
  assert.throws(() => conv2d(zeros([3, 5, 5, 1, 1]), zeros([6, 3, 3, 3])), {
    message: 'conv2d: expected input of shape [N,C,H,W] or unbatched [C,H,W], got [3,5,5,1,1]',
  });
  assert.throws(() => conv2d(x, zeros([6, 3, 3])), { message: 'conv2d: weight must be 4-D [Cout, Cin/groups, kH, kW], got [6,3,3]' });
  assert.throws(() => conv2d(zeros([1, 3, 5, 5], { dtype: 'int32' }), zeros([6, 3, 3, 3])), {
    message: 'conv2d: input must be float32 or float64, got int32 (shape [1,3,5,5])',
  });
  assert.throws(() => conv2d(x, zeros([6, 3, 3, 3]), zeros([5])), {
    message: 'conv2d: bias must have shape [6] (one value per output channel), got [5]',
  });
  assert.throws(() => conv2d(x, zeros([6, 3, 3, 3]), null, { stride: 0 }), { message: 'conv2d: stride must be a positive integer (or a pair of them), got 0' });
  assert.throws(() => conv2d(x, zeros([6, 3, 3, 3]), null, { padding: [1, -1] }), {
    message: 'conv2d: padding must be a non-negative integer (or a pair of them), got [1,-1]',
  });
  assert.throws(() => conv2d(x, zeros([6, 3, 3, 3]), null, { groups: 0 }), { message: 'conv2d: groups must be a positive integer, got 0' });
  assert.throws(() => conv2d(x, zeros([6, 3, 3, 3]), null, { padding: 'same', stride: 2 }), {
    message: "conv2d: padding 'same' needs stride 1, got stride 2",
  });
  assert.throws(() => conv2d(x, zeros([6, 3, 2, 2]), null, { padding: 'same' }), /conv2d: padding 'same' with kernel 2 and dilation 1 needs asymmetric padding/);
});

test('conv2d over a large batch (columns processed a few images at a time) equals one image at a time, forward and backward', () => {
  // 3x3 kernels over 3 channels of 100x100: 270k column floats per image, so each image is its own chunk
  const g = new Generator(21);
  const x = rand([3, 3, 100, 100], { low: -1, high: 1, generator: g });
  const w = rand([4, 3, 3, 3], { low: -1, high: 1, generator: g });
  const b = rand([4], { low: -1, high: 1, generator: g });
  const up = rand([3, 4, 100, 100], { low: -1, high: 1, generator: g });
  for (const t of [x, w, b]) t.requiresGrad = true;
  const y = conv2d(x, w, b, { padding: 1 });
  sum(mul(y, up)).backward();
  const dw = new Float32Array(w.size), db = new Float32Array(b.size);
  for (let i = 0; i < 3; i++) {
    const xi = new Tensor(x.values().slice(i * 30000, (i + 1) * 30000), [1, 3, 100, 100]);
    const wi = new Tensor(w.values().slice(), w.shape.slice());
    const bi = new Tensor(b.values().slice(), [4]);
    for (const t of [xi, wi, bi]) t.requiresGrad = true;
    const yi = conv2d(xi, wi, bi, { padding: 1 });
    sum(mul(yi, new Tensor(up.values().slice(i * 40000, (i + 1) * 40000), [1, 4, 100, 100]))).backward();
    const close = (a: ArrayLike<number>, e: ArrayLike<number>, what: string) => {
      for (let k = 0; k < e.length; k++) if (!(Math.abs(a[k] - e[k]) <= 1e-4 + 1e-4 * Math.abs(e[k]))) assert.fail(`${what}[${k}]: ${a[k]} vs ${e[k]}`);
    };
    close(y.values().subarray(i * 40000, (i + 1) * 40000), yi.values(), `image ${i} output`);
    close(x.grad!.values().subarray(i * 30000, (i + 1) * 30000), xi.grad!.values(), `image ${i} dx`);
    wi.grad!.values().forEach((v, k) => (dw[k] += v));
    bi.grad!.values().forEach((v, k) => (db[k] += v));
  }
  for (let k = 0; k < dw.length; k++) assert.ok(Math.abs(w.grad!.values()[k] - dw[k]) <= 1e-2 + 1e-4 * Math.abs(dw[k]), `dw[${k}]: ${w.grad!.values()[k]} vs ${dw[k]}`);
  for (let k = 0; k < db.length; k++) assert.ok(Math.abs(b.grad!.values()[k] - db[k]) <= 1e-2 + 1e-4 * Math.abs(db[k]), `db[${k}]`);
});
