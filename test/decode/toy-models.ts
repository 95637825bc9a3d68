import type { StepModel } from '../../src/decode/step-model.js';

/** mulberry32: a small seeded uniform [0, 1) generator for tests. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hash(values: readonly number[]): number {
  let h = 0x811c9dc5;
  for (const v of values) {
    h = Math.imul(h ^ (v & 0xffff), 0x01000193);
    h = Math.imul(h ^ (v >>> 16), 0x01000193);
  }
  return h >>> 0;
}

/** Probabilities → log-probabilities as float32, the way a real model hands them over. */
export function toLogProbs(p: readonly number[]): Float32Array {
  const total = p.reduce((a, b) => a + b, 0);
  return Float32Array.from(p, (x) => Math.log(x / total));
}

export interface PrefixState {
  src: number[];
  prefixes: number[][];
}

/**
 * A model given by a function of (sentence, prefix) → next-token log-probabilities. Counts its
 * `step` calls and scored rows so tests can check batching.
 */
export class PrefixModel implements StepModel<PrefixState> {
  readonly bos = 0;
  readonly eos = 1;
  stepCalls = 0;
  rowsScored = 0;
  private readonly cache = new Map<string, Float32Array>();

  constructor(
    readonly vocabSize: number,
    private readonly dist: (src: number, prefix: readonly number[]) => Float32Array,
    readonly sourceLengths?: ArrayLike<number>,
  ) {}

  /** Log-probabilities after `prefix` (tokens emitted so far, without `<s>`). */
  next(src: number, prefix: readonly number[]): Float32Array {
    const key = `${src}|${prefix.join(',')}`;
    let d = this.cache.get(key);
    if (d === undefined) {
      d = this.dist(src, prefix);
      this.cache.set(key, d);
    }
    return d;
  }

  start(batch: number): PrefixState {
    return { src: Array.from({ length: batch }, (_, i) => i), prefixes: Array.from({ length: batch }, () => [-1]) };
  }

  step(state: PrefixState, tokens: Int32Array): { logProbs: Float32Array; state: PrefixState } {
    if (tokens.length !== state.src.length) throw new Error(`step: ${tokens.length} tokens for ${state.src.length} rows`);
    this.stepCalls++;
    this.rowsScored += tokens.length;
    const V = this.vocabSize;
    const logProbs = new Float32Array(tokens.length * V);
    const prefixes = state.prefixes.map((p, r) => {
      // -1 marks "nothing fed yet": the first token fed must be <s>.
      if (p[0] === -1) {
        if (tokens[r] !== this.bos) throw new Error(`step: first token of row ${r} is ${tokens[r]}, not <s>`);
        return [];
      }
      return [...p, tokens[r]];
    });
    prefixes.forEach((p, r) => logProbs.set(this.next(state.src[r], p), r * V));
    return { logProbs, state: { src: state.src, prefixes } };
  }

  select(state: PrefixState, rows: Int32Array): PrefixState {
    return {
      src: Array.from(rows, (r) => state.src[r]),
      prefixes: Array.from(rows, (r) => state.prefixes[r]),
    };
  }

  concat(states: readonly PrefixState[]): PrefixState {
    return { src: states.flatMap((s) => s.src), prefixes: states.flatMap((s) => s.prefixes) };
  }
}

/** The same model seen without `concat`, to exercise the per-state fallback. */
export function withoutConcat<S>(m: StepModel<S>): StepModel<S> {
  return {
    vocabSize: m.vocabSize,
    bos: m.bos,
    eos: m.eos,
    sourceLengths: m.sourceLengths,
    start: (b) => m.start(b),
    step: (s, t) => m.step(s, t),
    select: (s, r) => m.select(s, r),
  };
}

function randomDist(rnd: () => number, V: number, sharpness: number, eosBias: number): Float32Array {
  const p: number[] = [];
  for (let v = 0; v < V; v++) {
    // <s> is never generated, as in a trained model that saw it only as input.
    if (v === 0) p.push(0);
    else p.push(Math.exp(sharpness * (rnd() - 0.5) * 4 + (v === 1 ? eosBias : 0)));
  }
  return toLogProbs(p);
}

/** Next token depends only on (sentence, step, last token). */
export function markovModel(V: number, seed: number, sharpness = 1, eosBias = 0): PrefixModel {
  return new PrefixModel(V, (src, prefix) => {
    const last = prefix.length === 0 ? 0 : prefix[prefix.length - 1];
    return randomDist(mulberry32(hash([seed, src, prefix.length, last])), V, sharpness, eosBias);
  });
}

/** Next token depends on the whole prefix (through a hash). */
export function prefixHashModel(V: number, seed: number, sharpness = 1, eosBias = 0): PrefixModel {
  return new PrefixModel(V, (src, prefix) => randomDist(mulberry32(hash([seed, src, 7, ...prefix])), V, sharpness, eosBias));
}

/**
 * Tokens: 0 <s>, 1 </s>, 2 a, 3 b. Greedy takes "a" (0.6) and ends at 0.6·0.4 = 0.24, while
 * "b </s>" has 0.4·0.9 = 0.36: the most probable sentence starts with the less probable word.
 */
export function gardenPathModel(): PrefixModel {
  return new PrefixModel(4, (_src, prefix) => {
    const key = prefix.join(',');
    if (key === '') return toLogProbs([0, 0, 0.6, 0.4]);
    if (key === '2') return toLogProbs([0, 0.4, 0.3, 0.3]);
    if (key === '3') return toLogProbs([0, 0.9, 0.05, 0.05]);
    return toLogProbs([0, 1, 1, 1]);
  });
}

/** Teacher-forced log-probability of `tokens` (then `</s>` when `finished`) for sentence `s`. */
export function rescore<S>(model: StepModel<S>, batch: number, s: number, tokens: readonly number[], finished: boolean): number {
  let state = model.select(model.start(batch), Int32Array.of(s));
  const seq = finished ? [...tokens, model.eos] : [...tokens];
  let prev = model.bos;
  let total = 0;
  for (const tok of seq) {
    const out = model.step(state, Int32Array.of(prev));
    total += out.logProbs[tok];
    state = out.state;
    prev = tok;
  }
  return total;
}

/** Sentence `s` of a `batch`-sentence model, seen as a one-sentence model. */
export function sentenceView<S>(m: StepModel<S>, batch: number, s: number): StepModel<S> {
  return {
    vocabSize: m.vocabSize,
    bos: m.bos,
    eos: m.eos,
    sourceLengths: m.sourceLengths === undefined ? undefined : [m.sourceLengths[s]],
    start: (b) => {
      if (b !== 1) throw new Error(`sentenceView: start(${b}) on a one-sentence view`);
      return m.select(m.start(batch), Int32Array.of(s));
    },
    step: (st, t) => m.step(st, t),
    select: (st, r) => m.select(st, r),
  };
}

/** A model whose next token most likely repeats the previous one (or `a` after `<s>`). */
export function repetitiveModel(V: number): PrefixModel {
  return new PrefixModel(V, (_src, prefix) => {
    const last = prefix.length === 0 ? 2 : prefix[prefix.length - 1];
    return toLogProbs(Array.from({ length: V }, (_, v) => (v === 0 ? 0 : v === last ? 8 : v === 1 ? 0.5 : 1 + v / V)));
  });
}
