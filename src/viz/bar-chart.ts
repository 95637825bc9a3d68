/** Grouped bar charts as SVG, e.g. BLEU per source-length bucket for several models. */
import { frameAndCaptions, legendColumn, legendWidth, yAxis, yTickWidth, type PlotArea } from './axes.js';
import { escapeXml, fmt, formatValue, seriesColor, svgOpen, svgText, truncate } from './svg.js';
import { niceTicks } from './ticks.js';

/** One group member: a value per category (NaN leaves a gap). */
export interface BarSeries {
  name: string;
  values: ArrayLike<number>;
  color?: string;
}

/** Options for {@link barChartSvg}. */
export interface BarChartOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  width?: number;
  height?: number;
  /** Print each bar's value above it. Default false. */
  showValues?: boolean;
  /** Fix the y range; by default it spans 0 and the data. */
  yDomain?: readonly [number, number];
  fontSize?: number;
}

/** Render `series` as bars grouped by `categories` (one group per category, one bar per series). */
export function barChartSvg(categories: readonly string[], series: readonly BarSeries[], options: BarChartOptions = {}): string {
  if (categories.length === 0) throw new Error('barChartSvg: no categories given');
  if (series.length === 0) throw new Error('barChartSvg: no series given');
  for (const s of series) {
    if (s.values.length !== categories.length) {
      throw new Error(`barChartSvg: series "${s.name}" has ${s.values.length} values for ${categories.length} categories`);
    }
  }
  const { title, xLabel, yLabel, showValues = false } = options;
  const width = options.width ?? Math.max(360, 120 + categories.length * (series.length * 22 + 24));
  const height = options.height ?? 360;
  const fontSize = options.fontSize ?? 12;

  let lo = 0;
  let hi = 0;
  for (const s of series) {
    for (let i = 0; i < s.values.length; i++) {
      const v = s.values[i]!;
      if (Number.isFinite(v)) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    }
  }
  if (options.yDomain) [lo, hi] = options.yDomain;
  const yt = niceTicks(lo, hi, 5);
  const [y0, y1] = yt.domain;

  const names = series.map((s) => s.name);
  const showLegend = series.length > 1 || names[0] !== '';
  const left = 10 + (yLabel ? fontSize + 10 : 0) + yTickWidth(yt, fontSize) + 8;
  const right = 12 + (showLegend ? legendWidth(names, fontSize) + 8 : 0);
  const top = 12 + (title ? fontSize * 2 + 4 : 0) + (showValues ? fontSize : 0);
  const bottom = 10 + fontSize + 8 + (xLabel ? fontSize + 10 : 0);
  const area: PlotArea = { x: left, y: top, w: width - left - right, h: height - top - bottom };
  if (area.w < 20 || area.h < 20) throw new Error(`barChartSvg: ${width}x${height} leaves no room to plot`);
  const toY = (v: number): number => area.y + area.h - ((v - y0) / (y1 - y0)) * area.h;
  const base = toY(Math.min(Math.max(0, y0), y1));

  const groupW = area.w / categories.length;
  const barW = (groupW * 0.8) / series.length;
  const maxLabelCols = Math.max(3, Math.floor(groupW / (fontSize * 0.6)));

  const out: string[] = [svgOpen(width, height, fontSize), yAxis(area, yt, toY), '<g class="bars">'];
  categories.forEach((cat, c) => {
    const gx = area.x + c * groupW + groupW * 0.1;
    series.forEach((s, k) => {
      const v = s.values[c]!;
      if (!Number.isFinite(v)) return;
      const vy = toY(Math.min(Math.max(v, y0), y1));
      const x = gx + k * barW;
      const color = escapeXml(s.color ?? seriesColor(k));
      out.push(
        `<rect class="bar" x="${fmt(x + 1)}" y="${fmt(Math.min(vy, base))}" width="${fmt(Math.max(1, barW - 2))}" height="${fmt(Math.abs(base - vy))}" fill="${color}"><title>${escapeXml(`${s.name} / ${cat}: ${formatValue(v)}`)}</title></rect>`,
      );
      if (showValues) {
        const label = formatValue(v, 3);
        const fs = Math.min(fontSize - 2, (barW * 1.6) / Math.max(1, label.length));
        out.push(svgText(x + barW / 2, v >= 0 ? vy - 3 : vy + fs + 2, label, `class="value" text-anchor="middle" font-size="${fmt(fs)}"`));
      }
    });
    out.push(svgText(area.x + (c + 0.5) * groupW, area.y + area.h + fontSize + 4, truncate(cat, maxLabelCols), 'class="category" text-anchor="middle"'));
  });
  out.push('</g>');
  if (y0 < 0 && y1 > 0) out.push(`<line x1="${fmt(area.x)}" y1="${fmt(base)}" x2="${fmt(area.x + area.w)}" y2="${fmt(base)}" stroke="#444444"/>`);
  out.push(frameAndCaptions(area, width, fontSize, { title, xLabel, yLabel }));
  if (showLegend) {
    out.push(legendColumn(area.x + area.w + 12, area.y + 8, fontSize,
      series.map((s, i) => ({ name: s.name, color: escapeXml(s.color ?? seriesColor(i)) })), 'box'));
  }
  out.push('</svg>\n');
  return out.join('\n');
}
