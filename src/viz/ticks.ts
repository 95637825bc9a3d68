/** Axis tick placement: "nice" 1-2-5 steps for linear axes, powers of ten for log axes. */
import { formatValue } from './svg.js';

/** Ticks for an axis: positions, their labels, and the (possibly widened) domain they cover. */
export interface Ticks {
  values: number[];
  labels: string[];
  domain: [number, number];
}

/** Smallest 1, 2, 2.5 or 5 times a power of ten that is at least `rough`. */
function niceStep(rough: number): number {
  const p = 10 ** Math.floor(Math.log10(rough));
  const m = rough / p;
  const k = m <= 1 ? 1 : m <= 2 ? 2 : m <= 2.5 ? 2.5 : m <= 5 ? 5 : 10;
  return k * p;
}

/**
 * About `count` evenly spaced round ticks covering [lo, hi]; the domain is widened outward to
 * the first and last tick so data never sits outside the axis.
 */
export function niceTicks(lo: number, hi: number, count = 5): Ticks {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
    throw new Error(`niceTicks: domain must be finite, got [${lo}, ${hi}]`);
  }
  if (lo > hi) [lo, hi] = [hi, lo];
  if (lo === hi) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const step = niceStep((hi - lo) / Math.max(1, count));
  const start = Math.floor(lo / step + 1e-9);
  const end = Math.ceil(hi / step - 1e-9);
  const values: number[] = [];
  // Build from integer multiples so 0.1 + 0.2 style drift never reaches the labels.
  for (let k = start; k <= end; k++) values.push(Number((k * step).toPrecision(12)));
  const mag = Math.floor(Math.log10(step) + 1e-9);
  // A 2.5 step below 10 needs one more decimal than its magnitude suggests (0.25, 2.5).
  const extra = step < 10 && Math.abs(step / 10 ** mag - 2.5) < 1e-9 ? 1 : 0;
  const decimals = Math.max(0, -mag) + extra;
  const labels = values.map((v) =>
    Math.abs(v) >= 1e5 || (v !== 0 && Math.abs(step) < 1e-3) ? formatValue(v) : v.toFixed(decimals),
  );
  return { values, labels, domain: [values[0]!, values[values.length - 1]!] };
}

/**
 * Labels for log ticks: plain decimals when every tick lies in 0.001..10000, otherwise `1e-7`
 * style throughout so one axis never mixes the two notations.
 */
function logLabels(values: readonly number[]): string[] {
  const exps = values.map((v) => Math.log10(v));
  const powers = exps.every((e) => Math.abs(e - Math.round(e)) < 1e-9);
  const plain = exps.every((e) => e >= -3 - 1e-9 && e <= 4 + 1e-9);
  return values.map((v, i) => {
    if (plain) return String(v);
    if (!powers) return formatValue(v);
    const e = Math.round(exps[i]!);
    return e === 0 ? '1' : `1e${e}`;
  });
}

/**
 * Ticks for a log10 axis over positive [lo, hi]: each decade, thinned when there are many, with
 * 2 and 5 multiples added when the range spans under two decades.
 */
export function logTicks(lo: number, hi: number): Ticks {
  if (!(lo > 0) || !(hi > 0) || !Number.isFinite(lo) || !Number.isFinite(hi)) {
    throw new Error(`logTicks: domain must be positive and finite, got [${lo}, ${hi}]`);
  }
  if (lo > hi) [lo, hi] = [hi, lo];
  let e0 = Math.floor(Math.log10(lo) + 1e-9);
  let e1 = Math.ceil(Math.log10(hi) - 1e-9);
  if (e0 === e1) e1 = e0 + 1;
  const decades = e1 - e0;
  const values: number[] = [];
  if (decades < 2) {
    for (let e = e0; e <= e1; e++) {
      for (const m of [1, 2, 5]) {
        const v = Number((m * 10 ** e).toPrecision(12));
        if (e === e1 && m > 1) break;
        values.push(v);
      }
    }
  } else {
    const every = Math.ceil(decades / 8);
    e0 = Math.floor(e0 / every) * every;
    e1 = Math.ceil(e1 / every) * every;
    for (let e = e0; e <= e1; e += every) values.push(Number((10 ** e).toPrecision(12)));
  }
  return { values, labels: logLabels(values), domain: [values[0]!, values[values.length - 1]!] };
}
