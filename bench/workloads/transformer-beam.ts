/**
 * W6_transformer_beam_cache: beam search (decode/beam.ts, beam 5) with the Transformer
 * translator's key/value cache (TransformerStepModel: each step runs the decoder on the newest
 * token only) against recomputation (TransformerRecomputeStepModel: each step reruns the decoder
 * over the whole prefix; the sources are encoded once in both). Model: d 256, 4 heads, ff 1024,
 * 3 + 3 layers, post-LN, vocabularies 8000/6000, random weights, eval mode; 16 source sentences
 * of length 20; every hypothesis runs 30 steps (minLength = maxLength), so both do the same search.
 * Metric: sentences per second; the cache line also reports its speed-up over recomputation.
 */
import { beamSearch } from '../../src/decode/beam.js';
import type { StepModel } from '../../src/decode/step-model.js';
import { TransformerRecomputeStepModel, TransformerStepModel, TransformerTranslator } from '../../src/models/transformer/index.js';
import { randint } from '../../src/tensor/creation.js';
import { Generator, manualSeed } from '../../src/tensor/rng.js';
import { round2, summarizeRates, timeIters } from '../stats.js';
import type { BenchOptions, ResultLine, Workload } from '../types.js';
import { round, threadBudget, withBenchBackend } from './common.js';

const NAME = 'W6_transformer_beam_cache';
const B = 16, S = 20, K = 5, LEN = 30;
const SHAPE = `transformer beam B${B} S${S} K${K} len${LEN} V8000/6000 d256 h4 ff1024 L3+3`;

function run(opts: BenchOptions, emit: (r: ResultLine) => void): void {
  const threads = threadBudget(opts, NAME);
  withBenchBackend(threads, (backend, kernelThreads) => {
    manualSeed(0);
    const model = new TransformerTranslator({
      srcVocabSize: 8000, tgtVocabSize: 6000, dModel: 256, heads: 4, encoderLayers: 3, decoderLayers: 3, dFf: 1024, normFirst: false, tieOutput: false,
    }).eval();
    const src = randint(4, 8000, [B, S], { generator: new Generator(0) });
    const lengths = new Int32Array(B).fill(S);
    const warmup = opts.warmup ?? 1;
    const iters = opts.iters ?? 3;
    const rates: Record<string, { median: number; min: number; max: number }> = {};
    for (const [impl, make] of [
      ['attentive-recompute', (): StepModel<unknown> => new TransformerRecomputeStepModel(model, src, lengths)],
      ['attentive-kv-cache', (): StepModel<unknown> => new TransformerStepModel(model, src, lengths)],
    ] as const) {
      let steps = 0;
      const once = (): void => {
        const r = beamSearch(make(), B, { beamSize: K, minLength: LEN, maxLength: LEN });
        steps = r[0].nBest[0].tokens.length;
      };
      const s = summarizeRates(timeIters(once, warmup, iters), B);
      rates[impl] = s;
      emit({
        workload: NAME, impl, metric: 'sentences/s', median: round2(s.median), min: round2(s.min), max: round2(s.max), unit: 'sentences/s',
        shape: SHAPE, threads, backend, kernel_threads: kernelThreads, n: iters, warmup, beam: K, steps_run: steps,
        ms_per_batch_median: round2((B / s.median) * 1e3),
        ...(impl === 'attentive-kv-cache' ? { speedup_over_recompute: round(s.median / rates['attentive-recompute'].median, 2) } : {}),
      });
    }
  });
}

export const w6TransformerBeam: Workload = { name: NAME, run };
