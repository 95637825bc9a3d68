/**
 * W5_mlp_train, defined exactly as bench-peers/torch/w5_mlp.py: MLP 784-1024-1024-10, ReLU,
 * Dropout(0.5) after each hidden layer, batch 128, softmax cross-entropy, SGD lr 0.01 momentum 0.9,
 * synthetic MNIST-shaped data (uniform [0, 1) pixels, random labels). One timed block = 20 steps;
 * warmup is counted in blocks, as the peer counts it. Metric: samples per second.
 */
import { Dropout } from '../../src/nn/layers/dropout.js';
import { Linear } from '../../src/nn/layers/linear.js';
import { ReLU } from '../../src/nn/layers/activations.js';
import { Sequential } from '../../src/nn/layers/containers.js';
import { crossEntropy } from '../../src/nn/losses.js';
import { SGD } from '../../src/optim/sgd.js';
import { rand, randint } from '../../src/tensor/creation.js';
import { Generator } from '../../src/tensor/rng.js';
import { summarizeRates, timeIters } from '../stats.js';
import type { BenchOptions, ResultLine, Workload } from '../types.js';
import { commonPeerArgs, peerLine, round, threadBudget, withBenchBackend, type PeerJson } from './common.js';

const NAME = 'W5_mlp_train';
const B = 128;
const INNER = 20;
const SHAPE = `MLP 784-1024-1024-10 B${B}`;

/** Matmul FLOPs of one training step: forward, dgrad and wgrad, without layer 1's input gradient. */
const FWD_FLOPS = 2 * B * (784 * 1024 + 1024 * 1024 + 1024 * 10);
const TRAIN_FLOPS = 3 * FWD_FLOPS - 2 * B * 784 * 1024;

function run(opts: BenchOptions, emit: (r: ResultLine) => void): void {
  const threads = threadBudget(opts, NAME);
  withBenchBackend(threads, (backend, kernelThreads) => {
    const gen = new Generator(0);
    const model = new Sequential(
      new Linear(784, 1024, { generator: gen }), new ReLU(), new Dropout(0.5, gen),
      new Linear(1024, 1024, { generator: gen }), new ReLU(), new Dropout(0.5, gen),
      new Linear(1024, 10, { generator: gen }),
    ).train();
    const opt = new SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
    const x = rand([B, 784], { generator: gen });
    const y = randint(0, 10, [B], { generator: gen });

    const step = (): void => {
      opt.zeroGrad();
      const loss = crossEntropy(model.forward(x), y);
      loss.backward();
      opt.step();
    };

    const warmup = opts.warmup ?? 1;
    const times = timeIters(step, warmup * INNER, opts.iters ?? 7, INNER);
    const s = summarizeRates(times, B);
    const secMedian = B / s.median;
    emit({
      workload: NAME, impl: 'attentive', metric: 'samples/s', median: round(s.median, 1), min: round(s.min, 1),
      max: round(s.max, 1), unit: 'samples/s', shape: SHAPE, threads, backend, kernel_threads: kernelThreads,
      ms_per_step_median: round(secMedian * 1e3, 3), n: times.length, inner: INNER,
      matmul_gflop_train_step: round(TRAIN_FLOPS / 1e9, 4),
      achieved_gflops_median: round(TRAIN_FLOPS / 1e9 / secMedian, 1),
    });
  });
}

export const w5Mlp: Workload = {
  name: NAME,
  run,
  peerScript: 'w5_mlp.py',
  peerArgs: commonPeerArgs,
  parsePeer: (json) => peerLine(NAME, SHAPE, json as PeerJson),
};
