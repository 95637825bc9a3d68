import { mulberry32, shuffleInPlace } from './mulberry32.js';

/** Options for `splitPairs`. */
export interface SplitOptions {
  /** Seed for the shuffle of distinct source sentences. */
  seed: number;
  /** Fraction of distinct source sentences for validation (default 0.05). */
  validFraction?: number;
  /** Fraction of distinct source sentences for test (default 0.05). */
  testFraction?: number;
}

/** Train/valid/test parts of a corpus. */
export interface Splits<T> {
  train: T[];
  valid: T[];
  test: T[];
}

/**
 * Split pairs into train/valid/test by their Chinese side: every copy of a Chinese sentence lands
 * in the same split, so a test sentence is never seen in training. Distinct sentences are
 * shuffled with mulberry32(seed); each split keeps the corpus order of its pairs.
 */
export function splitPairs<T extends { zh: string }>(pairs: readonly T[], options: SplitOptions): Splits<T> {
  const { seed, validFraction = 0.05, testFraction = 0.05 } = options;
  if (!(validFraction >= 0 && testFraction >= 0 && validFraction + testFraction <= 1)) {
    throw new Error(`splitPairs: fractions must be >= 0 and sum to <= 1, got validFraction=${validFraction}, testFraction=${testFraction}`);
  }
  const seen = new Map<string, number>();
  const keys: string[] = [];
  for (const p of pairs) {
    if (!seen.has(p.zh)) {
      seen.set(p.zh, keys.length);
      keys.push(p.zh);
    }
  }
  const order = shuffleInPlace(keys.map((_, i) => i), mulberry32(seed));
  const nTest = Math.round(keys.length * testFraction);
  const nValid = Math.round(keys.length * validFraction);
  const part = new Uint8Array(keys.length); // 0 train, 1 valid, 2 test
  order.forEach((k, rank) => {
    part[k] = rank < nTest ? 2 : rank < nTest + nValid ? 1 : 0;
  });
  const out: Splits<T> = { train: [], valid: [], test: [] };
  for (const p of pairs) {
    const which = part[seen.get(p.zh)!];
    (which === 2 ? out.test : which === 1 ? out.valid : out.train).push(p);
  }
  return out;
}
