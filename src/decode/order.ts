/**
 * The one ranking every decoder shares, so that enumeration, exact search and beam search agree
 * even on ties: higher score first; on equal scores the lexicographically smaller token sequence
 * (token ids compared left to right, a proper prefix first). Keys include the final `</s>` when
 * there is one. Greedy's argmax (smallest id among equal maxima) is the same rule one step at a time.
 */

/** Lexicographic comparison of token sequences; negative when `a` comes first. */
export function compareTokens(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i] - b[i];
  }
  return a.length - b.length;
}

/** True when (scoreA, keyA) ranks strictly ahead of (scoreB, keyB). */
export function ranksBefore(
  scoreA: number,
  keyA: ArrayLike<number>,
  scoreB: number,
  keyB: ArrayLike<number>,
): boolean {
  if (scoreA !== scoreB) return scoreA > scoreB;
  return compareTokens(keyA, keyB) < 0;
}

/** A decoded sentence as every decoder returns it. */
export interface Hypothesis {
  /** Output tokens, without `<s>` and `</s>`. */
  tokens: number[];
  /** Summed log-probability, including the `</s>` step when `finished`. */
  logProb: number;
  /** Ranking score: `logProb` itself, or length-normalised by beam search. */
  score: number;
  /** Log-probability of each emitted token (one more than `tokens` when `finished`). */
  stepLogProbs: number[];
  /** True when the sentence ended with `</s>`; false when it was cut at the maximum length. */
  finished: boolean;
}

/** The tie-breaking key of a hypothesis: its tokens followed by `</s>` when finished. */
export function hypothesisKey(h: Hypothesis, eos: number): number[] {
  return h.finished ? [...h.tokens, eos] : h.tokens;
}
