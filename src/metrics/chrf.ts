import { clippedMatches, countNgrams, totalCount } from './ngrams.js';
import { groupReferences, type ReferenceStreams } from './references.js';
import { chrfSignature } from './signature.js';
import { splitWhitespace } from './whitespace.js';

/** chrF settings; the defaults are sacreBLEU's `CHRF()` (chrF2). `wordOrder: 2` gives chrF++. */
export interface ChrfOptions {
  /** Character n-gram order (default 6). */
  charOrder?: number;
  /** Word n-gram order (default 0; 2 for chrF++). */
  wordOrder?: number;
  /** Recall weight (default 2). */
  beta?: number;
  /** Lowercase first (default false). */
  lowercase?: boolean;
  /** Keep whitespace inside character n-grams (default false). */
  whitespace?: boolean;
  /** Average per-order F-scores with an epsilon for empty orders, as chrF++.py does (default false). */
  epsSmoothing?: boolean;
}

/** A chrF result with sacreBLEU's name (`chrF2`, `chrF2++`) and signature. */
export interface ChrfResult {
  name: string;
  /** 0–100. */
  score: number;
  /** `[hyp, ref, match]` per character order, then per word order, summed over segments. */
  stats: number[];
  signature: string;
}

interface ResolvedChrf {
  charOrder: number;
  wordOrder: number;
  beta: number;
  lowercase: boolean;
  whitespace: boolean;
  epsSmoothing: boolean;
}

const EPSILON = 1e-16;
// string.punctuation: chrF++ splits at most one of these off either end of a word
const ASCII_PUNCT = new Set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~');

function resolveChrf(fn: string, opts: ChrfOptions): ResolvedChrf {
  const o: ResolvedChrf = {
    charOrder: opts.charOrder ?? 6,
    wordOrder: opts.wordOrder ?? 0,
    beta: opts.beta ?? 2,
    lowercase: opts.lowercase ?? false,
    whitespace: opts.whitespace ?? false,
    epsSmoothing: opts.epsSmoothing ?? false,
  };
  if (!Number.isInteger(o.charOrder) || o.charOrder < 0) throw new Error(`${fn}: charOrder must be an integer >= 0, got ${o.charOrder}`);
  if (!Number.isInteger(o.wordOrder) || o.wordOrder < 0) throw new Error(`${fn}: wordOrder must be an integer >= 0, got ${o.wordOrder}`);
  if (o.charOrder + o.wordOrder === 0) throw new Error(`${fn}: charOrder + wordOrder must be > 0`);
  if (!(Number.isFinite(o.beta) && o.beta > 0)) throw new Error(`${fn}: beta must be a finite number > 0, got ${o.beta}`);
  return o;
}

/**
 * Splits words on whitespace and detaches one ASCII punctuation character from the end, or else
 * from the start, of each word longer than one character (so '(hi)' gives '(hi' and ')').
 */
export function chrfWords(line: string): string[] {
  const out: string[] = [];
  for (const w of splitWhitespace(line)) {
    const chars = Array.from(w);
    if (chars.length === 1) out.push(w);
    else if (ASCII_PUNCT.has(chars[chars.length - 1])) out.push(chars.slice(0, -1).join(''), chars[chars.length - 1]);
    else if (ASCII_PUNCT.has(chars[0])) out.push(chars[0], chars.slice(1).join(''));
    else out.push(w);
  }
  return out;
}

// Character n-grams over code points; whitespace is removed first unless it is kept.
function charNgrams(line: string, maxOrder: number, whitespace: boolean): Map<string, number>[] {
  const chars = Array.from(whitespace ? line : splitWhitespace(line).join(''));
  const out: Map<string, number>[] = [];
  for (let n = 1; n <= maxOrder; n++) {
    const m = new Map<string, number>();
    for (let i = 0; i + n <= chars.length; i++) {
      const key = chars.slice(i, i + n).join('');
      m.set(key, (m.get(key) ?? 0) + 1);
    }
    out.push(m);
  }
  return out;
}

function allNgrams(line: string, o: ResolvedChrf): Map<string, number>[] {
  const grams = charNgrams(line, o.charOrder, o.whitespace);
  if (o.wordOrder > 0) {
    const words = chrfWords(line);
    for (let n = 1; n <= o.wordOrder; n++) grams.push(countNgrams(words, n));
  }
  return grams;
}

/**
 * chrF from flat `[hyp, ref, match]` statistics: the F-beta of precision and recall averaged over
 * the orders where both sides have n-grams, or with `epsSmoothing` the average of per-order F-scores.
 */
export function computeChrf(stats: readonly number[], beta: number, epsSmoothing: boolean): number {
  if (stats.length % 3 !== 0 || stats.length === 0) {
    throw new Error(`computeChrf: stats must be [hyp, ref, match] triples, got length ${stats.length}`);
  }
  const order = stats.length / 3;
  const factor = beta ** 2;
  let score = 0;
  let avgPrec = 0;
  let avgRec = 0;
  let effOrder = 0;
  for (let i = 0; i < order; i++) {
    const [nHyp, nRef, nMatch] = [stats[3 * i], stats[3 * i + 1], stats[3 * i + 2]];
    const prec = nHyp > 0 ? nMatch / nHyp : EPSILON;
    const rec = nRef > 0 ? nMatch / nRef : EPSILON;
    const denom = factor * prec + rec;
    score += denom > 0 ? ((1 + factor) * prec * rec) / denom : EPSILON;
    if (nHyp > 0 && nRef > 0) {
      avgPrec += prec;
      avgRec += rec;
      effOrder++;
    }
  }
  if (epsSmoothing) return (100 * score) / order;
  if (effOrder === 0) return 0;
  avgPrec /= effOrder;
  avgRec /= effOrder;
  if (avgPrec + avgRec === 0) return 0;
  return (100 * ((1 + factor) * avgPrec * avgRec)) / (factor * avgPrec + avgRec);
}

function chrfOf(fn: string, hypotheses: readonly string[], references: ReferenceStreams, o: ResolvedChrf): ChrfResult {
  const { perSegment, nrefs } = groupReferences(fn, hypotheses, references);
  const order = o.charOrder + o.wordOrder;
  const total = new Array<number>(3 * order).fill(0);
  const prep = (s: string): string => (o.lowercase ? s.toLowerCase() : s);
  hypotheses.forEach((hyp, i) => {
    const h = allNgrams(prep(hyp), o);
    // the reference with the best F-score is the one counted; the first wins a tie
    let best: number[] = [];
    let bestF = -1;
    for (const ref of perSegment[i]) {
      const r = allNgrams(prep(ref), o);
      const stats: number[] = [];
      for (let n = 0; n < order; n++) stats.push(totalCount(h[n]), totalCount(r[n]), clippedMatches(h[n], r[n]));
      const f = computeChrf(stats, o.beta, o.epsSmoothing);
      if (f > bestF) {
        bestF = f;
        best = stats;
      }
    }
    for (let k = 0; k < total.length; k++) total[k] += best[k];
  });
  return {
    name: `chrF${o.beta}${'+'.repeat(o.wordOrder)}`,
    score: computeChrf(total, o.beta, o.epsSmoothing),
    stats: total,
    signature: chrfSignature({ ...o, nrefs }),
  };
}

/**
 * Corpus chrF / chrF++ (sacreBLEU's `CHRF(...).corpus_score`): statistics are summed over segments,
 * each segment contributing its best-scoring reference.
 */
export function corpusChrf(hypotheses: readonly string[], references: ReferenceStreams, opts: ChrfOptions = {}): ChrfResult {
  return chrfOf('corpusChrf', hypotheses, references, resolveChrf('corpusChrf', opts));
}

/** Sentence chrF / chrF++ of one hypothesis against its references. */
export function sentenceChrf(hypothesis: string, references: readonly string[], opts: ChrfOptions = {}): ChrfResult {
  if (!Array.isArray(references)) {
    throw new Error(`sentenceChrf: references must be an array of strings, got ${JSON.stringify(references)}`);
  }
  return chrfOf('sentenceChrf', [hypothesis], references.map((r) => [r]), resolveChrf('sentenceChrf', opts));
}
