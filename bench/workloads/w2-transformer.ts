/**
 * W2_transformer_train, defined exactly as bench-peers/torch/w2_transformer.py: one training step
 * of nn.Transformer (post-LN, ReLU, dropout 0.1, batch-first; d 256, 4 heads, ff 1024, 3 + 3
 * layers) with untied embeddings 8000/6000 scaled by √d plus sinusoidal positions, dropout on
 * both embedded inputs, Linear(256 → 6000), a causal target mask, full-softmax cross-entropy and
 * Adam(1e-3). Batch 64, src_len = tgt_len = 20; random token ids (BOS = 0). Warmup 3, 10 timed
 * steps. Metric: target tokens per second (B·T per step).
 */
import * as F from '../../src/autograd/ops/index.js';
import { crossEntropy } from '../../src/nn/losses.js';
import { Module } from '../../src/nn/module.js';
import { Dropout } from '../../src/nn/layers/dropout.js';
import { Embedding } from '../../src/nn/layers/embedding.js';
import { Linear } from '../../src/nn/layers/linear.js';
import { generateSquareSubsequentMask } from '../../src/nn/layers/multihead-attention.js';
import { sinusoidalTable } from '../../src/nn/layers/positional-encoding.js';
import { Transformer } from '../../src/nn/layers/transformer.js';
import { Adam } from '../../src/optim/adam.js';
import { randint } from '../../src/tensor/creation.js';
import { Generator } from '../../src/tensor/rng.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { summarizeRates, timeIters } from '../stats.js';
import type { BenchOptions, ResultLine, Workload } from '../types.js';
import { commonPeerArgs, peerLine, round, threadBudget, withBenchBackend, type PeerJson } from './common.js';

const NAME = 'W2_transformer_train';
export const B = 64, S = 20, T = 20, VS = 8000, VT = 6000, D = 256, H = 4, FF = 1024, NE = 3, ND = 3;
const SHAPE = `transformer B${B} S${S} T${T} V${VS}/${VT} d${D} h${H} ff${FF} L${NE}+${ND}`;

/** The peer's TransformerMT. */
export class TransformerMT extends Module {
  src_emb: Embedding;
  tgt_emb: Embedding;
  drop: Dropout;
  tf: Transformer;
  out: Linear;
  declare pe: Tensor;

  constructor(gen: Generator, dropout = 0.1, maxLen = 64) {
    super();
    this.src_emb = new Embedding(VS, D, { generator: gen });
    this.tgt_emb = new Embedding(VT, D, { generator: gen });
    this.registerBuffer('pe', sinusoidalTable(maxLen, D));
    this.drop = new Dropout(dropout, gen);
    this.tf = new Transformer({ dModel: D, nhead: H, numEncoderLayers: NE, numDecoderLayers: ND, dimFeedforward: FF, dropout, batchFirst: true, generator: gen });
    this.out = new Linear(D, VT, { generator: gen });
  }

  private embed(emb: Embedding, ids: Tensor): Tensor {
    const x = F.mul(emb.forward(ids), Math.sqrt(D)); // (B, L, D)
    return this.drop.forward(F.add(x, F.narrow(this.pe, 0, 0, ids.shape[1])));
  }

  forward(src: Tensor, tgtIn: Tensor, tgtMask: Tensor): Tensor {
    return this.out.forward(this.tf.forward(this.embed(this.src_emb, src), this.embed(this.tgt_emb, tgtIn), { tgtMask }));
  }
}

/** Matmul FLOPs as the peer's transformer_matmul_flops. */
function transformerMatmulFlops(): { parts: Record<string, number>; fwd: number } {
  const Ns = B * S, Nt = B * T;
  const enc = 8 * Ns * D * D + 4 * B * S * S * D + 4 * Ns * D * FF;
  const dec = (8 * Nt * D * D + 4 * B * T * T * D) + (4 * Nt * D * D + 4 * Ns * D * D + 4 * B * T * S * D) + 4 * Nt * D * FF;
  const out = 2 * Nt * D * VT;
  return { parts: { encoder: NE * enc, decoder: ND * dec, output_proj: out }, fwd: NE * enc + ND * dec + out };
}

function run(opts: BenchOptions, emit: (r: ResultLine) => void): void {
  const threads = threadBudget(opts, NAME);
  withBenchBackend(threads, (backend, kernelThreads) => {
    const gen = new Generator(0);
    const model = new TransformerMT(gen).train();
    const opt = new Adam(model.parameters(), { lr: 1e-3 });
    const src = randint(0, VS, [B, S], { generator: gen });
    const tgt = randint(1, VT, [B, T + 1], { generator: gen });
    for (let b = 0; b < B; b++) tgt.data[b * (T + 1)] = 0; // BOS
    const tgtIn = F.contiguous(F.narrow(tgt, 1, 0, T));
    const tgtOut = F.contiguous(F.narrow(tgt, 1, 1, T));
    const mask = generateSquareSubsequentMask(T);
    const losses: number[] = [];

    const step = (): void => {
      opt.zeroGrad();
      const logits = model.forward(src, tgtIn, mask);
      const loss = crossEntropy(F.reshape(logits, [-1, VT]), F.reshape(tgtOut, [-1]));
      loss.backward();
      opt.step();
      losses.push(loss.item());
    };

    const warmup = opts.warmup ?? 3;
    const times = timeIters(step, warmup, opts.iters ?? 10);
    const s = summarizeRates(times, B * T);
    const { parts, fwd } = transformerMatmulFlops();
    const g = summarizeRates(times, (3 * fwd) / 1e9);
    emit({
      workload: NAME, impl: 'attentive', metric: 'target_tokens/s', median: round(s.median, 1), min: round(s.min, 1),
      max: round(s.max, 1), unit: 'target_tokens/s', shape: SHAPE, threads, backend, kernel_threads: kernelThreads,
      ms_per_step_median: round(((B * T) / s.median) * 1e3, 2), n: times.length, warmup,
      matmul_gflop_fwd: round(fwd / 1e9, 3), matmul_gflop_train_step: round((3 * fwd) / 1e9, 3),
      achieved_gflops_median: round(g.median, 1),
      flops_breakdown_fwd_gflop: Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, round(v / 1e9, 4)])),
      params: model.numParameters(),
      loss_first_last: [round(losses[0], 4), round(losses[losses.length - 1], 4)],
    });
  });
}

export const w2Transformer: Workload = {
  name: NAME,
  run,
  peerScript: 'w2_transformer.py',
  peerArgs: commonPeerArgs,
  parsePeer: (json) => peerLine(NAME, SHAPE, json as PeerJson),
};
