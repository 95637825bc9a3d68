import { resolveMaxLengths, resolveMinLength, type LengthOptions } from './lengths.js';
import type { Hypothesis } from './order.js';
import type { StepModel } from './step-model.js';
import { TopList } from './top-list.js';

/** Options for {@link exhaustiveSearch}. */
export interface ExhaustiveOptions extends LengthOptions {
  /** Hypotheses returned per sentence (default 1). */
  nBest?: number;
  /** Refuse when a sentence has more candidate sequences than this (default 1e6). */
  maxSequences?: number;
  /** Rows per `step` call (default 1024). */
  batchSize?: number;
}

/** Exhaustive search output for one sentence. */
export interface ExhaustiveResult {
  /** Best first by log-probability; ties to the lexicographically smaller sequence. */
  nBest: Hypothesis[];
  /** Candidate sequences the enumeration covers ({@link countSequences}). */
  sequences: number;
  /** Prefixes scored by the model (impossible, -Infinity prefixes are not extended). */
  expansions: number;
}

/**
 * Number of distinct outputs with at most `maxLength` tokens over `vocabSize` tokens: each ends at
 * its first `</s>` (allowed from position minLength+1 on) or is cut after `maxLength` tokens, i.e.
 * Σ_{t=minLength+1..T} (V−1)^(t−1) + (V−1)^T.
 */
export function countSequences(vocabSize: number, maxLength: number, minLength = 0): number {
  const b = vocabSize - 1;
  let total = b ** maxLength;
  for (let t = minLength + 1; t <= maxLength; t++) total += b ** (t - 1);
  return total;
}

interface Prefix {
  row: number;
  tokens: number[];
  logProb: number;
  stepLogProbs: number[];
}

/**
 * Literal enumeration of every output sequence (see {@link countSequences}), each scored by the
 * model, depth first in chunks of `batchSize` rows. The reference that exact and beam search are
 * tested against; refuses when a sentence's count exceeds `maxSequences`.
 */
export function exhaustiveSearch<S>(
  model: StepModel<S>,
  batch: number,
  opts: ExhaustiveOptions = {},
): ExhaustiveResult[] {
  const fn = 'exhaustiveSearch';
  const maxLens = resolveMaxLengths(fn, model, batch, opts);
  const minLength = resolveMinLength(fn, opts);
  const nBest = opts.nBest ?? 1;
  if (!Number.isInteger(nBest) || nBest < 1) throw new Error(`${fn}: nBest must be a positive integer, got ${nBest}`);
  const limit = opts.maxSequences ?? 1e6;
  const chunk = opts.batchSize ?? 1024;
  if (!Number.isInteger(chunk) || chunk < 1) throw new Error(`${fn}: batchSize must be a positive integer, got ${chunk}`);
  const V = model.vocabSize;
  const eos = model.eos;
  for (let i = 0; i < batch; i++) {
    const n = countSequences(V, maxLens[i], minLength);
    if (n > limit) {
      throw new Error(
        `${fn}: sentence ${i} has ${n} candidate sequences (vocabSize ${V}, maxLength ${maxLens[i]}), more than maxSequences ${limit}`,
      );
    }
  }

  const start = model.start(batch);
  const results: ExhaustiveResult[] = [];
  for (let i = 0; i < batch; i++) {
    const T = maxLens[i];
    const best = new TopList(nBest);
    let expansions = 0;
    const visit = (parentState: S, prefixes: Prefix[]): void => {
      for (let c = 0; c < prefixes.length; c += chunk) {
        const part = prefixes.slice(c, c + chunk);
        const sub = model.select(parentState, Int32Array.from(part, (p) => p.row));
        const tokens = Int32Array.from(part, (p) => (p.tokens.length === 0 ? model.bos : p.tokens[p.tokens.length - 1]));
        const { logProbs, state } = model.step(sub, tokens);
        expansions += part.length;
        const next: Prefix[] = [];
        part.forEach((p, j) => {
          for (let v = 0; v < V; v++) {
            const lp = logProbs[j * V + v];
            if (!(lp > -Infinity)) continue;
            const logProb = p.logProb + lp;
            const stepLogProbs = [...p.stepLogProbs, lp];
            if (v === eos) {
              if (p.tokens.length < minLength) continue;
              const key = [...p.tokens, eos];
              if (best.admits(logProb, key)) {
                best.add({ tokens: p.tokens, logProb, score: logProb, stepLogProbs, finished: true }, key);
              }
            } else if (p.tokens.length + 1 === T) {
              const key = [...p.tokens, v];
              if (best.admits(logProb, key)) {
                best.add({ tokens: key, logProb, score: logProb, stepLogProbs, finished: false }, key);
              }
            } else {
              next.push({ row: j, tokens: [...p.tokens, v], logProb, stepLogProbs });
            }
          }
        });
        if (next.length > 0) visit(state, next);
      }
    };
    visit(model.select(start, Int32Array.of(i)), [{ row: 0, tokens: [], logProb: 0, stepLogProbs: [] }]);
    results.push({ nBest: best.hypotheses(), sequences: countSequences(V, T, minLength), expansions });
  }
  return results;
}
