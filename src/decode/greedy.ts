import { resolveMaxLengths, resolveMinLength, type LengthOptions } from './lengths.js';
import type { Hypothesis } from './order.js';
import type { StepModel } from './step-model.js';

/** Options for {@link greedyDecode}. */
export type GreedyOptions = LengthOptions;

/**
 * Index of the largest entry of `row` (smallest index among equal maxima), skipping `banned`;
 * -1 when nothing is larger than -Infinity.
 */
export function argmaxRow(logProbs: Float32Array, offset: number, vocab: number, banned = -1): number {
  let best = -1;
  let bestValue = -Infinity;
  for (let v = 0; v < vocab; v++) {
    if (v === banned) continue;
    const x = logProbs[offset + v];
    if (x > bestValue) {
      bestValue = x;
      best = v;
    }
  }
  return best;
}

/**
 * Batched greedy decoding: every row takes its most probable next token until `</s>` or its
 * maximum length. Finished rows leave the batch, so later steps score only live sentences.
 * Returns one hypothesis per sentence (`score` equals `logProb`).
 */
export function greedyDecode<S>(model: StepModel<S>, batch: number, opts: GreedyOptions = {}): Hypothesis[] {
  const maxLens = resolveMaxLengths('greedyDecode', model, batch, opts);
  const minLength = resolveMinLength('greedyDecode', opts);
  const V = model.vocabSize;
  const results: Hypothesis[] = [];
  for (let i = 0; i < batch; i++) results.push({ tokens: [], logProb: 0, score: 0, stepLogProbs: [], finished: false });

  let alive = Array.from({ length: batch }, (_, i) => i);
  let state = model.start(batch);
  let input = new Int32Array(batch).fill(model.bos);
  for (let t = 1; alive.length > 0; t++) {
    const out = model.step(state, input);
    if (out.logProbs.length !== alive.length * V) {
      throw new Error(`greedyDecode: step returned ${out.logProbs.length} log-probs, expected ${alive.length}×${V}`);
    }
    const keepRows: number[] = [];
    const nextAlive: number[] = [];
    const nextInput: number[] = [];
    for (let r = 0; r < alive.length; r++) {
      const h = results[alive[r]];
      const banned = h.tokens.length < minLength ? model.eos : -1;
      let tok = argmaxRow(out.logProbs, r * V, V, banned);
      // Every token impossible: emit the cheapest legal choice so the sentence still ends.
      if (tok < 0) tok = banned === 0 ? 1 : 0;
      const lp = out.logProbs[r * V + tok];
      h.stepLogProbs.push(lp);
      h.logProb += lp;
      if (tok === model.eos) {
        h.finished = true;
      } else {
        h.tokens.push(tok);
        if (t < maxLens[alive[r]]) {
          keepRows.push(r);
          nextAlive.push(alive[r]);
          nextInput.push(tok);
        }
      }
    }
    if (nextAlive.length === 0) break;
    state = nextAlive.length === alive.length ? out.state : model.select(out.state, Int32Array.from(keepRows));
    alive = nextAlive;
    input = Int32Array.from(nextInput);
  }
  for (const h of results) h.score = h.logProb;
  return results;
}
