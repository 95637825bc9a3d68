import { computeBleu } from './bleu-compute.js';
import { closestRefLength, maxRefCounts, preprocessBleuSegment, resolveBleuOptions, type BleuOptions } from './bleu.js';
import { formatFixed } from './format.js';
import { countAllNgrams } from './ngrams.js';
import { bleuSignature } from './signature.js';
import { splitWhitespace } from './whitespace.js';

/** One distinct hypothesis n-gram and how it was matched. */
export interface NgramMatch {
  /** The n-gram's tokens joined by single spaces. */
  ngram: string;
  /** Occurrences in the hypothesis. */
  count: number;
  /** Highest count in any one reference. */
  refCount: number;
  /** min(count, refCount): what BLEU credits. */
  clipped: number;
}

/** The n-grams of one order and the precision built from them. */
export interface OrderExplanation {
  order: number;
  /** Distinct hypothesis n-grams in order of first appearance. */
  ngrams: NgramMatch[];
  /** Sum of clipped counts. */
  matches: number;
  /** Hypothesis n-grams of this order. */
  total: number;
  /** matches / total in percent (0 when total is 0), before smoothing. */
  rawPrecision: number;
  /** The precision BLEU uses, in percent, after smoothing. */
  precision: number;
}

/** Everything that goes into the BLEU of one sentence pair. */
export interface BleuExplanation {
  hypothesisTokens: string[];
  referenceTokens: string[][];
  orders: OrderExplanation[];
  hypLen: number;
  /** The reference length closest to the hypothesis length (shorter wins a tie). */
  refLen: number;
  bp: number;
  score: number;
  effectiveOrder: boolean;
  signature: string;
}

/**
 * Explains sentence BLEU for one hypothesis against one or more references: per order, every
 * hypothesis n-gram with its count, the max reference count and the clipped match, the raw and
 * smoothed precision, then the brevity penalty and the score. Options are those of `sentenceBleu`
 * (effective order on by default); the numbers equal `sentenceBleu`'s.
 */
export function explainBleu(hyp: string, ref: string | readonly string[], opts: BleuOptions = {}): BleuExplanation {
  const o = resolveBleuOptions('explainBleu', opts, true);
  const refs = typeof ref === 'string' ? [ref] : [...ref];
  if (typeof hyp !== 'string') throw new Error(`explainBleu: hypothesis must be a string, got ${JSON.stringify(hyp)}`);
  if (refs.length === 0 || refs.some((r) => typeof r !== 'string')) {
    throw new Error(`explainBleu: need one or more reference strings, got ${JSON.stringify(ref)}`);
  }
  const hypTokens = splitWhitespace(preprocessBleuSegment(hyp, o.tokenize, o.lowercase));
  const refTokens = refs.map((r) => splitWhitespace(preprocessBleuSegment(r, o.tokenize, o.lowercase)));
  const hypCounts = countAllNgrams(hypTokens, o.maxNgramOrder);
  const refCounts = maxRefCounts(refTokens.map((t) => countAllNgrams(t, o.maxNgramOrder)), o.maxNgramOrder);

  const orders: OrderExplanation[] = hypCounts.map((counts, i) => {
    const ngrams: NgramMatch[] = [];
    // Map iteration follows insertion order, i.e. first appearance in the hypothesis.
    for (const [ngram, count] of counts) {
      const refCount = refCounts[i].get(ngram) ?? 0;
      ngrams.push({ ngram, count, refCount, clipped: Math.min(count, refCount) });
    }
    const matches = ngrams.reduce((s, g) => s + g.clipped, 0);
    const total = ngrams.reduce((s, g) => s + g.count, 0);
    return { order: i + 1, ngrams, matches, total, rawPrecision: total > 0 ? (100 * matches) / total : 0, precision: 0 };
  });
  const hypLen = hypTokens.length;
  const refLen = closestRefLength(hypLen, refTokens.map((t) => t.length));
  const stats = { sysLen: hypLen, refLen, counts: orders.map((x) => x.matches), totals: orders.map((x) => x.total) };
  const { score, precisions, bp } = computeBleu(stats, o.smoothMethod, o.smoothValue, o.effectiveOrder);
  orders.forEach((x, i) => (x.precision = precisions[i]));
  return {
    hypothesisTokens: hypTokens,
    referenceTokens: refTokens,
    orders,
    hypLen,
    refLen,
    bp,
    score,
    effectiveOrder: o.effectiveOrder,
    signature: bleuSignature({ ...o, nrefs: refs.length }),
  };
}

function padEnd(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - Array.from(s).length));
}

function padStart(s: string, width: number): string {
  return ' '.repeat(Math.max(0, width - Array.from(s).length)) + s;
}

/** Renders an explanation as plain text: tokens, one table per n-gram order, BP and the score. */
export function formatExplanation(e: BleuExplanation): string {
  const lines: string[] = [];
  lines.push(`hypothesis (${e.hypLen} tokens): ${e.hypothesisTokens.join(' ')}`);
  e.referenceTokens.forEach((t, i) => {
    const label = e.referenceTokens.length > 1 ? `reference ${i + 1}` : 'reference';
    lines.push(`${label} (${t.length} tokens): ${t.join(' ')}`);
  });
  for (const x of e.orders) {
    lines.push('');
    const smoothed = x.precision !== x.rawPrecision ? `, smoothed to ${formatFixed(x.precision, 2)}%` : '';
    lines.push(
      `${x.order}-grams: ${x.matches}/${x.total} clipped matches, precision ${formatFixed(x.rawPrecision, 2)}%${smoothed}`,
    );
    if (x.ngrams.length === 0) {
      lines.push('  (the hypothesis has no n-grams of this order)');
      continue;
    }
    const w = Math.max(6, ...x.ngrams.map((g) => Array.from(g.ngram).length));
    lines.push(`  ${padEnd('n-gram', w)}  ${padStart('hyp', 4)}  ${padStart('ref', 4)}  ${padStart('clipped', 7)}`);
    for (const g of x.ngrams) {
      const mark = g.clipped > 0 ? '' : '  ✗';
      lines.push(
        `  ${padEnd(g.ngram, w)}  ${padStart(String(g.count), 4)}  ${padStart(String(g.refCount), 4)}  ${padStart(String(g.clipped), 7)}${mark}`,
      );
    }
  }
  lines.push('');
  const ratio = e.refLen > 0 ? e.hypLen / e.refLen : 0;
  const bpRule = e.hypLen >= e.refLen ? 'hyp_len >= ref_len' : `exp(1 - ${e.refLen}/${e.hypLen})`;
  lines.push(`BP = ${formatFixed(e.bp, 3)} (${bpRule}; ratio = ${formatFixed(ratio, 3)} hyp_len = ${e.hypLen} ref_len = ${e.refLen})`);
  const used = e.orders.filter((x) => x.total > 0).length;
  const n = e.effectiveOrder ? Math.max(1, used) : e.orders.length;
  lines.push(`BLEU = ${formatFixed(e.score, 2)} (BP x geometric mean of ${n} precision${n === 1 ? '' : 's'})`);
  lines.push(e.signature);
  return lines.join('\n');
}
