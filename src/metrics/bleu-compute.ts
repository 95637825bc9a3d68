/** BLEU's smoothing methods (Chen & Cherry 2014), as sacreBLEU names them. */
export type SmoothMethod = 'exp' | 'floor' | 'add-k' | 'none';

/** The default smoothing value of each method: floor 0.1 and add-k 1; the others take none. */
export const SMOOTH_DEFAULTS: Readonly<Record<SmoothMethod, number | null>> = {
  exp: null,
  floor: 0.1,
  'add-k': 1,
  none: null,
};

/** BLEU's sufficient statistics, summed over segments: clipped matches and hypothesis n-grams per order. */
export interface BleuStats {
  /** Hypothesis tokens. */
  sysLen: number;
  /** Closest reference tokens. */
  refLen: number;
  /** Clipped n-gram matches, element n-1 for order n. */
  counts: number[];
  /** Hypothesis n-grams, element n-1 for order n. */
  totals: number[];
}

/** The numbers BLEU derives from its statistics. */
export interface BleuNumbers {
  score: number;
  /** Percent, after smoothing. */
  precisions: number[];
  bp: number;
}

/** True when `name` is one of the smoothing methods. */
export function isSmoothMethod(name: string): name is SmoothMethod {
  return Object.prototype.hasOwnProperty.call(SMOOTH_DEFAULTS, name);
}

/** The smoothing value actually used: the given one, or the method's default. */
export function resolveSmoothValue(method: SmoothMethod, value: number | null | undefined): number | null {
  return value ?? SMOOTH_DEFAULTS[method];
}

// sacreBLEU's my_log: a huge negative stand-in for log(0) so that a zero precision zeroes the score.
function safeLog(p: number): number {
  return p > 0 ? Math.log(p) : -9999999999;
}

/** Brevity penalty: 1 when the hypothesis is at least as long as the reference, else exp(1 - r/c); 0 when c is 0. */
export function brevityPenalty(sysLen: number, refLen: number): number {
  if (sysLen < refLen) return sysLen > 0 ? Math.exp(1 - refLen / sysLen) : 0;
  return 1;
}

/**
 * Computes BLEU from statistics exactly as sacreBLEU's `compute_bleu`: early zero when nothing
 * matches, add-k on orders >= 2, stop at the first order without hypothesis n-grams, exp/floor
 * smoothing of zero precisions, and (with `effectiveOrder`) a geometric mean over the orders seen.
 */
export function computeBleu(
  stats: BleuStats,
  smoothMethod: SmoothMethod,
  smoothValue: number | null,
  effectiveOrder: boolean,
): BleuNumbers {
  const maxOrder = stats.counts.length;
  if (stats.totals.length !== maxOrder) {
    throw new Error(`computeBleu: counts has ${maxOrder} orders but totals has ${stats.totals.length}`);
  }
  const k = smoothValue ?? SMOOTH_DEFAULTS[smoothMethod] ?? 0;
  const bp = brevityPenalty(stats.sysLen, stats.refLen);
  const precisions = new Array<number>(maxOrder).fill(0);
  if (!stats.counts.some((c) => c !== 0)) return { score: 0, precisions, bp };

  let expDivisor = 1;
  let effOrder = maxOrder;
  for (let n = 1; n <= maxOrder; n++) {
    let correct = stats.counts[n - 1];
    let total = stats.totals[n - 1];
    if (smoothMethod === 'add-k' && n > 1) {
      correct += k;
      total += k;
    }
    if (total === 0) break;
    if (effectiveOrder) effOrder = n;
    if (correct === 0) {
      if (smoothMethod === 'exp') {
        expDivisor *= 2;
        precisions[n - 1] = 100 / (expDivisor * total);
      } else if (smoothMethod === 'floor') {
        precisions[n - 1] = (100 * k) / total;
      }
    } else {
      precisions[n - 1] = (100 * correct) / total;
    }
  }
  let logSum = 0;
  for (let i = 0; i < effOrder; i++) logSum += safeLog(precisions[i]);
  return { score: bp * Math.exp(logSum / effOrder), precisions, bp };
}
