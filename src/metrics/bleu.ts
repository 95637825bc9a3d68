import { computeBleu, isSmoothMethod, resolveSmoothValue, type BleuStats, type SmoothMethod } from './bleu-compute.js';
import { clippedMatches, countAllNgrams, totalCount } from './ngrams.js';
import { groupReferences, type ReferenceStreams } from './references.js';
import { bleuSignature } from './signature.js';
import { getTokenizer, type TokenizerName } from './tokenizers.js';
import { rstripWhitespace, splitWhitespace } from './whitespace.js';

/** BLEU settings; the defaults are sacreBLEU's. */
export interface BleuOptions {
  /** Tokenizer applied to hypotheses and references (default '13a'). */
  tokenize?: TokenizerName;
  /** Smoothing of zero precisions (default 'exp'). */
  smoothMethod?: SmoothMethod;
  /** Value for 'floor' (default 0.1) and 'add-k' (default 1); ignored by the others. */
  smoothValue?: number | null;
  /** Lowercase before tokenizing (default false). */
  lowercase?: boolean;
  /** Highest n-gram order (default 4). */
  maxNgramOrder?: number;
  /**
   * Average only over the orders the hypothesis has n-grams for. Default false for corpus BLEU
   * and true for sentence BLEU, where short sentences would otherwise always score 0.
   */
  effectiveOrder?: boolean;
}

/** A BLEU result with sacreBLEU's field names. */
export interface BleuResult {
  name: 'BLEU';
  /** 0–100. */
  score: number;
  /** Clipped matches per order, before any smoothing. */
  counts: number[];
  /** Hypothesis n-grams per order, before any smoothing. */
  totals: number[];
  /** Percent per order, after smoothing. */
  precisions: number[];
  bp: number;
  sys_len: number;
  ref_len: number;
  signature: string;
}

/** Options with every default filled in and checked. */
export interface ResolvedBleuOptions {
  tokenize: TokenizerName;
  smoothMethod: SmoothMethod;
  smoothValue: number | null;
  lowercase: boolean;
  maxNgramOrder: number;
  effectiveOrder: boolean;
}

/** Fills in defaults and validates BLEU options; `fn` names the caller in errors. */
export function resolveBleuOptions(fn: string, opts: BleuOptions, effectiveDefault: boolean): ResolvedBleuOptions {
  const smoothMethod = opts.smoothMethod ?? 'exp';
  if (!isSmoothMethod(smoothMethod)) {
    throw new Error(`${fn}: unknown smoothMethod '${smoothMethod}' (expected exp, floor, add-k or none)`);
  }
  const maxNgramOrder = opts.maxNgramOrder ?? 4;
  if (!Number.isInteger(maxNgramOrder) || maxNgramOrder < 1) {
    throw new Error(`${fn}: maxNgramOrder must be a positive integer, got ${maxNgramOrder}`);
  }
  const smoothValue = resolveSmoothValue(smoothMethod, opts.smoothValue);
  if (smoothValue !== null && !(Number.isFinite(smoothValue) && smoothValue >= 0)) {
    throw new Error(`${fn}: smoothValue must be a finite number >= 0, got ${smoothValue}`);
  }
  const tokenize = opts.tokenize ?? '13a';
  getTokenizer(tokenize);
  return {
    tokenize,
    smoothMethod,
    // exp and none take no value; keeping one would change the signature
    smoothValue: smoothMethod === 'floor' || smoothMethod === 'add-k' ? smoothValue : null,
    lowercase: opts.lowercase ?? false,
    maxNgramOrder,
    effectiveOrder: opts.effectiveOrder ?? effectiveDefault,
  };
}

/** Lowercases (optionally), strips trailing whitespace and tokenizes one segment, as sacreBLEU does. */
export function preprocessBleuSegment(line: string, tokenize: TokenizerName, lowercase: boolean): string {
  const s = lowercase ? line.toLowerCase() : line;
  return getTokenizer(tokenize)(rstripWhitespace(s));
}

/** Closest reference length to `hypLen`; on a tie the shorter reference wins. */
export function closestRefLength(hypLen: number, refLens: readonly number[]): number {
  let bestDiff = -1;
  let best = -1;
  for (const len of refLens) {
    const diff = Math.abs(hypLen - len);
    if (bestDiff === -1 || diff < bestDiff || (diff === bestDiff && len < best)) {
      bestDiff = diff;
      best = len;
    }
  }
  return best;
}

/** Merges reference n-gram counts by taking, per n-gram, the maximum count over references. */
export function maxRefCounts(refCounts: ReadonlyArray<Map<string, number>[]>, maxOrder: number): Map<string, number>[] {
  const merged: Map<string, number>[] = [];
  for (let n = 0; n < maxOrder; n++) {
    const m = new Map<string, number>();
    for (const rc of refCounts) {
      for (const [key, c] of rc[n]) if (c > (m.get(key) ?? 0)) m.set(key, c);
    }
    merged.push(m);
  }
  return merged;
}

/**
 * Statistics of one segment from already tokenized strings: hypothesis length, closest reference
 * length, clipped matches and totals per order.
 */
export function segmentBleuStats(hypTokenized: string, refsTokenized: readonly string[], maxOrder: number): BleuStats {
  const hypTokens = splitWhitespace(hypTokenized);
  const hyp = countAllNgrams(hypTokens, maxOrder);
  const refTokens = refsTokenized.map(splitWhitespace);
  const ref = maxRefCounts(refTokens.map((t) => countAllNgrams(t, maxOrder)), maxOrder);
  return {
    sysLen: hypTokens.length,
    refLen: closestRefLength(hypTokens.length, refTokens.map((t) => t.length)),
    counts: hyp.map((h, n) => clippedMatches(h, ref[n])),
    totals: hyp.map(totalCount),
  };
}

function scoreStats(stats: BleuStats, o: ResolvedBleuOptions, signature: string): BleuResult {
  const { score, precisions, bp } = computeBleu(stats, o.smoothMethod, o.smoothValue, o.effectiveOrder);
  return {
    name: 'BLEU',
    score,
    counts: stats.counts,
    totals: stats.totals,
    precisions,
    bp,
    sys_len: stats.sysLen,
    ref_len: stats.refLen,
    signature,
  };
}

/**
 * Corpus BLEU (sacreBLEU's `BLEU(...).corpus_score`): n-gram matches and lengths are summed over
 * all segments before the precisions and brevity penalty are taken.
 *
 * @param hypotheses one string per segment
 * @param references reference streams, `references[stream][segment]`; `null` = no reference there
 */
export function corpusBleu(hypotheses: readonly string[], references: ReferenceStreams, opts: BleuOptions = {}): BleuResult {
  return bleuOf('corpusBleu', hypotheses, references, resolveBleuOptions('corpusBleu', opts, false));
}

function bleuOf(fn: string, hypotheses: readonly string[], references: ReferenceStreams, o: ResolvedBleuOptions): BleuResult {
  const { perSegment, nrefs } = groupReferences(fn, hypotheses, references);
  const total: BleuStats = {
    sysLen: 0,
    refLen: 0,
    counts: new Array<number>(o.maxNgramOrder).fill(0),
    totals: new Array<number>(o.maxNgramOrder).fill(0),
  };
  hypotheses.forEach((hyp, i) => {
    const s = segmentBleuStats(
      preprocessBleuSegment(hyp, o.tokenize, o.lowercase),
      perSegment[i].map((r) => preprocessBleuSegment(r, o.tokenize, o.lowercase)),
      o.maxNgramOrder,
    );
    total.sysLen += s.sysLen;
    total.refLen += s.refLen;
    for (let n = 0; n < o.maxNgramOrder; n++) {
      total.counts[n] += s.counts[n];
      total.totals[n] += s.totals[n];
    }
  });
  return scoreStats(total, o, bleuSignature({ ...o, nrefs }));
}

/**
 * Sentence BLEU (sacreBLEU's `sentence_score`) of one hypothesis against its references. Effective
 * order is on unless `opts.effectiveOrder` is false.
 */
export function sentenceBleu(hypothesis: string, references: readonly string[], opts: BleuOptions = {}): BleuResult {
  if (typeof hypothesis !== 'string') {
    throw new Error(`sentenceBleu: hypothesis must be a string, got ${JSON.stringify(hypothesis)}`);
  }
  if (!Array.isArray(references)) {
    throw new Error(`sentenceBleu: references must be an array of strings, got ${JSON.stringify(references)}`);
  }
  const o = resolveBleuOptions('sentenceBleu', opts, true);
  return bleuOf(
    'sentenceBleu',
    [hypothesis],
    references.map((r) => [r]),
    o,
  );
}
