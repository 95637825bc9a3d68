/**
 * Long training must not grow memory: 25,000 Adam steps of a 2-16-2 MLP on batches of 8, with
 * RSS compared between step 5,000 (after V8 has sized its heap) and step 25,000; a variant that
 * leaks one 8x2 input tensor per step must fail the same bound. The loss tensor and graph of an
 * old step must be collectable. `npm test` runs node with --expose-gc; run alone without it, the
 * file turns the flag on itself, so neither half is ever skipped.
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
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

function exposeGc(): () => void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}
const gc = exposeGc();
const MB = 1024 * 1024;

function setup() {
  const g = new Generator(7);
  const model = new Sequential(new Linear(2, 16, { generator: g }), new Tanh(), new Linear(16, 2, { generator: g }));
  const opt = new Adam(model.parameters(), { lr: 1e-3 });
  const step = (leak?: Tensor[]): Tensor => {
    const x = randn([8, 2], { generator: g });
    leak?.push(x);
    const y = randint(0, 2, [8], { generator: g });
    opt.zeroGrad();
    const loss = crossEntropy(model.forward(x) as Tensor, y);
    backward(loss);
    opt.step();
    return loss;
  };
  return { model, step };
}

/** RSS growth between step 5,000 and step 25,000 (gc before each reading); `leak` keeps every step's input. */
function memoryGrowth(leak: boolean): { rss: number; last: number; finite: boolean } {
  const { model, step } = setup();
  const kept: Tensor[] | undefined = leak ? [] : undefined;
  let at5000 = process.memoryUsage();
  let last = NaN;
  for (let i = 1; i <= 25_000; i++) {
    last = step(kept).item();
    if (i === 5000) {
      gc();
      at5000 = process.memoryUsage();
    }
  }
  gc();
  const end = process.memoryUsage();
  return {
    rss: end.rss - at5000.rss, last,
    finite: model.parameters().every((p) => p.values().every(Number.isFinite)),
  };
}

// Measured on the js backend under the test runner, steps 5,000 to 20,000: without a leak RSS grew
// 0.5 to 9 MB (one step when V8 enlarges its heap, then flat); keeping each step's 8x2 input
// (~1.5 KB per step) grew it by ~25 MB. heapUsed is no better a measure: it moves by a few MB
// either way as V8 flushes compiled code.
const RSS_BOUND = 16 * MB;
const mb = (x: number) => `${(x / MB).toFixed(1)} MB`;

test('RSS does not grow over 25,000 training steps', { timeout: 120_000 }, () => {
  const r = memoryGrowth(false);
  assert.ok(Number.isFinite(r.last), `loss ${r.last}`);
  assert.ok(r.finite);
  assert.ok(r.rss < RSS_BOUND, `RSS grew by ${mb(r.rss)} between step 5,000 and step 25,000`);
});

test('the RSS bound catches a leak of one small tensor per step', { timeout: 120_000 }, () => {
  const r = memoryGrowth(true);
  console.log(`leaking variant: RSS grew by ${mb(r.rss)}`);
  assert.ok(r.rss >= RSS_BOUND, `a leak of one 8x2 tensor per step grew RSS by only ${mb(r.rss)}, under the bound`);
});

test('the loss tensor and graph of an old step are collectable', async () => {
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
    gc();
    if (!lossRef.deref() && !inputRef.deref()) break;
  }
  assert.equal(lossRef.deref(), undefined, 'the loss of an old step is still reachable');
  assert.equal(inputRef.deref(), undefined, 'a graph node of an old step is still reachable');
  // FinalizationRegistry callbacks run some time after collection; give them a few turns
  for (let i = 0; i < 10 && !collected.has('loss'); i++) {
    await new Promise((r) => setTimeout(r, 10));
    gc();
  }
  assert.ok(collected.has('loss'));
});
