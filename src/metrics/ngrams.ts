/**
 * Counts the n-grams of one order in a token list. Keys are the tokens joined by single spaces,
 * which is unambiguous because tokens come from a whitespace split and never contain a space.
 */
export function countNgrams(tokens: readonly string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const key = tokens.slice(i, i + n).join(' ');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** Counts n-grams of orders 1..maxOrder; element `n - 1` holds order `n`. */
export function countAllNgrams(tokens: readonly string[], maxOrder: number): Map<string, number>[] {
  const out: Map<string, number>[] = [];
  for (let n = 1; n <= maxOrder; n++) out.push(countNgrams(tokens, n));
  return out;
}

/** Sum of all counts in a count map. */
export function totalCount(counts: ReadonlyMap<string, number>): number {
  let sum = 0;
  for (const c of counts.values()) sum += c;
  return sum;
}

/** Sum over the keys of `hyp` of min(hyp count, ref count): the clipped matches. */
export function clippedMatches(hyp: ReadonlyMap<string, number>, ref: ReadonlyMap<string, number>): number {
  let sum = 0;
  for (const [key, c] of hyp) {
    const r = ref.get(key);
    if (r !== undefined) sum += Math.min(c, r);
  }
  return sum;
}
