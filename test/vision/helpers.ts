/** Shared helpers for the vision op tests: seeded inputs, closeness checks, PyTorch fixtures. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tensor } from '../../src/tensor/tensor.js';
import { randn } from '../../src/tensor/creation.js';
import { Generator } from '../../src/tensor/rng.js';
import { decodeSafetensors } from '../../src/io/safetensors.js';
import '../../src/autograd/index.js';

/** Standard-normal float64 tensor from its own seeded generator (float64: gradcheck needs it). */
export function rnd(shape: number[], seed: number): Tensor {
  return randn(shape, { generator: new Generator(seed), dtype: 'float64' });
}

/**
 * Values 0.1·k for k = 0..n-1 in a seeded random order: distinct and spaced well beyond the
 * finite-difference step, so max pooling never meets a tie during a gradcheck.
 */
export function distinct(shape: number[], seed: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const order = new Generator(seed).shuffle(Array.from({ length: n }, (_, i) => i));
  return new Tensor(Float64Array.from(order, (k) => 0.1 * k - 0.05 * n), shape);
}

/** Contiguous [N,C,H,W] values as a non-contiguous permuted view (stored as [N,H,C,W]). */
export function permutedNCHW(shape: [number, number, number, number], seed: number): Tensor {
  const [n, c, h, w] = shape;
  const base = rnd([n, h, c, w], seed);
  return new Tensor(base.data, [n, c, h, w], [base.strides[0], base.strides[2], base.strides[1], base.strides[3]], 0);
}

/** Asserts |actual - expected| ≤ atol + rtol·|expected| elementwise, with shapes equal. */
export function assertClose(actual: Tensor, expected: ArrayLike<number>, shape: readonly number[], atol: number, rtol: number, what: string): void {
  assert.deepEqual(actual.shape, shape, `${what}: shape`);
  const a = actual.values();
  assert.equal(a.length, expected.length, `${what}: length`);
  for (let i = 0; i < a.length; i++) {
    const err = Math.abs(a[i] - expected[i]);
    if (!(err <= atol + rtol * Math.abs(expected[i]))) {
      assert.fail(`${what}: element ${i}: got ${a[i]}, expected ${expected[i]} (|diff| ${err})`);
    }
  }
}

/** Exact comparison with a nested array of hand-computed values. */
export function assertValues(actual: Tensor, expected: unknown, what = 'values'): void {
  assert.deepEqual(actual.toArray(), expected, what);
}

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'torch');

export interface Fixture {
  json: { args: Record<string, unknown> };
  tensor(name: string): Tensor;
}

/** A PyTorch fixture case, or null when the fixture files are absent. */
export function loadFixture(name: string): Fixture | null {
  const file = join(FIXTURES, `${name}.safetensors`);
  if (!existsSync(file)) return null;
  const decoded = decodeSafetensors(readFileSync(file));
  const json = JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8'));
  return {
    json,
    tensor(key: string): Tensor {
      const t = decoded.tensors[key];
      if (!t) throw new Error(`fixture ${name}: no tensor '${key}'`);
      return new Tensor(t.data, t.shape.slice());
    },
  };
}

/**
 * Runs `f` on the fixture's input (and params), back-propagates the stored upstream, and compares
 * output and gradients with PyTorch's at the fixture README's tolerances.
 */
export function checkFixture(fx: Fixture, params: string[], f: (x: Tensor, ...p: Tensor[]) => Tensor): void {
  const x = fx.tensor('input').requiresGrad_();
  const ps = params.map((p) => fx.tensor(`param.${p}`).requiresGrad_());
  const out = f(x, ...ps);
  const expected = fx.tensor('output');
  assertClose(out, expected.values(), expected.shape, 1e-5, 1e-4, 'output');
  out.backward(fx.tensor('upstream'));
  const gx = fx.tensor('grad.input');
  assertClose(x.grad!, gx.values(), gx.shape, 1e-4, 1e-3, 'grad.input');
  params.forEach((p, i) => {
    const gp = fx.tensor(`grad.param.${p}`);
    assertClose(ps[i].grad!, gp.values(), gp.shape, 1e-4, 1e-3, `grad.param.${p}`);
  });
}
