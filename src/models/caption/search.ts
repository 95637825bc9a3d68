import { beamSearch } from '../../decode/beam.js';
import { exactSearch } from '../../decode/exact.js';
import { greedyDecode } from '../../decode/greedy.js';
import { Tensor } from '../../tensor/tensor.js';
import { BOS_ID, type Vocab } from '../../text/vocab.js';
import { SCENE_PIXELS, SCENE_SIDE } from '../../data/digit-scenes.js';
import { inference } from '../../nn/inference.js';
import type { CaptionModel } from './model.js';
import { CaptionStepModel } from './step-model.js';

export type CaptionSearch = 'greedy' | 'beam' | 'exact';
export const CAPTION_SEARCHES: readonly CaptionSearch[] = ['greedy', 'beam', 'exact'];

/** How to turn images into captions. */
export interface CaptionSearchOptions {
  method: CaptionSearch;
  /** Beam width (default 5). */
  beamSize?: number;
  /** Longest caption in words (default 40; the grammar's longest has 31). */
  maxLength?: number;
  /** Exact search: most nodes scored per image (default 20000). */
  nodeBudget?: number;
}

/** One generated caption. */
export interface GeneratedCaption {
  tokens: number[];
  words: string[];
  caption: string;
  /** The model's log-probability of the caption (with its end token when it finished). */
  logProb: number;
  finished: boolean;
  /** Exact search only: false when the node budget ran out before the optimum was proven. */
  exact?: boolean;
  /** Per generated word, its 9 attention weights (row-major from the top-left cell); null for Show-and-Tell. */
  attention: number[][] | null;
}

/**
 * Attention weights of the words `tokens` of one caption for one image, recomputed by feeding the
 * caption back (teacher forcing in eval mode gives the same weights as the search's steps).
 * Returns one row of 9 weights per token, or null for a model without attention.
 */
export function attentionOf(model: CaptionModel, image: Tensor, tokens: readonly number[]): number[][] | null {
  if (model.config.model !== 'attention') return null;
  if (tokens.length === 0) return [];
  // step t reads token t-1 and its attention decides word t
  const tokensIn = new Tensor(Int32Array.from([BOS_ID, ...tokens.slice(0, -1)]), [1, tokens.length]);
  const out = inference(model, () => model.forward(image, tokensIn));
  const a = out.attention!.values();
  return tokens.map((_, t) => Array.from(a.subarray(t * 9, t * 9 + 9)));
}

/**
 * Captions every image ([N*84*84] pixels, or a tensor [N, 1, 84, 84]) with the chosen search, in
 * batches (beam and exact search keep many rows per image, so they get smaller batches).
 */
export function captionImages(model: CaptionModel, vocab: Vocab, images: Tensor, opts: CaptionSearchOptions, batchSize = 64): GeneratedCaption[] {
  const N = images.shape[0];
  if (images.ndim !== 4 || images.shape[1] !== 1 || images.shape[2] !== SCENE_SIDE || images.shape[3] !== SCENE_SIDE) {
    throw new Error(`captionImages: images must be [N, 1, 84, 84], got [${images.shape.join(', ')}]`);
  }
  const px = images.values() as Float32Array;
  const lengthOpts = { maxLength: opts.maxLength ?? 40 };
  const perBatch = opts.method === 'greedy' ? batchSize : opts.method === 'exact' ? 1 : Math.max(1, Math.floor(batchSize / 4));
  const out: GeneratedCaption[] = [];
  for (let start = 0; start < N; start += perBatch) {
    const n = Math.min(perBatch, N - start);
    const batch = new Tensor(px.slice(start * SCENE_PIXELS, (start + n) * SCENE_PIXELS), [n, 1, SCENE_SIDE, SCENE_SIDE]);
    const sm = new CaptionStepModel(model, batch);
    let hyps: { tokens: number[]; logProb: number; finished: boolean; exact?: boolean }[];
    switch (opts.method) {
      case 'greedy':
        hyps = greedyDecode(sm, n, lengthOpts);
        break;
      case 'beam':
        hyps = beamSearch(sm, n, { ...lengthOpts, beamSize: opts.beamSize ?? 5 }).map((r) => r.nBest[0]);
        break;
      case 'exact':
        hyps = exactSearch(sm, n, { ...lengthOpts, nodeBudget: opts.nodeBudget ?? 20000 }).map((r) => ({ ...r.nBest[0], exact: r.exact }));
        break;
      default:
        throw new Error(`captionImages: search must be greedy, beam or exact; got '${String(opts.method)}'`);
    }
    hyps.forEach((h, k) => {
      const words = vocab.decode(h.tokens);
      const image = new Tensor(px.slice((start + k) * SCENE_PIXELS, (start + k + 1) * SCENE_PIXELS), [1, 1, SCENE_SIDE, SCENE_SIDE]);
      const att = attentionOf(model, image, h.tokens); // one row per word (the end token's row is not needed)
      out.push({
        tokens: h.tokens, words, caption: words.join(' '), logProb: h.logProb, finished: h.finished,
        ...(h.exact !== undefined ? { exact: h.exact } : {}),
        attention: att ? att.slice(0, words.length) : null,
      });
    });
  }
  return out;
}
