import { resolveMaxLengths, resolveMinLength, type LengthOptions } from './lengths.js';
import type { Hypothesis } from './order.js';
import type { StepModel } from './step-model.js';

/** Options for {@link sampleDecode}. */
export interface SampleOptions extends LengthOptions {
  /** Uniform [0, 1) generator; one draw per live row per step, rows in order. */
  rng: () => number;
  /** Log-probabilities are divided by it before renormalising (default 1; must be > 0). */
  temperature?: number;
  /** Sample only among the k most probable tokens (default 0 = all). */
  topK?: number;
  /** Sample only among the smallest most-probable set whose probability reaches p (default 1 = all). */
  topP?: number;
  /** Samples per sentence (default 1). */
  numSamples?: number;
}

/**
 * The token drawn from one row of log-probabilities under temperature, top-k and top-p, given a
 * uniform `u` in [0, 1). Candidates are ordered by probability (ties to the smaller id), so top-k=1
 * is greedy's argmax; -1 when every token is impossible.
 */
export function sampleRow(
  logProbs: Float32Array,
  offset: number,
  vocab: number,
  u: number,
  temperature: number,
  topK: number,
  topP: number,
  banned = -1,
): number {
  const idx: number[] = [];
  let max = -Infinity;
  for (let v = 0; v < vocab; v++) {
    const x = logProbs[offset + v];
    if (v === banned || !(x > -Infinity)) continue;
    idx.push(v);
    if (x > max) max = x;
  }
  if (idx.length === 0) return -1;
  const filter = (topK > 0 && topK < idx.length) || topP < 1;
  if (filter) idx.sort((a, b) => logProbs[offset + b] - logProbs[offset + a] || a - b);
  let n = topK > 0 ? Math.min(topK, idx.length) : idx.length;
  const w = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    w[i] = Math.exp((logProbs[offset + idx[i]] - max) / temperature);
    total += w[i];
  }
  if (topP < 1) {
    // Keep the shortest head reaching topP of the (temperature-scaled, top-k) mass; at least one.
    let acc = 0;
    let keep = n;
    for (let i = 0; i < n; i++) {
      acc += w[i];
      if (acc >= topP * total) {
        keep = i + 1;
        break;
      }
    }
    n = keep;
    total = 0;
    for (let i = 0; i < n; i++) total += w[i];
  }
  const target = u * total;
  let acc = 0;
  for (let i = 0; i < n; i++) {
    acc += w[i];
    if (target < acc) return idx[i];
  }
  return idx[n - 1];
}

/**
 * Ancestral sampling, batched: `numSamples` rows per sentence walk forward together, each drawing
 * its next token from the (tempered, truncated) distribution. Returns `[sentence][sample]`;
 * `logProb` is under the model's own distribution, not the truncated one, so samples can be ranked.
 */
export function sampleDecode<S>(model: StepModel<S>, batch: number, opts: SampleOptions): Hypothesis[][] {
  const fn = 'sampleDecode';
  const maxLens = resolveMaxLengths(fn, model, batch, opts);
  const minLength = resolveMinLength(fn, opts);
  if (typeof opts.rng !== 'function') throw new Error(`${fn}: rng must be a function returning uniform [0, 1) numbers`);
  const temperature = opts.temperature ?? 1;
  if (!(temperature > 0) || !Number.isFinite(temperature)) throw new Error(`${fn}: temperature must be > 0, got ${temperature}`);
  const topK = opts.topK ?? 0;
  if (!Number.isInteger(topK) || topK < 0) throw new Error(`${fn}: topK must be a non-negative integer, got ${topK}`);
  const topP = opts.topP ?? 1;
  if (!(topP > 0 && topP <= 1)) throw new Error(`${fn}: topP must be in (0, 1], got ${topP}`);
  const m = opts.numSamples ?? 1;
  if (!Number.isInteger(m) || m < 1) throw new Error(`${fn}: numSamples must be a positive integer, got ${m}`);
  const V = model.vocabSize;

  const out: Hypothesis[][] = [];
  const rowsOf: Hypothesis[] = [];
  const sentenceOf: number[] = [];
  for (let s = 0; s < batch; s++) {
    out.push([]);
    for (let j = 0; j < m; j++) {
      const h: Hypothesis = { tokens: [], logProb: 0, score: 0, stepLogProbs: [], finished: false };
      out[s].push(h);
      rowsOf.push(h);
      sentenceOf.push(s);
    }
  }
  let alive = rowsOf.map((_, i) => i);
  let state = model.select(model.start(batch), Int32Array.from(sentenceOf));
  let input = new Int32Array(alive.length).fill(model.bos);
  for (let t = 1; alive.length > 0; t++) {
    const res = model.step(state, input);
    if (res.logProbs.length !== alive.length * V) {
      throw new Error(`${fn}: step returned ${res.logProbs.length} log-probs, expected ${alive.length}×${V}`);
    }
    const keep: number[] = [];
    const next: number[] = [];
    const nextInput: number[] = [];
    for (let r = 0; r < alive.length; r++) {
      const h = rowsOf[alive[r]];
      const banned = h.tokens.length < minLength ? model.eos : -1;
      let tok = sampleRow(res.logProbs, r * V, V, opts.rng(), temperature, topK, topP, banned);
      if (tok < 0) tok = banned === 0 ? 1 : 0;
      const lp = res.logProbs[r * V + tok];
      h.logProb += lp;
      h.stepLogProbs.push(lp);
      if (tok === model.eos) {
        h.finished = true;
        continue;
      }
      h.tokens.push(tok);
      if (t < maxLens[sentenceOf[alive[r]]]) {
        keep.push(r);
        next.push(alive[r]);
        nextInput.push(tok);
      }
    }
    if (next.length === 0) break;
    state = next.length === alive.length ? res.state : model.select(res.state, Int32Array.from(keep));
    alive = next;
    input = Int32Array.from(nextInput);
  }
  for (const h of rowsOf) h.score = h.logProb;
  return out;
}
