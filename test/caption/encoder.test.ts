import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as F from '../../src/autograd/ops/index.js';
import { CaptionEncoder, ENCODER_POOLS } from '../../src/models/caption/encoder.js';
import { randn } from '../../src/tensor/creation.js';
import { Generator, manualSeed } from '../../src/tensor/rng.js';
import type { Tensor } from '../../src/tensor/tensor.js';

/**
 * The encoder runs its blocks as one op (conv2dReluMaxPool2d) or, with BatchNorm, pools before
 * ReLU: both are rewrites of conv → [BatchNorm] → ReLU → max pooling, so its output and every
 * parameter's gradient must equal the plain composition's.
 */
function composed(enc: CaptionEncoder, images: Tensor, batchNorm: 'none' | 'last' | 'all'): Tensor {
  let x = images;
  const n = enc.channels.length;
  const first = batchNorm === 'all' ? 0 : batchNorm === 'last' ? n - 1 : n;
  for (let i = 0; i < n; i++) {
    x = enc.convs.at(i).forward(x);
    if (enc.norms && i >= first) x = enc.norms.at(i - first).forward(x);
    x = F.maxPool2d(F.relu(x), ENCODER_POOLS[i]);
  }
  return F.contiguous(F.transpose(F.flatten(x, 2), 1, 2));
}

for (const batchNorm of ['none', 'last', 'all'] as const) {
  test(`caption encoder (batchNorm ${batchNorm}) equals conv -> [BatchNorm] -> ReLU -> max pooling in values and gradients (float64)`, () => {
    manualSeed(11);
    const enc = new CaptionEncoder([3, 4, 5], batchNorm).to('float64').train();
    const images = randn([2, 1, 84, 84], { generator: new Generator(12), dtype: 'float64' });
    const up = randn([2, 9, 5], { generator: new Generator(13), dtype: 'float64' });
    const run = (f: () => Tensor) => {
      enc.zeroGrad();
      const out = f();
      F.sum(F.mul(out, up)).backward();
      return { out: Array.from(out.values()), grads: enc.parameters().map((p) => Array.from(p.grad!.values())) };
    };
    const got = run(() => enc.forward(images));
    const want = run(() => composed(enc, images, batchNorm));
    const close = (a: number[], b: number[], what: string) => {
      assert.equal(a.length, b.length, what);
      for (let i = 0; i < b.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= 1e-10 * (1 + Math.abs(b[i])), `${what} ${i}: ${a[i]} vs ${b[i]}`);
    };
    close(got.out, want.out, 'output');
    got.grads.forEach((g, k) => close(g, want.grads[k], `gradient of parameter ${k}`));
  });
}
