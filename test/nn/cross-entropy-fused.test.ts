/**
 * The fused cross-entropy (softmaxCrossEntropy, used by crossEntropy without class weights)
 * against the loss composed from logSoftmax, gather and sums, on both backends; its gradient by
 * finite differences; its error messages.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as F from '../../src/autograd/ops/index.js';
import { gradcheck } from '../../src/autograd/gradcheck.js';
import type { Backend } from '../../src/backend/backend.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { nativeBackend } from '../../src/backend/native/index-node.js';
import { withBackend } from '../../src/backend/registry.js';
import { crossEntropy, type Reduction } from '../../src/nn/losses.js';
import { Generator } from '../../src/tensor/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';

const BACKENDS: Backend[] = nativeBackend ? [jsBackend, nativeBackend] : [jsBackend];

function logits(shape: number[], seed: number, scale = 3): Tensor {
  const g = new Generator(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return new Tensor(Float32Array.from({ length: n }, () => (g.random() * 2 - 1) * scale), shape);
}

/** Random classes in [0, c), with every `every`-th position set to `ignore`. */
function targets(n: number, c: number, seed: number, ignore: number, every: number): Int32Array {
  const g = new Generator(seed);
  return Int32Array.from({ length: n }, (_, i) => (i % every === 2 ? ignore : Math.floor(g.random() * c)));
}

/** torch's cross_entropy written with differentiable primitives, classes in the last dim of x [N, C]. */
function composedRows(x: Tensor, t: Int32Array, ignore: number, eps: number): { rows: Tensor; kept: number } {
  const [n, c] = x.shape;
  const logp = F.logSoftmax(x, 1);
  const safe = Int32Array.from(t, (k) => (k === ignore ? 0 : k));
  const mask = Float32Array.from(t, (k) => (k === ignore ? 0 : 1));
  const nll = F.neg(F.reshape(F.gather(logp, 1, new Tensor(safe, [n, 1])), [n]));
  const uniform = F.neg(F.div(F.sum(logp, 1), c));
  const rows = F.mul(F.add(F.mul(nll, 1 - eps), F.mul(uniform, eps)), new Tensor(mask, [n]));
  return { rows, kept: mask.reduce((a, b) => a + b, 0) };
}

/** The composed loss for input [N, C, d...] and targets [N, d...]. */
function composed(input: Tensor, target: Int32Array, targetShape: number[], ignore: number, eps: number, reduction: Reduction): Tensor {
  let x = input;
  if (input.ndim > 2) {
    const perm = [0, ...Array.from({ length: input.ndim - 2 }, (_, i) => i + 2), 1];
    x = F.reshape(F.permute(input, perm), [-1, input.shape[1]]);
  }
  const { rows, kept } = composedRows(x, target, ignore, eps);
  if (reduction === 'mean') return F.div(F.sum(rows), kept);
  if (reduction === 'sum') return F.sum(rows);
  return F.reshape(rows, targetShape);
}

function close(got: ArrayLike<number>, want: ArrayLike<number>, what: string, atol = 1e-6, rtol = 1e-5): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    const ok = Number.isNaN(want[i]) ? Number.isNaN(got[i]) : Math.abs(got[i] - want[i]) <= atol + rtol * Math.abs(want[i]);
    if (!ok) assert.fail(`${what}: element ${i}: got ${got[i]}, expected ${want[i]}`);
  }
}

/** Loss value and input gradient of `f` (for reduction 'none' through fixed upstream weights). */
function valueAndGrad(input: Tensor, f: (x: Tensor) => Tensor): { value: Float32Array; grad: Float32Array } {
  const x = new Tensor(Float32Array.from(input.values()), input.shape.slice());
  x.requiresGrad = true;
  const out = f(x);
  const value = Float32Array.from(out.values());
  const g = new Generator(99);
  const up = Float32Array.from({ length: out.size }, () => 0.5 + g.random());
  F.sum(F.mul(out, new Tensor(up, out.shape.slice()))).backward();
  return { value, grad: Float32Array.from(x.grad!.values()) };
}

const CASES: { shape: number[]; targetShape: number[] }[] = [
  { shape: [40, 37], targetShape: [40] },
  { shape: [6, 11, 5], targetShape: [6, 5] },
  { shape: [3, 9, 2, 4], targetShape: [3, 2, 4] },
];

for (const backend of BACKENDS) {
  test(`crossEntropy (fused) matches the composed loss on the ${backend.name} backend: ε, ignored rows, reductions, [N, C, d...]`, () => {
    withBackend(backend, () => {
      let seed = 1;
      for (const { shape, targetShape } of CASES) {
        const n = targetShape.reduce((a, b) => a * b, 1);
        for (const ignore of [-100, 0]) {
          const input = logits(shape, seed++);
          const tv = targets(n, shape[1], seed++, ignore, 5);
          const target = new Tensor(tv, targetShape);
          for (const eps of [0, 0.1]) {
            for (const reduction of ['mean', 'sum', 'none'] as const) {
              const what = `${backend.name} [${shape}] ignore=${ignore} ε=${eps} ${reduction}`;
              const fused = valueAndGrad(input, (x) => crossEntropy(x, target, { ignoreIndex: ignore, labelSmoothing: eps, reduction }));
              const ref = valueAndGrad(input, (x) => composed(x, tv, targetShape, ignore, eps, reduction));
              close(fused.value, ref.value, `${what} value`);
              close(fused.grad, ref.grad, `${what} gradient`);
            }
          }
        }
      }
    });
  });
}

test('crossEntropy: a 1-D input with a scalar target, reduction none keeps the target shape', () => {
  const x = logits([7], 3);
  const t = new Tensor(new Int32Array([4]), []);
  const out = crossEntropy(x, t, { reduction: 'none', labelSmoothing: 0.2 });
  assert.deepEqual(out.shape, []);
  const ref = composed(F.unsqueeze(x, 0), new Int32Array([4]), [], -100, 0.2, 'none');
  close(out.values(), ref.values(), '1-D input');
});

test('crossEntropy: every target ignored gives NaN for mean, 0 for sum, and a zero gradient', () => {
  const tv = new Int32Array(4).fill(-100);
  const mean = valueAndGrad(logits([4, 5], 4), (x) => crossEntropy(x, new Tensor(tv, [4])));
  assert.ok(Number.isNaN(mean.value[0]));
  // no row takes part, so nothing flows back (torch skips ignored rows the same way)
  assert.deepEqual(mean.grad, new Float32Array(20));
  const sum = valueAndGrad(logits([4, 5], 4), (x) => crossEntropy(x, new Tensor(tv, [4]), { reduction: 'sum' }));
  assert.deepEqual(Array.from(sum.value), [0]);
  assert.deepEqual(sum.grad, new Float32Array(20));
});

test('crossEntropy with class weights still takes the composed path', () => {
  const x = logits([5, 4], 5);
  const t = new Tensor(new Int32Array([0, 3, 1, -100, 2]), [5]);
  const w = new Tensor(new Float32Array([1, 1, 1, 1]), [4]);
  const weighted = valueAndGrad(x, (xx) => crossEntropy(xx, t, { weight: w, labelSmoothing: 0.1 }));
  const fused = valueAndGrad(x, (xx) => crossEntropy(xx, t, { labelSmoothing: 0.1 }));
  close(weighted.value, fused.value, 'unit weights value');
  close(weighted.grad, fused.grad, 'unit weights gradient');
});

// float64 runs on the reference kernels whatever the backend; the native float32 kernels are
// held to the reference by the fused-versus-composed test above, on each backend
test('softmaxCrossEntropy passes a float64 finite-difference gradient check (with and without label smoothing, ignored rows)', () => {
  for (const eps of [0, 0.1, 1]) {
    const t = targets(12, 9, 7, -100, 4);
    gradcheck((x) => F.softmaxCrossEntropy(x, t, -100, eps), [logits([12, 9], 8, 1.5).to('float64')]);
  }
});

test('softmaxCrossEntropy and crossEntropy name themselves and the problem in errors', () => {
  const x = logits([3, 4], 9);
  assert.throws(() => crossEntropy(x, new Tensor(new Int32Array([0, 4, 1]), [3])),
    { message: 'crossEntropy: target 4 at position 1 is out of range for 4 classes (ignoreIndex -100)' });
  assert.throws(() => crossEntropy(x, new Tensor(new Int32Array([0, 1, -1]), [3]), { ignoreIndex: 0 }),
    { message: 'crossEntropy: target -1 at position 2 is out of range for 4 classes (ignoreIndex 0)' });
  assert.throws(() => crossEntropy(x, new Tensor(new Int32Array([0, 1, 2]), [3]), { labelSmoothing: 1.5 }),
    { message: 'crossEntropy: labelSmoothing must be in [0, 1], got 1.5' });
  assert.throws(() => F.softmaxCrossEntropy(x, new Int32Array([0, 9, 1])),
    { message: 'softmaxCrossEntropy: target 9 at position 1 is out of range for 4 classes (ignoreIndex -100)' });
  assert.throws(() => F.softmaxCrossEntropy(x, new Int32Array([0, 1])),
    { message: 'softmaxCrossEntropy: logits [3,4] need an Int32Array of 3 targets, got 2 targets' });
  assert.throws(() => F.softmaxCrossEntropy(logits([2, 3, 4], 1), new Int32Array(2)),
    { message: 'softmaxCrossEntropy: expected logits [N, C], got [2,3,4]' });
  assert.throws(() => F.softmaxCrossEntropy(x, new Int32Array(3), -100, -0.1),
    { message: 'softmaxCrossEntropy: labelSmoothing must be in [0, 1], got -0.1' });
});
