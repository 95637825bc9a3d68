/** Timing helpers mirroring bench-peers/torch/common.py, so both sides measure the same way. */

/** Runs fn `warmup` times, then `iters` timed blocks of `inner` calls; returns seconds per call, one entry per block. */
export function timeIters(fn: () => void, warmup: number, iters: number, inner = 1): number[] {
  for (let i = 0; i < warmup; i++) fn();
  const out: number[] = [];
  for (let i = 0; i < iters; i++) {
    const t0 = process.hrtime.bigint();
    for (let j = 0; j < inner; j++) fn();
    out.push(Number(process.hrtime.bigint() - t0) / 1e9 / inner);
  }
  return out;
}

/** Median of a non-empty list (mean of the middle two for even lengths, as Python's statistics.median). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error('median: empty list');
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Converts seconds per call into rates (work per second): median, min and max. */
export function summarizeRates(times: readonly number[], workPerCall: number): { median: number; min: number; max: number } {
  const rates = times.map((t) => workPerCall / t).sort((a, b) => a - b);
  return { median: median(rates), min: rates[0], max: rates[rates.length - 1] };
}

/** Rounds to 2 decimals, as the peers report. */
export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
