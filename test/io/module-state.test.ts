import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadWeightsInto, optimizerFromArrays, optimizerToArrays, weightsOf } from '../../src/io/module-state.js';
import { decodeSafetensors, encodeSafetensors } from '../../src/io/safetensors.js';
import { BatchNorm1d, Linear, Sequential } from '../../src/nn/index.js';
import { Adam } from '../../src/optim/index.js';
import { Generator } from '../../src/tensor/rng.js';
import { randn } from '../../src/tensor/creation.js';
import * as F from '../../src/autograd/ops/index.js';

const make = (seed: number) => new Sequential(new Linear(3, 4, { generator: new Generator(seed) }), new BatchNorm1d(4), new Linear(4, 2, { generator: new Generator(seed + 1) }));

test('weights round-trip through safetensors into a fresh module, int32 buffers included', () => {
  const a = make(1);
  a.forward(randn([5, 3])); // updates running stats and num_batches_tracked
  const bytes = encodeSafetensors(weightsOf(a));
  const b = make(2);
  loadWeightsInto(b, decodeSafetensors(bytes).tensors);
  a.eval(); b.eval();
  const x = randn([2, 3]);
  assert.deepEqual(Array.from(b.forward(x).values()), Array.from(a.forward(x).values()));
  assert.equal(weightsOf(b)['1.num_batches_tracked'].dtype, 'int32');
});

test('weightsOf copies: later training does not change a saved snapshot', () => {
  const m = make(3);
  const snap = weightsOf(m);
  const before = snap['0.weight'].data[0];
  (m.parameters()[0].data as Float32Array)[0] += 1;
  assert.equal(snap['0.weight'].data[0], before);
});

test('loadWeightsInto lists every problem at once', () => {
  const w = weightsOf(make(1));
  delete w['0.bias'];
  w['extra'] = { dtype: 'float32', shape: [1], data: new Float32Array(1) };
  w['2.weight'] = { dtype: 'float32', shape: [4, 2], data: new Float32Array(8) };
  assert.throws(() => loadWeightsInto(make(2), w, 'x.safetensors'), (e: Error) =>
    /x\.safetensors/.test(e.message) && /missing key 0\.bias/.test(e.message) && /unexpected key extra/.test(e.message) && /2\.weight: expected \[2,4\], file has \[4,2\]/.test(e.message));
});

test('optimizer state survives the array round trip (resumed run continues bit-identically)', () => {
  const run = (resumeAt: number | null) => {
    const m = new Linear(3, 2, { generator: new Generator(5) });
    let opt = new Adam(m.parameters(), { lr: 0.1 });
    const g = new Generator(9);
    for (let s = 0; s < 6; s++) {
      if (s === resumeAt) {
        const { tensors, state } = optimizerToArrays(opt.stateDict());
        opt = new Adam(m.parameters(), { lr: 0.1 });
        opt.loadStateDict(optimizerFromArrays(decodeSafetensors(encodeSafetensors(tensors)).tensors, JSON.parse(JSON.stringify(state))));
      }
      opt.zeroGrad();
      F.sum(F.square(m.forward(randn([4, 3], { generator: g })))).backward();
      opt.step();
    }
    return Array.from(m.weight.values());
  };
  assert.deepEqual(run(3), run(null));
});
