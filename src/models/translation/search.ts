import { beamSearch, type BeamTreeNode } from '../../decode/beam.js';
import { exactSearch } from '../../decode/exact.js';
import { greedyDecode } from '../../decode/greedy.js';
import type { Hypothesis } from '../../decode/order.js';
import { sampleDecode } from '../../decode/sample.js';
import { padSequences } from '../../data/batching.js';
import { Tensor } from '../../tensor/tensor.js';
import type { TranslationModel } from './model.js';

export type SearchMethod = 'greedy' | 'beam' | 'exact' | 'sample';
export const SEARCH_METHODS: readonly SearchMethod[] = ['greedy', 'beam', 'exact', 'sample'];

/** How to turn a model into sentences. */
export interface SearchOptions {
  method: SearchMethod;
  /** Beam width (default 5). */
  beamSize?: number;
  /** Hypotheses per sentence (default 1; beam, exact and sample). */
  nBest?: number;
  /** Beam score = logProb / length^a (default 1). */
  lengthPenalty?: number;
  /** Output cap = min(maxLength, a·srcLen + b) with a = 2, b = 10 by default. */
  maxLenA?: number;
  maxLenB?: number;
  maxLength?: number;
  /** Sampling: temperature, top-k, top-p and a uniform [0, 1) source (required for 'sample'). */
  temperature?: number;
  topK?: number;
  topP?: number;
  rng?: () => number;
  /** Exact search: most nodes scored per sentence (default 20000). */
  nodeBudget?: number;
  /** Beam: record the search tree of each sentence. */
  recordTree?: boolean;
}

/** One translated source: its n-best list, and for beam search with recordTree its tree. */
export interface Translation {
  nBest: Hypothesis[];
  tree?: BeamTreeNode[];
  /** Exact search only: false when the node budget ran out before the optimum was proven. */
  exact?: boolean;
}

/**
 * Decodes every source with the chosen search. Sources are sorted by length and decoded in
 * batches, so padding stays small; results come back in input order.
 */
export function translateIds(model: TranslationModel, sources: readonly number[][], opts: SearchOptions, batchSize = 64): Translation[] {
  if (sources.some((s) => s.length === 0)) throw new Error('translateIds: empty source sentence');
  const order = sources.map((_, i) => i).sort((a, b) => sources[b].length - sources[a].length || a - b);
  const out = new Array<Translation>(sources.length);
  const lengthOpts = {
    maxLenA: opts.maxLenA ?? 2,
    maxLenB: opts.maxLenB ?? 10,
    maxLength: opts.maxLength ?? 200,
  };
  // Beam and exact search keep many rows per sentence, so they get smaller batches.
  const perBatch = opts.method === 'greedy' ? batchSize : opts.method === 'exact' ? 1 : Math.max(1, Math.floor(batchSize / 4));
  for (let start = 0; start < order.length; start += perBatch) {
    const idx = order.slice(start, start + perBatch);
    const { data, shape, lengths } = padSequences(idx.map((i) => sources[i]));
    const sm = model.stepModel(new Tensor(data, shape), lengths);
    const n = idx.length;
    let res: Translation[];
    switch (opts.method) {
      case 'greedy':
        res = greedyDecode(sm, n, lengthOpts).map((h) => ({ nBest: [h] }));
        break;
      case 'beam':
        res = beamSearch(sm, n, {
          ...lengthOpts, beamSize: opts.beamSize ?? 5, nBest: opts.nBest ?? 1,
          lengthPenalty: opts.lengthPenalty ?? 1, recordTree: opts.recordTree,
        }).map((r) => ({ nBest: r.nBest, tree: r.tree }));
        break;
      case 'exact':
        res = exactSearch(sm, n, { ...lengthOpts, nBest: opts.nBest ?? 1, nodeBudget: opts.nodeBudget ?? 20000 })
          .map((r) => ({ nBest: r.nBest, exact: r.exact }));
        break;
      case 'sample':
        if (!opts.rng) throw new Error('translateIds: sampling needs an rng');
        res = sampleDecode(sm, n, {
          ...lengthOpts, rng: opts.rng, temperature: opts.temperature, topK: opts.topK, topP: opts.topP, numSamples: opts.nBest ?? 1,
        }).map((samples) => ({ nBest: samples.slice().sort((a, b) => b.logProb - a.logProb) }));
        break;
      default:
        throw new Error(`translateIds: search must be one of greedy, beam, exact, sample; got '${String(opts.method)}'`);
    }
    idx.forEach((i, k) => (out[i] = res[k]));
  }
  return out;
}
