/**
 * W6_show_attend_tell_train, defined exactly as bench-peers/torch/w6_sat.py: one training step of
 * the Show-Attend-Tell captioner (src/models/caption) with teacher forcing, cross-entropy and
 * Adam(1e-3). CNN conv3x3(1->32)+ReLU+maxpool2 -> conv3x3(32->64)+ReLU+maxpool2 ->
 * conv3x3(64->128)+ReLU+maxpool7 = 9 regions of 128; h0, c0 = tanh(Linear(mean region));
 * additive attention (dim 256) queried with h_{t-1}; LSTMCell([Emb64(y); ctx128] -> 256);
 * Linear(256 -> 30). No gate β, no dropout, no BatchNorm (the peer has none). Batch 64 of uniform
 * [0, 1) 84x84 images, captions of 12 random ids (BOS = 0 first). Warmup 3, 10 timed steps.
 * Metric: images per second.
 */
import { crossEntropy } from '../../src/nn/losses.js';
import { Adam } from '../../src/optim/adam.js';
import * as F from '../../src/autograd/ops/index.js';
import { rand, randint } from '../../src/tensor/creation.js';
import { Generator, manualSeed } from '../../src/tensor/rng.js';
import { buildCaptionModel } from '../../src/models/caption/build.js';
import { summarizeRates, timeIters } from '../stats.js';
import type { BenchOptions, ResultLine, Workload } from '../types.js';
import { commonPeerArgs, peerLine, round, threadBudget, withBenchBackend, type PeerJson } from './common.js';

const NAME = 'W6_show_attend_tell_train';
const B = 64, L = 12, V = 30, D = 128, H = 256, A = 256, E = 64;
const SHAPE = `SAT B${B} 1x84x84 conv32-64-128 regions9x${D} E${E} H${H} A${A} V${V} L${L}`;

/** The peer's FLOP count (w6_sat.py sat_flops): forward conv, forward decoder, one training step. */
export function satFlops(): { conv: number; dec: number; train: number } {
  const conv = 2 * (84 * 84 * 32 * 9 * 1 + 42 * 42 * 64 * 9 * 32 + 21 * 21 * 128 * 9 * 64) * B;
  const dec = 2 * 2 * B * D * H + 2 * B * 9 * D * A
    + L * (2 * B * H * A + 2 * B * 9 * A + 2 * B * 9 * D + 2 * B * (E + D) * 4 * H + 2 * B * H * 4 * H)
    + 2 * B * L * H * V;
  const train = 3 * (conv + dec) - 2 * 84 * 84 * 32 * 9 * B; // conv1 has no input gradient
  return { conv, dec, train };
}

function run(opts: BenchOptions, emit: (r: ResultLine) => void): void {
  const threads = threadBudget(opts, NAME);
  withBenchBackend(threads, (backend, kernelThreads) => {
    manualSeed(0);
    const gen = new Generator(0);
    const model = buildCaptionModel({ model: 'attention', vocabSize: V, channels: [32, 64, D], embSize: E, hiddenSize: H, attentionSize: A, gate: false, dropout: 0 }).train();
    const opt = new Adam(model.parameters(), { lr: 1e-3 });
    const img = rand([B, 1, 84, 84], { generator: gen });
    const cap = randint(2, V, [B, L + 1], { generator: gen });
    for (let b = 0; b < B; b++) cap.data[b * (L + 1)] = 0; // BOS
    const capIn = F.contiguous(F.narrow(cap, 1, 0, L));
    const capOut = F.contiguous(F.narrow(cap, 1, 1, L));
    const losses: number[] = [];

    const step = (): void => {
      opt.zeroGrad();
      const loss = crossEntropy(F.reshape(model.forward(img, capIn).logits, [-1, V]), F.reshape(capOut, [-1]));
      loss.backward();
      opt.step();
      losses.push(loss.item());
    };

    const warmup = opts.warmup ?? 3;
    const times = timeIters(step, warmup, opts.iters ?? 10);
    const s = summarizeRates(times, B);
    const { conv, dec, train } = satFlops();
    const secMedian = B / s.median;
    emit({
      workload: NAME, impl: 'attentive', metric: 'images/s', median: round(s.median, 1), min: round(s.min, 1),
      max: round(s.max, 1), unit: 'images/s', shape: SHAPE, threads, backend, kernel_threads: kernelThreads,
      ms_per_step_median: round(secMedian * 1e3, 2), n: times.length, warmup,
      gflop_fwd_conv: round(conv / 1e9, 3), gflop_fwd_decoder: round(dec / 1e9, 4), gflop_train_step: round(train / 1e9, 3),
      achieved_gflops_median: round(train / 1e9 / secMedian, 1),
      params: model.numParameters(),
      loss_first_last: [round(losses[0], 4), round(losses[losses.length - 1], 4)],
    });
  });
}

export const w6Sat: Workload = {
  name: NAME,
  run,
  peerScript: 'w6_sat.py',
  peerArgs: commonPeerArgs,
  parsePeer: (json) => peerLine(NAME, SHAPE, json as PeerJson),
};
