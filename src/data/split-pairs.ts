import { mulberry32, shuffleInPlace } from './mulberry32.js';

/** Options for `splitPairs`. */
export interface SplitOptions {
  /** Seed for the shuffle of groups. */
  seed: number;
  /** Fraction of the pairs for validation, filled group by group (default 0.05). */
  validFraction?: number;
  /** Fraction of the pairs for test, filled group by group (default 0.05). */
  testFraction?: number;
}

/** Train/valid/test parts of a corpus. */
export interface Splits<T> {
  train: T[];
  valid: T[];
  test: T[];
}

/**
 * Connected groups of pairs: two pairs are in one group when they share their Chinese side or
 * their English side, directly or through a chain of other pairs (union-find over both sides).
 * Returns the group of each pair, numbered in order of first appearance.
 */
export function pairGroups(pairs: readonly { zh: string; en: string }[]): Int32Array {
  const parent = Array.from({ length: pairs.length }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]]; // path halving keeps the trees shallow
      i = parent[i];
    }
    return i;
  };
  const union = (a: number, b: number) => {
    const ra = find(a), rb = find(b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };
  // Separate maps per side: a Chinese string equal to an English one is not a shared sentence.
  for (const side of ['zh', 'en'] as const) {
    const first = new Map<string, number>();
    pairs.forEach((p, i) => {
      const j = first.get(p[side]);
      if (j === undefined) first.set(p[side], i);
      else union(i, j);
    });
  }
  const ids = new Map<number, number>();
  const out = new Int32Array(pairs.length);
  for (let i = 0; i < pairs.length; i++) {
    const r = find(i);
    if (!ids.has(r)) ids.set(r, ids.size);
    out[i] = ids.get(r)!;
  }
  return out;
}

/**
 * Split pairs into train/valid/test so that held-out data is held out on both sides: pairs that
 * share a Chinese sentence or an English sentence (the grammar maps 你 and 你们, or a time phrase
 * before or after the subject, to one English sentence) form one group (`pairGroups`), and a
 * group lands whole in one split. So no source and no reference of valid or test occurs in train.
 * Groups are shuffled with mulberry32(seed) and dealt to test, then valid, until each holds its
 * fraction of the pairs (rounded); the rest is train. Each split keeps the corpus order of its pairs.
 */
export function splitPairs<T extends { zh: string; en: string }>(pairs: readonly T[], options: SplitOptions): Splits<T> {
  const { seed, validFraction = 0.05, testFraction = 0.05 } = options;
  if (!(validFraction >= 0 && testFraction >= 0 && validFraction + testFraction <= 1)) {
    throw new Error(`splitPairs: fractions must be >= 0 and sum to <= 1, got validFraction=${validFraction}, testFraction=${testFraction}`);
  }
  const group = pairGroups(pairs);
  let nGroups = 0;
  for (const g of group) nGroups = Math.max(nGroups, g + 1);
  const size = new Int32Array(nGroups);
  for (const g of group) size[g]++;
  const order = shuffleInPlace(Array.from({ length: nGroups }, (_, i) => i), mulberry32(seed));
  const wantTest = Math.round(pairs.length * testFraction);
  const wantValid = Math.round(pairs.length * validFraction);
  const part = new Uint8Array(nGroups); // 0 train, 1 valid, 2 test
  let nTest = 0, nValid = 0;
  // A group goes to a held-out split while that split is short of its share; a group bigger than
  // what is left is passed over (to train) rather than overshooting, so the fractions hold closely
  // even when one group is large.
  for (const g of order) {
    if (nTest < wantTest && nTest + size[g] <= wantTest) {
      part[g] = 2;
      nTest += size[g];
    } else if (nValid < wantValid && nValid + size[g] <= wantValid) {
      part[g] = 1;
      nValid += size[g];
    }
  }
  const out: Splits<T> = { train: [], valid: [], test: [] };
  pairs.forEach((p, i) => {
    const which = part[group[i]];
    (which === 2 ? out.test : which === 1 ? out.valid : out.train).push(p);
  });
  return out;
}
