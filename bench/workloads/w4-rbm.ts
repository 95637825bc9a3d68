/**
 * W4_rbm_cd1, defined exactly as bench-peers/torch/w4_rbm.py: a Bernoulli–Bernoulli RBM, 784
 * visible × 500 hidden, batch 100 of Bernoulli(0.5) pixels, one CD-1 update with sampled h0 and v1,
 * plain SGD lr 0.01, written with plain tensor ops under noGrad (no autograd):
 *   ph0 = σ(v0 W + c); h0 ~ Bern(ph0); pv1 = σ(h0 Wᵀ + b); v1 ~ Bern(pv1); ph1 = σ(v1 W + c)
 *   W += lr (v0ᵀ ph0 − v1ᵀ ph1) / B;  b += lr mean(v0 − v1);  c += lr mean(ph0 − ph1)
 * One timed block = 50 updates; warmup counted in blocks. Metric: samples per second.
 */
import * as F from '../../src/autograd/ops/index.js';
import { noGrad } from '../../src/autograd/grad-mode.js';
import { bernoulli, randn, zeros } from '../../src/tensor/creation.js';
import { Generator } from '../../src/tensor/rng.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { summarizeRates, timeIters } from '../stats.js';
import type { BenchOptions, ResultLine, Workload } from '../types.js';
import { commonPeerArgs, peerLine, round, threadBudget, withBenchBackend, type PeerJson } from './common.js';

const NAME = 'W4_rbm_cd1';
const NV = 784, NH = 500, B = 100, LR = 0.01;
const INNER = 50;
const SHAPE = `RBM ${NV}x${NH} B${B}`;
/** Five GEMMs of B × NV × NH per update. */
const FLOPS = 5 * 2 * B * NV * NH;

function run(opts: BenchOptions, emit: (r: ResultLine) => void): void {
  const threads = threadBudget(opts, NAME);
  withBenchBackend(threads, (backend, kernelThreads) => {
    const gen = new Generator(0);
    let W: Tensor = randn([NV, NH], { std: 0.01, generator: gen });
    let b: Tensor = zeros([NV]);
    let c: Tensor = zeros([NH]);
    const v0 = bernoulli(0.5, [B, NV], { generator: gen });
    const v0T = F.transpose(v0); // a view: the GEMM reads it transposed, no copy

    // addmm as the peer uses it: each product accumulates into its bias/weight in one GEMM
    const cd1 = (): void => noGrad(() => {
      const ph0 = F.sigmoid(F.addmm(c, v0, W)); // (B, NH)
      const h0 = bernoulli(ph0, undefined, { generator: gen });
      const pv1 = F.sigmoid(F.addmm(b, h0, F.transpose(W))); // (B, NV)
      const v1 = bernoulli(pv1, undefined, { generator: gen });
      const ph1 = F.sigmoid(F.addmm(c, v1, W)); // (B, NH)
      W = F.addmm(F.addmm(W, v0T, ph0, { alpha: LR / B }), F.transpose(v1), ph1, { alpha: -LR / B }); // (NV, NH)
      b = F.add(b, F.mul(F.mean(F.sub(v0, v1), 0), LR));
      c = F.add(c, F.mul(F.mean(F.sub(ph0, ph1), 0), LR));
    });

    const times = timeIters(cd1, (opts.warmup ?? 1) * INNER, opts.iters ?? 7, INNER);
    const s = summarizeRates(times, B);
    const secMedian = B / s.median;
    emit({
      workload: NAME, impl: 'attentive', metric: 'samples/s', median: round(s.median, 1), min: round(s.min, 1),
      max: round(s.max, 1), unit: 'samples/s', shape: SHAPE, threads, backend, kernel_threads: kernelThreads,
      ms_per_update_median: round(secMedian * 1e3, 4), n: times.length, inner: INNER,
      matmul_gflop_per_update: round(FLOPS / 1e9, 4),
      achieved_gflops_median: round(FLOPS / 1e9 / secMedian, 1),
    });
  });
}

export const w4Rbm: Workload = {
  name: NAME,
  run,
  peerScript: 'w4_rbm.py',
  peerArgs: commonPeerArgs,
  parsePeer: (json) => peerLine(NAME, SHAPE, json as PeerJson),
};
