import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nativeBackend, nativeLoadError } from '../../src/backend/native/index-node.js';
import { withBackend } from '../../src/backend/registry.js';
import * as F from '../../src/autograd/ops/index.js';
import { LSTM, Linear, crossEntropy } from '../../src/nn/index.js';
import { Adam, clipGradNorm } from '../../src/optim/index.js';
import { Generator } from '../../src/tensor/rng.js';
import { randn, randint } from '../../src/tensor/creation.js';

/** Trains a small LSTM tagger for a few steps and returns its final weights. */
function train(seed: number): Float32Array[] {
  const g = new Generator(seed);
  const lstm = new LSTM({ inputSize: 16, hiddenSize: 48, batchFirst: true, bidirectional: true, generator: g });
  const head = new Linear(96, 7, { generator: g });
  const params = [...lstm.parameters(), ...head.parameters()];
  const opt = new Adam(params, { lr: 1e-2 });
  for (let step = 0; step < 15; step++) {
    const x = randn([32, 9, 16], { generator: g });
    const y = randint(0, 7, [32 * 9], { generator: g });
    const { output } = lstm.forward(x, undefined, { lengths: Array.from({ length: 32 }, (_, i) => 1 + (i % 9)) });
    const loss = crossEntropy(F.reshape(head.forward(output), [-1, 7]), y);
    opt.zeroGrad();
    loss.backward();
    clipGradNorm(params, 1);
    opt.step();
  }
  return params.map((p) => (p.values() as Float32Array).slice());
}

test('same seed, native backend: bit-identical weights after training', (t) => {
  if (!nativeBackend) return t.skip(`native addon not available: ${nativeLoadError}`);
  const a = withBackend(nativeBackend, () => train(5));
  const b = withBackend(nativeBackend, () => train(5));
  const c = withBackend(nativeBackend, () => train(6));
  a.forEach((w, i) => assert.deepEqual(b[i], w, `parameter ${i} differs between two runs with the same seed`));
  assert.ok(a.some((w, i) => w.some((v, j) => v !== c[i][j])), 'a different seed should give different weights');
});
