/**
 * Long training must not grow memory: 10,000 Adam steps of a 2-16-2 MLP on batches of 8, with
 * RSS compared between step 1,000 and step 10,000; and (with --expose-gc) the loss tensor and
 * graph of an old step must be collectable.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backward } from '../../src/autograd/engine.js';
import { randint, randn } from '../../src/tensor/creation.js';
import { Generator } from '../../src/tensor/rng.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { Linear } from '../../src/nn/layers/linear.js';
import { Sequential } from '../../src/nn/layers/containers.js';
import { Tanh } from '../../src/nn/layers/activations.js';
import { crossEntropy } from '../../src/nn/losses.js';
import { Adam } from '../../src/optim/adam.js';

const gc = (globalThis as { gc?: () => void }).gc;
const MB = 1024 * 1024;

function setup() {
  const g = new Generator(7);
  const model = new Sequential(new Linear(2, 16, { generator: g }), new Tanh(), new Linear(16, 2, { generator: g }));
  const opt = new Adam(model.parameters(), { lr: 1e-3 });
  const step = (): Tensor => {
    const x = randn([8, 2], { generator: g });
    const y = randint(0, 2, [8], { generator: g });
    opt.zeroGrad();
    const loss = crossEntropy(model.forward(x) as Tensor, y);
    backward(loss);
    opt.step();
    return loss;
  };
  return { model, step };
}

test('RSS does not grow over 10,000 training steps', { timeout: 60_000 }, () => {
  const { model, step } = setup();
  let rssAt1000 = 0;
  let last = NaN;
  for (let i = 1; i <= 10_000; i++) {
    last = step().item();
    if (i === 1000) {
      gc?.();
      rssAt1000 = process.memoryUsage().rss;
    }
  }
  gc?.();
  const growth = process.memoryUsage().rss - rssAt1000;
  assert.ok(Number.isFinite(last), `loss ${last}`);
  assert.ok(model.parameters().every((p) => p.values().every(Number.isFinite)));
  // The model and optimizer hold a few KB; 64 MB leaves room for V8's heap sizing and JIT while
  // a leak of even one small tensor per step (10 steps' graphs are ~ tens of KB) would exceed it.
  assert.ok(growth < 64 * MB, `RSS grew by ${(growth / MB).toFixed(1)} MB between step 1,000 and step 10,000`);
});

test('the loss tensor and graph of an old step are collectable', { skip: gc ? false : 'run with --expose-gc to check collectability' }, async () => {
  const { step } = setup();
  let loss: Tensor | null = step();
  const lossRef = new WeakRef(loss);
  const inputRef = new WeakRef(loss.gradFn!.inputs[0]);
  const collected = new Set<string>();
  const registry = new FinalizationRegistry<string>((k) => collected.add(k));
  registry.register(loss, 'loss');
  loss = null;
  for (let i = 0; i < 20; i++) step();
  // deref() keeps its target alive until the current job ends, so yield before every gc
  for (let i = 0; i < 10; i++) {
    await new Promise((r) => setImmediate(r));
    gc!();
    if (!lossRef.deref() && !inputRef.deref()) break;
  }
  assert.equal(lossRef.deref(), undefined, 'the loss of an old step is still reachable');
  assert.equal(inputRef.deref(), undefined, 'a graph node of an old step is still reachable');
  // FinalizationRegistry callbacks run some time after collection; give them a few turns
  for (let i = 0; i < 10 && !collected.has('loss'); i++) {
    await new Promise((r) => setTimeout(r, 10));
    gc!();
  }
  assert.ok(collected.has('loss'));
});
