import { resolveMaxLengths, resolveMinLength, type LengthOptions } from './lengths.js';
import { bannedByNgram } from './ngram.js';
import { compareTokens, ranksBefore, type Hypothesis } from './order.js';
import type { StepModel } from './step-model.js';
import { topKRow } from './top-k.js';

/**
 * When a sentence stops searching once `beamSize` finished hypotheses are held (Hugging Face
 * `early_stopping`): `true` stops at once; `false` (default) stops when the best live hypothesis,
 * normalised by its current length, cannot beat the worst finished one (exact for
 * lengthPenalty ≤ 0, a heuristic above); `'never'` uses the best length a live hypothesis could
 * still reach (`maxLength` when lengthPenalty > 0), so it stops only when no better one is possible.
 */
export type EarlyStopping = boolean | 'never';

/** Options for {@link beamSearch}. */
export interface BeamOptions extends LengthOptions {
  /** Partial sentences kept per step (default 4). `Infinity` keeps all. */
  beamSize?: number;
  /** Hypotheses returned per sentence (default 1, at most beamSize). */
  nBest?: number;
  /** Finished score = logProb / length ** lengthPenalty (default 1, as Hugging Face). */
  lengthPenalty?: number;
  /** See {@link EarlyStopping}; default false. */
  earlyStopping?: EarlyStopping;
  /** Ban tokens that would repeat an n-gram (of `<s>` + tokens) already in the hypothesis; 0 = off. */
  noRepeatNgramSize?: number;
  /** Record every expanded hypothesis for pictures. */
  recordTree?: boolean;
}

/** One candidate considered by beam search; ids are per sentence, the root `<s>` is id 0. */
export interface BeamTreeNode {
  id: number;
  /** Parent id, -1 for the root. */
  parent: number;
  token: number;
  /** 1-based position of `token`; 0 for the root. */
  step: number;
  /** Cumulative log-probability. */
  logProb: number;
  /** Among the beamSize best candidates of its step. */
  kept: boolean;
  /** Ended with `</s>` or was cut at the maximum length and entered the finished list. */
  finished: boolean;
  /** On the path of the returned best hypothesis. */
  best: boolean;
}

/** Beam search output for one sentence. */
export interface BeamResult {
  /** Best first by `score`; ties go to the lexicographically smaller token sequence. */
  nBest: Hypothesis[];
  tree?: BeamTreeNode[];
}

interface Live {
  tokens: number[];
  logProb: number;
  stepLogProbs: number[];
  node: number;
}

interface Finished {
  hyp: Hypothesis;
  key: number[];
  node: number;
}

function positiveInt(fn: string, name: string, v: number, allowInfinity: boolean): number {
  if (!((Number.isInteger(v) && v >= 1) || (allowInfinity && v === Infinity))) {
    throw new Error(`${fn}: ${name} must be a positive integer${allowInfinity ? ' or Infinity' : ''}, got ${v}`);
  }
  return v;
}

/**
 * Beam search, batched over sentences (all live hypotheses of all sentences go through one `step`).
 * Each step every live hypothesis proposes its beamSize best next tokens; of those candidates the
 * beamSize best by summed log-probability are kept; kept candidates ending in `</s>` move to the
 * sentence's finished list (the beamSize best by normalised score), the others form the next beam.
 * A sentence ends when its beam is empty, when {@link EarlyStopping} says so, or at its maximum
 * length, where live hypotheses join the finished list as cut sentences.
 */
export function beamSearch<S>(model: StepModel<S>, batch: number, opts: BeamOptions = {}): BeamResult[] {
  const fn = 'beamSearch';
  const maxLens = resolveMaxLengths(fn, model, batch, opts);
  const minLength = resolveMinLength(fn, opts);
  const k = positiveInt(fn, 'beamSize', opts.beamSize ?? 4, true);
  const nBest = positiveInt(fn, 'nBest', opts.nBest ?? 1, false);
  if (nBest > k) throw new Error(`${fn}: nBest (${nBest}) must not exceed beamSize (${k})`);
  const lp = opts.lengthPenalty ?? 1;
  if (!Number.isFinite(lp)) throw new Error(`${fn}: lengthPenalty must be finite, got ${lp}`);
  const early = opts.earlyStopping ?? false;
  if (early !== true && early !== false && early !== 'never') {
    throw new Error(`${fn}: earlyStopping must be true, false or 'never', got ${String(early)}`);
  }
  const ngram = opts.noRepeatNgramSize ?? 0;
  if (!Number.isInteger(ngram) || ngram < 0) throw new Error(`${fn}: noRepeatNgramSize must be a non-negative integer, got ${ngram}`);
  const V = model.vocabSize;
  const { eos, bos } = model;
  const record = opts.recordTree === true;

  const trees: BeamTreeNode[][] = [];
  const pools: Finished[][] = [];
  // Live hypotheses of all sentences, grouped by sentence in sentence order.
  let live: Live[] = [];
  let liveSentence: number[] = [];
  for (let s = 0; s < batch; s++) {
    pools.push([]);
    trees.push(
      record ? [{ id: 0, parent: -1, token: bos, step: 0, logProb: 0, kept: true, finished: false, best: false }] : [],
    );
    live.push({ tokens: [], logProb: 0, stepLogProbs: [], node: 0 });
    liveSentence.push(s);
  }

  const addFinished = (s: number, h: Hypothesis, node: number): void => {
    const pool = pools[s];
    const key = h.finished ? [...h.tokens, eos] : h.tokens;
    let i = pool.length;
    while (i > 0 && ranksBefore(h.score, key, pool[i - 1].hyp.score, pool[i - 1].key)) i--;
    if (i >= k) return;
    pool.splice(i, 0, { hyp: h, key, node });
    if (pool.length > k) pool.pop();
    if (record) trees[s][node].finished = true;
  };

  const isDone = (s: number, bestLive: number, t: number): boolean => {
    const pool = pools[s];
    if (pool.length < k) return false;
    if (early === true) return true;
    const worst = pool[pool.length - 1].hyp.score;
    const len = early === 'never' && lp > 0 ? maxLens[s] : t;
    return worst >= bestLive / len ** lp;
  };

  const mask = new Uint8Array(V);
  let state = model.start(batch);
  let input = new Int32Array(batch).fill(bos);
  for (let t = 1; live.length > 0; t++) {
    const out = model.step(state, input);
    if (out.logProbs.length !== live.length * V) {
      throw new Error(`${fn}: step returned ${out.logProbs.length} log-probs, expected ${live.length}×${V}`);
    }
    const nextLive: Live[] = [];
    const nextSentence: number[] = [];
    const parentRows: number[] = [];
    for (let r0 = 0; r0 < live.length; ) {
      const s = liveSentence[r0];
      let r1 = r0;
      while (r1 < live.length && liveSentence[r1] === s) r1++;

      const cands: { row: number; token: number; sum: number; node: number }[] = [];
      for (let r = r0; r < r1; r++) {
        const h = live[r];
        const cleared: number[] = ngram > 0 ? bannedByNgram([bos, ...h.tokens], ngram, mask) : [];
        if (h.tokens.length < minLength && mask[eos] === 0) {
          mask[eos] = 1;
          cleared.push(eos);
        }
        for (const v of topKRow(out.logProbs, r * V, V, k, mask)) {
          cands.push({ row: r, token: v, sum: h.logProb + out.logProbs[r * V + v], node: -1 });
        }
        for (const v of cleared) mask[v] = 0;
      }
      cands.sort(
        (a, b) => b.sum - a.sum || compareTokens(live[a.row].tokens, live[b.row].tokens) || a.token - b.token,
      );
      const keep = Math.min(k, cands.length);
      if (record) {
        const tree = trees[s];
        cands.forEach((c, i) => {
          c.node = tree.length;
          tree.push({
            id: tree.length, parent: live[c.row].node, token: c.token, step: t, logProb: c.sum,
            kept: i < keep, finished: false, best: false,
          });
        });
      }

      const continuing: Live[] = [];
      const rows: number[] = [];
      for (let i = 0; i < keep; i++) {
        const c = cands[i];
        const parent = live[c.row];
        const stepLogProbs = [...parent.stepLogProbs, out.logProbs[c.row * V + c.token]];
        if (c.token === eos) {
          const score = c.sum / t ** lp;
          addFinished(s, { tokens: parent.tokens.slice(), logProb: c.sum, score, stepLogProbs, finished: true }, c.node);
        } else {
          continuing.push({ tokens: [...parent.tokens, c.token], logProb: c.sum, stepLogProbs, node: c.node });
          rows.push(c.row);
        }
      }
      const bestLive = continuing.length > 0 ? continuing[0].logProb : -Infinity;
      const done = continuing.length === 0 || isDone(s, bestLive, t);
      if (!done && t >= maxLens[s]) {
        for (const h of continuing) {
          const score = h.logProb / t ** lp;
          addFinished(s, { tokens: h.tokens, logProb: h.logProb, score, stepLogProbs: h.stepLogProbs, finished: false }, h.node);
        }
      } else if (!done) {
        for (let i = 0; i < continuing.length; i++) {
          nextLive.push(continuing[i]);
          nextSentence.push(s);
          parentRows.push(rows[i]);
        }
      }
      r0 = r1;
    }
    live = nextLive;
    liveSentence = nextSentence;
    if (live.length === 0) break;
    state = model.select(out.state, Int32Array.from(parentRows));
    input = Int32Array.from(live, (h) => h.tokens[h.tokens.length - 1]);
  }

  return pools.map((pool, s) => {
    const result: BeamResult = { nBest: pool.slice(0, nBest).map((f) => f.hyp) };
    if (record) {
      const tree = trees[s];
      for (let id = pool.length > 0 ? pool[0].node : -1; id >= 0; id = tree[id].parent) tree[id].best = true;
      result.tree = tree;
    }
    return result;
  });
}
