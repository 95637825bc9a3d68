import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReduceOp } from '../../src/backend/backend.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { nativeBackend } from '../../src/backend/native/index-node.js';
import { Generator, randomArray, skipNative } from './native-helpers.js';

function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string, rel = 1e-6): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    const ok = Number.isNaN(want[i]) ? Number.isNaN(got[i])
      : !Number.isFinite(want[i]) ? got[i] === want[i]
        : Math.abs(got[i] - want[i]) <= 1e-7 + rel * Math.abs(want[i]);
    if (!ok) assert.fail(`${what}: element ${i} native ${got[i]} vs reference ${want[i]}`);
  }
}

test('reduce matches the reference for every op and layout, including NaN and ties', { skip: skipNative }, () => {
  const gen = new Generator(31);
  const ops: ReduceOp[] = ['sum', 'max', 'min', 'prod', 'argmax', 'argmin', 'logsumexp'];
  for (const [outer, r, inner] of [[1, 1000, 1], [3, 17, 33], [64, 3, 1], [1, 1280, 512], [7, 1, 9], [2, 5, 100], [1, 576, 4215], [2, 300, 257], [1, 2, 16]]) {
    const x = randomArray(outer * r * inner, gen).map((v) => Math.round(v * 8) / 4); // coarse values: ties
    if (outer * r * inner > 50) x[40] = NaN;
    for (const op of ops) {
      const isArg = op === 'argmax' || op === 'argmin';
      const got = isArg ? new Int32Array(outer * inner) : new Float32Array(outer * inner);
      const want = isArg ? new Int32Array(outer * inner) : new Float32Array(outer * inner);
      nativeBackend!.reduce(op, x, outer, r, inner, got);
      jsBackend.reduce(op, x, outer, r, inner, want);
      assertClose(got, want, `reduce ${op} [${outer},${r},${inner}]`, op === 'prod' || op === 'logsumexp' ? 1e-6 : 0);
    }
  }
});

test('sumSquares equals the reference exactly, whatever the length and thread split', { skip: skipNative }, () => {
  const gen = new Generator(37);
  for (const n of [0, 1, 3, 17, 1000, 32768, 32769, 300001, 1 << 20]) {
    const x = randomArray(n, gen);
    const want = jsBackend.sumSquares(x);
    let naive = 0;
    for (let i = 0; i < n; i++) naive += x[i] * x[i];
    assert.equal(nativeBackend!.sumSquares(x), want, `sumSquares n=${n}`);
    assert.ok(Math.abs(want - naive) <= 1e-9 * Math.max(1, naive), `sumSquares n=${n}: ${want} vs naive ${naive}`);
  }
  const special = new Float32Array(300000);
  special[123456] = NaN;
  assert.ok(Number.isNaN(nativeBackend!.sumSquares(special)));
  special[123456] = Infinity;
  assert.equal(nativeBackend!.sumSquares(special), Infinity);
});

test('indexSelect and indexAdd match the reference with repeated indices', { skip: skipNative }, () => {
  const gen = new Generator(32);
  for (const [outer, n, inner, m] of [[1, 8000, 256, 1280], [3, 17, 33, 40], [2, 50, 1, 100], [1, 10, 1000, 64]]) {
    const x = randomArray(outer * n * inner, gen);
    const index = new Int32Array(m);
    for (let j = 0; j < m; j++) index[j] = Math.floor(gen.random() * Math.min(n, 20)); // few distinct: many repeats
    const got = new Float32Array(outer * m * inner);
    const want = new Float32Array(outer * m * inner);
    nativeBackend!.indexSelect(x, outer, n, inner, index, got);
    jsBackend.indexSelect(x, outer, n, inner, index, want);
    assert.deepEqual(got, want);
    const src = randomArray(outer * m * inner, gen);
    const accGot = randomArray(outer * n * inner, gen);
    const accWant = accGot.slice();
    nativeBackend!.indexAdd(src, outer, n, inner, index, accGot);
    jsBackend.indexAdd(src, outer, n, inner, index, accWant);
    assertClose(accGot, accWant, `indexAdd [${outer},${n},${inner}] m=${m}`, 0);
  }
});

test('indexSelect rejects an out-of-range index naming it', { skip: skipNative }, () => {
  const x = new Float32Array(100 * 10);
  const index = new Int32Array(64).fill(3);
  index[5] = 100;
  assert.throws(() => nativeBackend!.indexSelect(x, 1, 100, 10, index, new Float32Array(640)), /indexSelect: index\[5\] = 100 out of range \[0, 100\)/);
});

test('adam matches the reference (Adam, AdamW, AMSGrad) over several steps', { skip: skipNative }, () => {
  const gen = new Generator(33);
  for (const [decoupled, weightDecay, ams] of [[false, 0, false], [true, 0.01, false], [false, 0.1, true]] as const) {
    const n = 100_003;
    const paramA = randomArray(n, gen);
    const paramB = paramA.slice();
    const mA = new Float32Array(n), vA = new Float32Array(n), mB = new Float32Array(n), vB = new Float32Array(n);
    const amsA = ams ? new Float32Array(n) : null, amsB = ams ? new Float32Array(n) : null;
    for (let step = 1; step <= 3; step++) {
      const grad = randomArray(n, gen);
      const common = { grad, lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay, decoupled, step };
      nativeBackend!.adam!({ ...common, param: paramA, m: mA, v: vA, amsgrad: amsA });
      jsBackend.adam!({ ...common, param: paramB, m: mB, v: vB, amsgrad: amsB });
    }
    assertClose(paramA, paramB, `adam decoupled=${decoupled} wd=${weightDecay} amsgrad=${ams} param`, 1e-6);
    assertClose(mA, mB, 'adam m', 1e-6);
    assertClose(vA, vB, 'adam v', 1e-6);
  }
});

test('im2col and col2im match the reference (padding, stride, dilation)', { skip: skipNative }, () => {
  const gen = new Generator(34);
  const cases = [
    { n: 2, cIn: 3, h: 9, w: 7, kh: 3, kw: 3, strideH: 1, strideW: 1, padH: 1, padW: 1, dilationH: 1, dilationW: 1 },
    { n: 1, cIn: 2, h: 17, w: 33, kh: 5, kw: 2, strideH: 2, strideW: 3, padH: 2, padW: 0, dilationH: 2, dilationW: 1 },
    { n: 4, cIn: 32, h: 28, w: 28, kh: 3, kw: 3, strideH: 1, strideW: 1, padH: 0, padW: 0, dilationH: 1, dilationW: 1 },
    { n: 1, cIn: 1, h: 1, w: 1, kh: 1, kw: 1, strideH: 1, strideW: 1, padH: 0, padW: 0, dilationH: 1, dilationW: 1 },
    // taps that read only padding (padding 3 around a 2-wide kernel), odd strides and dilations
    { n: 2, cIn: 2, h: 6, w: 5, kh: 2, kw: 2, strideH: 1, strideW: 1, padH: 3, padW: 3, dilationH: 1, dilationW: 1 },
    { n: 1, cIn: 3, h: 10, w: 11, kh: 3, kw: 3, strideH: 2, strideW: 2, padH: 1, padW: 1, dilationH: 3, dilationW: 3 },
    { n: 1, cIn: 2, h: 8, w: 13, kh: 3, kw: 4, strideH: 3, strideW: 4, padH: 2, padW: 2, dilationH: 1, dilationW: 2 },
    { n: 2, cIn: 1, h: 84, w: 84, kh: 3, kw: 3, strideH: 1, strideW: 1, padH: 1, padW: 1, dilationH: 1, dilationW: 1 },
  ];
  for (const c of cases) {
    const outH = Math.floor((c.h + 2 * c.padH - c.dilationH * (c.kh - 1) - 1) / c.strideH) + 1;
    const outW = Math.floor((c.w + 2 * c.padW - c.dilationW * (c.kw - 1) - 1) / c.strideW) + 1;
    const g = { ...c, cOut: 1, groups: 1, outH, outW };
    const x = randomArray(c.n * c.cIn * c.h * c.w, gen);
    const colsLen = c.n * c.cIn * c.kh * c.kw * outH * outW;
    const got = new Float32Array(colsLen).fill(NaN);
    const want = new Float32Array(colsLen);
    nativeBackend!.im2col(x, g, got);
    jsBackend.im2col(x, g, want);
    assert.deepEqual(got, want);
    const cols = randomArray(colsLen, gen);
    const imgGot = new Float32Array(x.length);
    const imgWant = new Float32Array(x.length);
    nativeBackend!.col2im(cols, g, imgGot);
    jsBackend.col2im(cols, g, imgWant);
    assertClose(imgGot, imgWant, `col2im ${JSON.stringify(c)}`, 1e-6);
  }
});

test('SGD with momentum on the native backend matches the update written out', { skip: skipNative }, async () => {
  const { withBackend } = await import('../../src/backend/registry.js');
  const { SGD } = await import('../../src/optim/sgd.js');
  const { Parameter } = await import('../../src/nn/parameter.js');
  const { Tensor } = await import('../../src/tensor/tensor.js');
  const gen = new Generator(41);
  const n = 70001;
  const init = randomArray(n, gen);
  const grads = [randomArray(n, gen), randomArray(n, gen), randomArray(n, gen)];
  const lr = 0.05, mu = 0.9;
  const p = new Parameter(new Tensor(init.slice(), [n]));
  const opt = new SGD([p], { lr, momentum: mu });
  withBackend(nativeBackend!, () => {
    for (const g of grads) {
      p.grad = new Tensor(g.slice(), [n]);
      opt.step();
    }
  });
  // the update written out: buf = g (first step), then buf = mu·buf + g; p -= lr·buf
  const want = Float64Array.from(init), buf = new Float64Array(n);
  grads.forEach((g, s) => {
    for (let i = 0; i < n; i++) {
      buf[i] = s === 0 ? g[i] : mu * buf[i] + g[i];
      want[i] -= lr * buf[i];
    }
  });
  assertClose(p.data as Float32Array, want, 'SGD momentum, native path', 1e-5);
});

test('native sgd kernel equals the reference exactly for every option', { skip: skipNative }, () => {
  const gen = new Generator(43);
  const n = 70001;
  for (const o of [
    { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false },
    { momentum: 0, dampening: 0, weightDecay: 0.01, nesterov: false },
    { momentum: 0.9, dampening: 0.1, weightDecay: 0.01, nesterov: false },
    { momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: true },
  ]) {
    const p0 = randomArray(n, gen), g = randomArray(n, gen), b0 = randomArray(n, gen);
    for (const first of [true, false]) {
      const run = (backend: typeof jsBackend) => {
        const param = p0.slice(), buf = o.momentum ? b0.slice() : null;
        backend.sgd!({ param, grad: g, buf, lr: 0.05, ...o, first });
        return [param, buf];
      };
      const [pn, bn] = run(nativeBackend!), [pj, bj] = run(jsBackend);
      assert.deepEqual(pn, pj, `param ${JSON.stringify(o)} first=${first}`);
      assert.deepEqual(bn, bj, `buffer ${JSON.stringify(o)} first=${first}`);
    }
  }
});

/** Logits of scale ~10 with the awkward rows a vocabulary loss meets: a confident target, -inf entries, one NaN. */
function xentCase(rows: number, cols: number, gen: Generator, ignore: number) {
  const x = randomArray(rows * cols, gen).map((v) => v * 10);
  const targets = Int32Array.from({ length: rows }, (_, r) => (r % 13 === 5 ? ignore : Math.floor(gen.random() * cols)));
  if (rows > 8) {
    if (targets[1] !== ignore) x[cols + targets[1]] += 40; // confident: the target's gradient is a small difference
    for (let j = 0; j < cols; j += 3) x[2 * cols + j] = -Infinity;
    x[3 * cols + (cols >> 1)] = NaN;
    x.fill(-Infinity, 4 * cols, 5 * cols); // a fully masked row: NaN loss, as the reference
  }
  const g = Float32Array.from({ length: rows }, () => gen.random() * 2 - 1);
  return { x, targets, g };
}

test('crossEntropy kernels match the reference within 1e-6 ([700, 4215], odd widths, ignored rows)', { skip: skipNative }, () => {
  const gen = new Generator(47);
  for (const [rows, cols, ignore] of [[700, 4215, -100], [700, 4215, 0], [50, 7, -100], [30, 1001, 3], [100, 1, -100], [20, 8, -100], [20, 9, -100]]) {
    const { x, targets, g } = xentCase(rows, cols, gen, ignore);
    for (const eps of [0, 0.1]) {
      const what = `crossEntropy [${rows}, ${cols}] ignore=${ignore} eps=${eps}`;
      const loss = new Float32Array(rows), lse = new Float32Array(rows), lossRef = new Float32Array(rows), lseRef = new Float32Array(rows);
      nativeBackend!.crossEntropy!(x, rows, cols, targets, ignore, eps, loss, lse);
      jsBackend.crossEntropy!(x, rows, cols, targets, ignore, eps, lossRef, lseRef);
      assertClose(loss, lossRef, `${what} loss`, 1e-6);
      assertClose(lse, lseRef, `${what} lse`, 1e-6);
      const out = new Float32Array(rows * cols).fill(NaN), outRef = new Float32Array(rows * cols);
      nativeBackend!.crossEntropyBackward!(x, rows, cols, targets, ignore, eps, lseRef, g, out);
      jsBackend.crossEntropyBackward!(x, rows, cols, targets, ignore, eps, lseRef, g, outRef);
      assertClose(out, outRef, `${what} gradient`, 1e-6);
    }
  }
});

test('crossEntropy kernels reject bad targets and short arrays, naming the kernel and the lengths', { skip: skipNative }, async () => {
  const { nativeAddon } = await import('../../src/backend/native/index-node.js');
  const x = new Float32Array(10 * 7), t = new Int32Array(10), rows = new Float32Array(10);
  t[3] = 7;
  assert.throws(() => nativeAddon!.crossEntropy(x, 10, 7, t, -100, 0, rows, rows.slice()),
    { message: 'crossEntropy: targets[3] = 7 out of range [0, 7) and not ignoreIndex -100' });
  t[3] = -100;
  nativeAddon!.crossEntropy(x, 10, 7, t, -100, 0, rows, rows.slice());
  assert.throws(() => nativeAddon!.crossEntropy(x, 11, 7, t, -100, 0, rows, rows.slice()),
    { message: 'crossEntropy: rows=11 cols=7 exceed the arrays (x 70, targets 10, loss 10, lse 10)' });
  assert.throws(() => nativeAddon!.crossEntropyBackward(x, 10, 7, t, -100, 0.1, rows, rows.slice(), new Float32Array(69)),
    { message: 'crossEntropyBackward: rows=10 cols=7 exceed the arrays (x 70, targets 10, lse 10, g 10, out 69)' });
  assert.throws(() => nativeAddon!.crossEntropy(x, 10, 7, t, -100, 2, rows, rows.slice()),
    { message: 'crossEntropy: eps must be in [0, 1], got 2' });
  assert.throws(() => (nativeAddon!.crossEntropy as (...a: unknown[]) => void)(x, 10, 7, new Float32Array(10), -100, 0, rows, rows),
    /crossEntropy: bad arguments/);
});
