import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../src/autograd/index.js';
import { EarlyStopping } from '../../src/optim/early-stopping.js';
import { Linear, Sequential } from '../../src/nn/index.js';
import { GaussianNoise } from '../../src/nn/layers/gaussian-noise.js';
import { ones } from '../../src/tensor/creation.js';
import { Generator } from '../../src/tensor/rng.js';

test('EarlyStopping stops after `patience` epochs without a minDelta improvement and restores the best weights', () => {
  const model = new Sequential(new Linear(2, 2));
  const w = (model.at(0) as Linear).weight;
  const es = new EarlyStopping({ patience: 2, minDelta: 0.01 });
  const losses = [1.0, 0.8, 0.795, 0.9, 0.7999];
  const stops: boolean[] = [];
  let bestWeights: number[] = [];
  losses.forEach((loss, e) => {
    w.data.fill(e + 1); // a different weight per epoch
    if (e === 1) bestWeights = Array.from(w.values());
    stops.push(es.update(loss, model));
  });
  // 0.795 and 0.7999 are within minDelta of 0.8: no improvement after epoch 2
  assert.deepEqual(stops, [false, false, false, false, true]);
  assert.equal(es.bestEpoch, 2);
  assert.equal(es.best, 0.8);
  assert.deepEqual(Array.from(w.values()), bestWeights);
});

test('EarlyStopping in max mode and argument checks', () => {
  const es = new EarlyStopping({ patience: 0, mode: 'max' });
  assert.equal(es.update(0.5), false);
  assert.equal(es.update(0.6), false);
  assert.equal(es.update(0.6), true);
  assert.throws(() => new EarlyStopping({ patience: -1 }), /patience must be a non-negative integer, got -1/);
  assert.throws(() => es.update(NaN), /metric is NaN/);
});

test('GaussianNoise adds noise of the given std in train mode only', () => {
  const layer = new GaussianNoise(0.5, new Generator(0));
  const x = ones([200, 50]);
  const y = layer.forward(x).values();
  let s = 0, sq = 0;
  for (const v of y) { s += v - 1; sq += (v - 1) ** 2; }
  const std = Math.sqrt(sq / y.length - (s / y.length) ** 2);
  assert.ok(Math.abs(std - 0.5) < 0.02, `std ${std}`);
  layer.eval();
  assert.equal(layer.forward(x), x);
});
