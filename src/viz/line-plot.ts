/**
 * Multi-series line plots (training curves, gradient norms) as SVG, with nice ticks, an
 * optional log-scale y axis and a legend.
 */
import { frameAndCaptions, legendColumn, legendWidth, xAxis, yAxis, yTickWidth, type PlotArea } from './axes.js';
import { escapeXml, fmt, seriesColor, svgOpen } from './svg.js';
import { logTicks, niceTicks } from './ticks.js';

/** One line: `y` values at positions `x` (default 0, 1, 2, ...). */
export interface LineSeries {
  name: string;
  y: ArrayLike<number>;
  x?: ArrayLike<number>;
  /** CSS colour; default from the categorical palette. */
  color?: string;
  dashed?: boolean;
}

/** Options for {@link linePlotSvg}. */
export interface LinePlotOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Log10 y axis; points with y <= 0 are left out (they break the line). Default false. */
  logY?: boolean;
  width?: number;
  height?: number;
  /** Draw a dot at each point. Default: when every series has at most 60 points. */
  markers?: boolean;
  /** Points per series above which the series is thinned to per-bucket min and max. Default 2000. */
  maxPoints?: number;
  /** Fix the y range instead of fitting the data. */
  yDomain?: readonly [number, number];
  fontSize?: number;
}

type Pt = [number, number];

/** Finite (and, on a log axis, positive) points of `s`, split into runs at the gaps. */
function segments(s: LineSeries, logY: boolean): Pt[][] {
  const n = s.y.length;
  if (s.x && s.x.length !== n) {
    throw new Error(`linePlotSvg: series "${s.name}" has ${s.x.length} x values and ${n} y values`);
  }
  const runs: Pt[][] = [];
  let run: Pt[] = [];
  for (let i = 0; i < n; i++) {
    const x = s.x ? s.x[i]! : i;
    const y = s.y[i]!;
    if (Number.isFinite(x) && Number.isFinite(y) && (!logY || y > 0)) run.push([x, y]);
    else if (run.length) {
      runs.push(run);
      run = [];
    }
  }
  if (run.length) runs.push(run);
  return runs;
}

/**
 * Thin a run to at most about `max` points, keeping each bucket's lowest and highest y in x
 * order so spikes (a gradient blowing up) survive.
 */
export function decimate(run: readonly Pt[], max: number): Pt[] {
  if (run.length <= max) return run.slice();
  const buckets = Math.max(1, Math.floor(max / 2));
  const size = run.length / buckets;
  const out: Pt[] = [];
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor(b * size);
    const end = Math.min(run.length, Math.floor((b + 1) * size));
    let lo = start;
    let hi = start;
    for (let i = start; i < end; i++) {
      if (run[i]![1] < run[lo]![1]) lo = i;
      if (run[i]![1] > run[hi]![1]) hi = i;
    }
    if (lo === hi) out.push(run[lo]!);
    else out.push(run[Math.min(lo, hi)]!, run[Math.max(lo, hi)]!);
  }
  return out;
}

/** Render `series` as an SVG line plot. */
export function linePlotSvg(series: readonly LineSeries[], options: LinePlotOptions = {}): string {
  if (series.length === 0) throw new Error('linePlotSvg: no series given');
  const { title, xLabel, yLabel, logY = false } = options;
  const width = options.width ?? 640;
  const height = options.height ?? 400;
  const fontSize = options.fontSize ?? 12;
  const maxPoints = options.maxPoints ?? 2000;
  if (!(maxPoints >= 2)) throw new Error(`linePlotSvg: maxPoints must be at least 2, got ${maxPoints}`);

  const runs = series.map((s) => segments(s, logY).map((r) => decimate(r, maxPoints)));
  const all = runs.flat(2);
  let [xlo, xhi, ylo, yhi] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const [x, y] of all) {
    xlo = Math.min(xlo, x);
    xhi = Math.max(xhi, x);
    ylo = Math.min(ylo, y);
    yhi = Math.max(yhi, y);
  }
  if (all.length === 0) [xlo, xhi, ylo, yhi] = [0, 1, logY ? 1 : 0, logY ? 10 : 1];
  if (options.yDomain) [ylo, yhi] = options.yDomain;
  const xt = niceTicks(xlo, xhi, 6);
  const yt = logY ? logTicks(ylo, yhi) : niceTicks(ylo, yhi, 5);
  const markers = options.markers ?? series.every((s) => s.y.length <= 60);

  const names = series.map((s) => s.name);
  const showLegend = series.length > 1 || names[0] !== '';
  const left = 10 + (yLabel ? fontSize + 10 : 0) + yTickWidth(yt, fontSize) + 8;
  const right = 12 + (showLegend ? legendWidth(names, fontSize) + 8 : 0);
  const top = 12 + (title ? fontSize * 2 + 4 : 0);
  const bottom = 10 + fontSize + 8 + (xLabel ? fontSize + 10 : 0);
  const area: PlotArea = { x: left, y: top, w: width - left - right, h: height - top - bottom };
  if (area.w < 20 || area.h < 20) throw new Error(`linePlotSvg: ${width}x${height} leaves no room to plot`);

  const [x0, x1] = xt.domain;
  const [y0, y1] = yt.domain;
  const toX = (x: number): number => area.x + ((x - x0) / (x1 - x0)) * area.w;
  const toY = logY
    ? (y: number): number => area.y + area.h - ((Math.log10(y) - Math.log10(y0)) / (Math.log10(y1) - Math.log10(y0))) * area.h
    : (y: number): number => area.y + area.h - ((y - y0) / (y1 - y0)) * area.h;

  const out: string[] = [
    svgOpen(width, height, fontSize),
    yAxis(area, yt, toY),
    xAxis(area, xt, toX, fontSize),
    `<clipPath id="plot-area"><rect x="${fmt(area.x)}" y="${fmt(area.y)}" width="${fmt(area.w)}" height="${fmt(area.h)}"/></clipPath>`,
  ];
  series.forEach((s, i) => {
    const color = s.color ?? seriesColor(i);
    out.push(`<g class="series" data-name="${escapeXml(s.name)}" clip-path="url(#plot-area)">`);
    for (const run of runs[i]!) {
      if (run.length > 1) {
        const pts = run.map(([x, y]) => `${fmt(toX(x))},${fmt(toY(y))}`).join(' ');
        out.push(`<polyline class="line" points="${pts}" fill="none" stroke="${escapeXml(color)}" stroke-width="1.8" stroke-linejoin="round"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
      }
      if (markers || run.length === 1) {
        for (const [x, y] of run) out.push(`<circle class="point" cx="${fmt(toX(x))}" cy="${fmt(toY(y))}" r="2.5" fill="${escapeXml(color)}"/>`);
      }
    }
    out.push('</g>');
  });
  out.push(frameAndCaptions(area, width, fontSize, { title, xLabel, yLabel }));
  if (showLegend) {
    out.push(legendColumn(area.x + area.w + 12, area.y + 8, fontSize,
      series.map((s, i) => ({ name: s.name, color: escapeXml(s.color ?? seriesColor(i)) })), 'line'));
  }
  out.push('</svg>\n');
  return out.join('\n');
}
