/**
 * W3_beam_search, defined exactly as bench-peers/torch/w3_beam.py: batched beam search with the
 * W1 model (seq2seq-attn.ts) in eval mode under noGrad; batch 64 source sentences of length 20,
 * beam 5, at most 30 steps. Per step: attention + LSTMCell + Linear(512, 6000) + log-softmax over
 * all B·K rows, then top-k over the K·V candidates of each sentence and an index-select reorder
 * of (h, c). Finished hypotheses stay in the beam and may only be extended by EOS at zero cost;
 * decoding stops early only when every beam has finished. Backtracking to the best hypothesis is
 * timed too. Warmup 2, 7 timed batches. Metric: sentences per second.
 */
import * as F from '../../src/autograd/ops/index.js';
import { noGrad } from '../../src/autograd/grad-mode.js';
import { full, randint } from '../../src/tensor/creation.js';
import { Generator } from '../../src/tensor/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { round2, summarizeRates, timeIters } from '../stats.js';
import type { BenchOptions, ResultLine, Workload } from '../types.js';
import { commonPeerArgs, peerLine, round, threadBudget, withBenchBackend, type PeerJson } from './common.js';
import { Seq2SeqAttn } from './seq2seq-attn.js';

const NAME = 'W3_beam_search';
const B = 64, S = 20, K = 5, MAX_LEN = 30;
const BOS = 0, EOS = 1;
const SHAPE = `beam B${B} S${S} K${K} max_len${MAX_LEN} V8000/6000 H512`;

/** Best hypothesis per sentence (B, steps) and the number of steps run. */
export function beamSearch(model: Seq2SeqAttn, src: Tensor, k: number, maxLen: number): { hyp: Int32Array[]; steps: number } {
  return noGrad(() => {
    const b = src.shape[0];
    const n = b * k;
    const V = model.vtgt;
    const enc = model.encode(src);
    const rep = new Int32Array(n);
    for (let i = 0; i < n; i++) rep[i] = Math.floor(i / k); // repeat_interleave(k, 0)
    const repT = new Tensor(rep, [n]);
    const encOut = F.indexSelect(enc.encOut, 0, repT); // (N, S, H)
    const projKeys = F.indexSelect(enc.projKeys, 0, repT); // (N, S, A)
    let h = F.indexSelect(enc.h, 0, repT); // (N, H)
    let c = F.indexSelect(enc.c, 0, repT);
    let scores: Float32Array = new Float32Array(n).fill(-Infinity);
    for (let s = 0; s < b; s++) scores[s * k] = 0;
    let finished = new Uint8Array(n);
    let y = new Int32Array(n).fill(BOS);
    const eosRow = full([V], -Infinity);
    eosRow.data[EOS] = 0;
    const toks: Int32Array[] = [];
    const bptrs: Int32Array[] = [];
    for (let step = 0; step < maxLen; step++) {
      [h, c] = model.decodeStep(new Tensor(y, [n]), h, c, encOut, projKeys);
      let logp = F.logSoftmax(model.out.forward(h), -1); // (N, V)
      logp = F.where(new Tensor(Float32Array.from(finished), [n, 1]), eosRow, logp);
      const cand = F.reshape(F.add(logp, new Tensor(scores, [n, 1])), [b, k * V]);
      const top = F.topk(cand, k, 1); // (B, K) each
      const topIdx = top.indices.data as Int32Array;
      const beam = new Int32Array(n);
      const tok = new Int32Array(n);
      const flat = new Int32Array(n);
      const nextFinished = new Uint8Array(n);
      let allDone = true;
      for (let i = 0; i < n; i++) {
        const s = Math.floor(i / k);
        beam[i] = Math.floor(topIdx[i] / V);
        tok[i] = topIdx[i] - beam[i] * V;
        flat[i] = s * k + beam[i];
        nextFinished[i] = finished[flat[i]] | (tok[i] === EOS ? 1 : 0);
        if (!nextFinished[i]) allDone = false;
      }
      const flatT = new Tensor(flat, [n]);
      h = F.indexSelect(h, 0, flatT);
      c = F.indexSelect(c, 0, flatT);
      finished = nextFinished;
      scores = top.values.data as Float32Array;
      y = tok;
      toks.push(tok);
      bptrs.push(beam);
      if (allDone) break;
    }
    // backtrack the best-scoring beam of each sentence
    const best = F.argmax(new Tensor(scores, [b, k]), 1).data as Int32Array;
    const hyp = Array.from({ length: b }, () => new Int32Array(toks.length));
    for (let s = 0; s < b; s++) {
      let j = best[s];
      for (let t = toks.length - 1; t >= 0; t--) {
        hyp[s][t] = toks[t][s * k + j];
        j = bptrs[t][s * k + j];
      }
    }
    return { hyp, steps: toks.length };
  });
}

/** Matmul FLOPs of one batch, as w3_beam.py `beam_flops`. */
function beamFlops(b: number, s: number, k: number, steps: number, E = 256, H = 512, A = 512, V = 6000): number {
  const n = b * k;
  const enc = 2 * b * s * E * 4 * H + 2 * b * s * H * 4 * H + 2 * b * s * H * A;
  const perStep = 2 * n * H * A + 2 * n * s * A + 2 * n * s * H + 2 * n * (E + H) * 4 * H + 2 * n * H * 4 * H + 2 * n * H * V;
  return enc + steps * perStep;
}

function run(opts: BenchOptions, emit: (r: ResultLine) => void): void {
  const threads = threadBudget(opts, NAME);
  withBenchBackend(threads, (backend, kernelThreads) => {
    const gen = new Generator(0);
    const model = new Seq2SeqAttn(8000, 6000, 256, 512, 512, gen).eval();
    const src = randint(2, 8000, [B, S], { generator: gen });
    const info = { steps: 0, hypShape: [0, 0] };
    const once = (): void => {
      const { hyp, steps } = beamSearch(model, src, K, MAX_LEN);
      info.steps = steps;
      info.hypShape = [hyp.length, steps];
    };
    const warmup = opts.warmup ?? 2;
    const times = timeIters(once, warmup, opts.iters ?? 7);
    const s = summarizeRates(times, B);
    const sec = B / s.median;
    const fl = beamFlops(B, S, K, info.steps);
    emit({
      workload: NAME, impl: 'attentive', metric: 'sentences/s', median: round2(s.median), min: round2(s.min),
      max: round2(s.max), unit: 'sentences/s', shape: SHAPE, threads, backend, kernel_threads: kernelThreads,
      ms_per_batch_median: round2(sec * 1e3), n: times.length, warmup, beam: K, max_len: MAX_LEN,
      steps_run: info.steps, hyp_shape: info.hypShape,
      matmul_gflop_per_batch: round(fl / 1e9, 3), achieved_gflops_median: round(fl / 1e9 / sec, 1),
    });
  });
}

export const w3Beam: Workload = {
  name: NAME,
  run,
  peerScript: 'w3_beam.py',
  peerArgs: commonPeerArgs,
  parsePeer: (json) => peerLine(NAME, SHAPE, json as PeerJson),
};
