/**
 * The fused layerNorm against its composition (mean, centre, variance, rsqrt, affine) in values
 * and gradients, in float32 (the native kernel's precision) and float64, on both backends; float64
 * finite-difference checks on both backends (under the native one they also compare its float32
 * values and gradients with the reference's); errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as F from '../../src/autograd/ops/index.js';
import { gradcheck } from './check.js';
import type { Backend } from '../../src/backend/backend.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { nativeBackend } from '../../src/backend/native/index-node.js';
import { withBackend } from '../../src/backend/registry.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { rnd } from './helpers.js';

const BACKENDS: Backend[] = nativeBackend ? [jsBackend, nativeBackend] : [jsBackend];

function composed(x: Tensor, shape: number[], w: Tensor | null, b: Tensor | null, eps: number): Tensor {
  const axes = shape.map((_, i) => x.ndim - shape.length + i);
  const c = F.sub(x, F.mean(x, axes, true));
  let y = F.mul(c, F.rsqrt(F.add(F.mean(F.square(c), axes, true), eps)));
  if (w) y = F.mul(y, w);
  if (b) y = F.add(y, b);
  return y;
}

function run(f: typeof composed, x0: Tensor, shape: number[], w0: Tensor | null, b0: Tensor | null) {
  const lf = (t: Tensor | null) => (t ? t.detach().requiresGrad_() : null);
  const x = lf(x0)!, w = lf(w0), b = lf(b0);
  const y = f(x, shape, w, b, 1e-5);
  F.sum(F.mul(y, rnd(y.shape.slice(), 9).to(y.dtype))).backward();
  return [y.values(), x.grad!.values(), w?.grad?.values() ?? [], b?.grad?.values() ?? []];
}

const fused: typeof composed = (x, s, w, b, eps) => F.layerNorm(x, s, w, b, eps);

test('layerNorm equals its composition, with and without affine parameters, on both backends, in float32 and float64', () => {
  const cases: [number[], number[], boolean][] = [[[3, 7], [7], true], [[2, 3, 4, 5], [4, 5], true], [[40, 256], [256], true], [[5, 9], [9], false]];
  // float32 rounds in a different order in each; float64 leaves only double rounding
  const tol = { float32: [2e-5, 1e-4], float64: [1e-12, 1e-10] } as const;
  for (const be of BACKENDS) {
    for (const dtype of ['float32', 'float64'] as const) {
      const make = (shape: number[], seed: number) => rnd(shape, seed).to(dtype);
      const [atol, rtol] = tol[dtype];
      withBackend(be, () => {
        for (const [xs, ns, affine] of cases) {
          const x = make(xs, 1), w = affine ? make(ns, 2) : null, b = affine ? make(ns, 3) : null;
          const a = run(fused, x, ns, w, b), e = run(composed, x, ns, w, b);
          a.forEach((arr, k) => {
            if (k < 2) assert.equal((arr as Float32Array | Float64Array).constructor, dtype === 'float32' ? Float32Array : Float64Array, `${be.name} ${dtype} part ${k}`);
            for (let i = 0; i < e[k].length; i++) {
              assert.ok(Math.abs(arr[i] - e[k][i]) <= atol + rtol * Math.abs(e[k][i]), `${be.name} ${dtype} ${xs} part ${k} [${i}]: ${arr[i]} vs ${e[k][i]}`);
            }
          });
        }
      });
    }
  }
});

for (const be of BACKENDS) {
  test(`gradcheck of layerNorm on ${be.name}`, () => {
    withBackend(be, () => {
      gradcheck((x, w, b) => F.layerNorm(x, [6], w, b), [rnd([4, 6], 1), rnd([6], 2), rnd([6], 3)]);
      gradcheck((x) => F.layerNorm(x, [3, 4]), [rnd([2, 3, 4], 4)]);
      // large enough for the native kernel (smaller calls run on the reference one)
      gradcheck((x, w, b) => F.layerNorm(x, [8], w, b), [rnd([10, 8], 5), rnd([8], 6), rnd([8], 7)]);
    });
  });
}

test('layerNorm names shapes it cannot use', () => {
  assert.throws(() => F.layerNorm(rnd([3, 5], 1), [4]), /layerNorm: input shape \[3, ?5\] does not end with the normalized shape \[4\]/);
  assert.throws(() => F.layerNorm(rnd([3, 5], 1), [5], rnd([4], 2)), /layerNorm: weight \[4\] must have the normalized shape \[5\]/);
});
