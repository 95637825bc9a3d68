/**
 * W1_seq2seq_attn_train, defined exactly as bench-peers/torch/w1_seq2seq.py: one training step
 * of the LSTM seq2seq + Bahdanau attention model (seq2seq-attn.ts) with teacher forcing,
 * full-softmax cross-entropy over all B·T target tokens and Adam(1e-3). Vocab 8000/6000, emb 256,
 * hidden 512, attention 512, batch 64, src_len = tgt_len = 20; random token ids (BOS = 0).
 * Warmup 3 steps, 10 timed steps. Metric: target tokens per second (B·T per step).
 */
import { crossEntropy } from '../../src/nn/losses.js';
import { Adam } from '../../src/optim/adam.js';
import * as F from '../../src/autograd/ops/index.js';
import { randint } from '../../src/tensor/creation.js';
import { Generator } from '../../src/tensor/rng.js';
import { summarizeRates, timeIters } from '../stats.js';
import type { BenchOptions, ResultLine, Workload } from '../types.js';
import { commonPeerArgs, peerLine, round, threadBudget, withBenchBackend, type PeerJson } from './common.js';
import { Seq2SeqAttn, seq2seqMatmulFlops } from './seq2seq-attn.js';

const NAME = 'W1_seq2seq_attn_train';
const B = 64, S = 20, T = 20, VS = 8000, VT = 6000;
const SHAPE = `seq2seq+attn B${B} S${S} T${T} V${VS}/${VT} E256 H512 A512`;

function run(opts: BenchOptions, emit: (r: ResultLine) => void): void {
  const threads = threadBudget(opts, NAME);
  withBenchBackend(threads, (backend, kernelThreads) => {
    const gen = new Generator(0);
    const model = new Seq2SeqAttn(VS, VT, 256, 512, 512, gen).train();
    const opt = new Adam(model.parameters(), { lr: 1e-3 });
    const src = randint(0, VS, [B, S], { generator: gen });
    const tgt = randint(1, VT, [B, T + 1], { generator: gen });
    for (let b = 0; b < B; b++) tgt.data[b * (T + 1)] = 0; // BOS
    const tgtIn = F.narrow(tgt, 1, 0, T);
    const tgtOut = F.narrow(tgt, 1, 1, T);
    const losses: number[] = [];

    const step = (): void => {
      opt.zeroGrad();
      const logits = model.forward(src, tgtIn);
      const loss = crossEntropy(F.reshape(logits, [-1, VT]), F.reshape(tgtOut, [-1]));
      loss.backward();
      opt.step();
      losses.push(loss.item());
    };

    const warmup = opts.warmup ?? 3;
    const times = timeIters(step, warmup, opts.iters ?? 10);
    const s = summarizeRates(times, B * T);
    const { parts, fwd } = seq2seqMatmulFlops(B, S, T, 256, 512, 512, VT);
    const train = 3 * fwd;
    const g = summarizeRates(times, train / 1e9);
    emit({
      workload: NAME, impl: 'attentive', metric: 'target_tokens/s', median: round(s.median, 1), min: round(s.min, 1),
      max: round(s.max, 1), unit: 'target_tokens/s', shape: SHAPE, threads, backend, kernel_threads: kernelThreads,
      ms_per_step_median: round(((B * T) / s.median) * 1e3, 2), n: times.length, warmup,
      matmul_gflop_fwd: round(fwd / 1e9, 3), matmul_gflop_train_step: round(train / 1e9, 3),
      achieved_gflops_median: round(g.median, 1),
      flops_breakdown_fwd_gflop: Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, round(v / 1e9, 4)])),
      params: model.numParameters(),
      loss_first_last: [round(losses[0], 4), round(losses[losses.length - 1], 4)],
    });
  });
}

export const w1Seq2seq: Workload = {
  name: NAME,
  run,
  peerScript: 'w1_seq2seq.py',
  peerArgs: commonPeerArgs,
  parsePeer: (json) => peerLine(NAME, SHAPE, json as PeerJson),
};
