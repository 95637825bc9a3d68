import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../src/autograd/index.js';
import { rand } from '../../src/tensor/creation.js';
import { Generator } from '../../src/tensor/rng.js';
import { Autoencoder, maskingNoise, trainAutoencoder } from '../../src/models/autoencoder.js';
import { pretrainStack, propagate, unrollToMlp } from '../../src/models/pretrain.js';
import { Linear, Sigmoid } from '../../src/nn/index.js';
import { loadMnist } from '../../src/data/mnist-node.js';
import { Tensor } from '../../src/tensor/tensor.js';

const digits = () => loadMnist({ trainSize: 200, testSize: 10 }).train.x;

test('autoencoders (plain tied, untied, denoising) reduce their reconstruction loss', () => {
  const x = digits();
  for (const [tied, corruption] of [[true, 0], [false, 0], [true, 0.3]] as const) {
    const g = new Generator(1);
    const ae = new Autoencoder({ nVisible: 784, nHidden: 16, tied, generator: g });
    assert.equal(ae.parameters().length, tied ? 3 : 4);
    const stats = trainAutoencoder(ae, x, { epochs: 3, batchSize: 20, lr: 3e-3, corruption, generator: g });
    assert.ok(stats[3].cleanLoss < 0.8 * stats[0].cleanLoss, `tied=${tied} corruption=${corruption}: ${stats.map((s) => s.cleanLoss)}`);
    assert.ok(stats[3].trainLoss < stats[1].trainLoss);
    assert.deepEqual(ae.forward(x.narrow(0, 0, 5).contiguous()).shape, [5, 784]);
  }
});

test('maskingNoise zeroes about the given fraction and nothing else', () => {
  const x = rand([100, 50], { generator: new Generator(2), low: 0.5, high: 1 });
  const y = maskingNoise(x, 0.3, new Generator(5)).values();
  const xv = x.values();
  let zeros = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] === 0) zeros++;
    else assert.equal(y[i], xv[i]);
  }
  assert.ok(Math.abs(zeros / y.length - 0.3) < 0.03, `zeroed fraction ${zeros / y.length}`);
  assert.throws(() => maskingNoise(x, 1), /corruption must be in \[0, 1\), got 1/);
});

test('pretrainStack trains each layer on the previous layer\'s codes and unrolls into an MLP of the right shapes', () => {
  const x = digits();
  for (const method of ['rbm', 'ae', 'dae'] as const) {
    const g = new Generator(0);
    const seen: number[] = [];
    const stack = pretrainStack(x, { sizes: [784, 20, 12, 8], method, epochs: 1, generator: g, onEpoch: (l) => seen.push(l) });
    assert.deepEqual(stack.map((l) => l.weight.shape), [[20, 784], [12, 20], [8, 12]]);
    assert.deepEqual(stack.map((l) => l.bias.shape), [[20], [12], [8]]);
    assert.deepEqual([...new Set(seen)], [0, 1, 2]);
    // layer 2's model was trained on h2 = propagate(layer 1, propagate(layer 0, x))
    const h2 = propagate(stack[1], propagate(stack[0], x));
    assert.deepEqual(h2.shape, [200, 12]);
    const mlp = unrollToMlp(stack, 10, g);
    assert.equal(mlp.length, 7);
    assert.ok(mlp.at(0) instanceof Linear && mlp.at(1) instanceof Sigmoid);
    assert.deepEqual(Array.from((mlp.at(2) as Linear).weight.values()), Array.from(stack[1].weight.values()));
    assert.deepEqual((mlp.forward(x) as Tensor).shape, [200, 10]);
    // the MLP's hidden code equals the stack's propagation
    const code = (mlp.at(5) as Sigmoid).forward((mlp.at(4) as Linear).forward((mlp.at(3) as Sigmoid).forward((mlp.at(2) as Linear).forward((mlp.at(1) as Sigmoid).forward((mlp.at(0) as Linear).forward(x))))));
    const want = propagate(stack[2], h2).values();
    code.values().forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-5));
  }
  assert.throws(() => pretrainStack(x, { sizes: [100, 10], method: 'rbm', epochs: 1 }), /expected data of shape \[n, 100\], got \[200,784\]/);
});
