/**
 * Seeded float64 inputs for the op gradchecks (gradcheck runs in float64 with PyTorch's
 * tolerances): plain, kept away from kinks, and non-contiguous views.
 */
import assert from 'node:assert/strict';
import { Tensor } from '../../src/tensor/tensor.js';
import { rand, randn } from '../../src/tensor/creation.js';
import { Generator } from '../../src/tensor/rng.js';
import '../../src/autograd/index.js';

/** Standard normal values. */
export function rnd(shape: number[], seed: number): Tensor {
  return randn(shape, { generator: new Generator(seed), dtype: 'float64' });
}

/** Uniform values in [lo, hi). */
export function uni(shape: number[], lo: number, hi: number, seed: number): Tensor {
  return rand(shape, { low: lo, high: hi, generator: new Generator(seed), dtype: 'float64' });
}

/** Values with |v| in [0.2, 1.2) and random signs: no input sits near a kink at 0. */
export function awayFromZero(shape: number[], seed: number): Tensor {
  const g = new Generator(seed);
  const t = rand(shape, { low: 0.2, high: 1.2, generator: g, dtype: 'float64' });
  for (let i = 0; i < t.data.length; i++) if (g.random() < 0.5) t.data[i] = -t.data[i];
  return t;
}

/**
 * 0.1·k for k = 0..n-1 shuffled and centred: distinct and spaced well beyond the
 * finite-difference step, so max/min/sort never see a tie during a gradcheck.
 */
export function distinct(shape: number[], seed: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const order = new Generator(seed).shuffle(Array.from({ length: n }, (_, i) => i));
  return new Tensor(Float64Array.from(order, (k) => 0.1 * k - 0.05 * n), shape);
}

/** A leaf of shape [r, c] stored transposed (as [c, r]), so it is not contiguous. */
export function transposedLeaf(r: number, c: number, seed: number, make = rnd): Tensor {
  const base = make([c, r], seed);
  return new Tensor(base.data, [r, c], [1, r], 0);
}

/** A leaf of `shape` cut from the middle of a wider tensor along the last axis (offset and padded rows). */
export function narrowedLeaf(shape: number[], seed: number, make = rnd): Tensor {
  const last = shape[shape.length - 1];
  const wide = make([...shape.slice(0, -1), last + 3], seed);
  return new Tensor(wide.data, shape, wide.strides, 1);
}

/** Asserts every element is within atol + rtol·|expected|. */
export function assertClose(actual: Tensor, expected: ArrayLike<number>, atol = 1e-6, rtol = 1e-5, what = 'values'): void {
  const a = actual.values();
  assert.equal(a.length, expected.length, `${what}: length`);
  for (let i = 0; i < a.length; i++) {
    const err = Math.abs(a[i] - expected[i]);
    if (!(err <= atol + rtol * Math.abs(expected[i]))) assert.fail(`${what}: element ${i}: got ${a[i]}, expected ${expected[i]}`);
  }
}

/** Exact nested-array comparison for hand-computed values. */
export function assertValues(actual: Tensor, expected: unknown, what = 'values'): void {
  assert.deepEqual(actual.toArray(), expected, what);
}
