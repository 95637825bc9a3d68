/** Axes shared by the line plot and bar chart: frame, grid lines, tick labels and captions. */
import { fmt, svgText, textWidth } from './svg.js';
import type { Ticks } from './ticks.js';

/** The plotting rectangle in SVG pixels. */
export interface PlotArea {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Widest y tick label in pixels, to size the left margin. */
export function yTickWidth(ticks: Ticks, fontSize: number): number {
  return Math.max(0, ...ticks.labels.map((s) => textWidth(s, fontSize)));
}

/** Horizontal grid lines and labels for y ticks; `toY` maps a value to a pixel row. */
export function yAxis(area: PlotArea, ticks: Ticks, toY: (v: number) => number): string {
  const out = ['<g class="y-axis">'];
  ticks.values.forEach((v, k) => {
    const y = toY(v);
    out.push(`<line x1="${fmt(area.x)}" y1="${fmt(y)}" x2="${fmt(area.x + area.w)}" y2="${fmt(y)}" stroke="#e4e4e4"/>`);
    out.push(svgText(area.x - 6, y, ticks.labels[k]!, `text-anchor="end" dominant-baseline="central" fill="#333333"`));
  });
  out.push('</g>');
  return out.join('\n');
}

/** Vertical grid lines and labels for x ticks; `toX` maps a value to a pixel column. */
export function xAxis(area: PlotArea, ticks: Ticks, toX: (v: number) => number, fontSize: number): string {
  const out = ['<g class="x-axis">'];
  ticks.values.forEach((v, k) => {
    const x = toX(v);
    out.push(`<line x1="${fmt(x)}" y1="${fmt(area.y)}" x2="${fmt(x)}" y2="${fmt(area.y + area.h)}" stroke="#e4e4e4"/>`);
    out.push(svgText(x, area.y + area.h + fontSize + 4, ticks.labels[k]!, `text-anchor="middle" fill="#333333"`));
  });
  out.push('</g>');
  return out.join('\n');
}

/** The plot frame plus title and axis captions. */
export function frameAndCaptions(
  area: PlotArea, width: number, fontSize: number,
  captions: { title?: string; xLabel?: string; yLabel?: string },
): string {
  const out = [
    `<rect class="frame" x="${fmt(area.x)}" y="${fmt(area.y)}" width="${fmt(area.w)}" height="${fmt(area.h)}" fill="none" stroke="#888888"/>`,
  ];
  if (captions.title) {
    out.push(svgText(width / 2, fontSize + 10, captions.title, `class="title" text-anchor="middle" font-size="${fontSize + 3}" font-weight="bold"`));
  }
  if (captions.xLabel) {
    out.push(svgText(area.x + area.w / 2, area.y + area.h + 2 * fontSize + 12, captions.xLabel, 'class="x-label" text-anchor="middle"'));
  }
  if (captions.yLabel) {
    const x = fontSize + 4;
    const y = area.y + area.h / 2;
    out.push(svgText(x, y, captions.yLabel, `class="y-label" text-anchor="middle" transform="rotate(-90 ${fmt(x)} ${fmt(y)})"`));
  }
  return out.join('\n');
}

/** A legend listing `entries` in a column starting at (x, y); `swatch` draws each key. */
export function legendColumn(
  x: number, y: number, fontSize: number,
  entries: ReadonlyArray<{ name: string; color: string }>, swatch: 'line' | 'box',
): string {
  const out = ['<g class="legend">'];
  entries.forEach((e, i) => {
    const cy = y + i * (fontSize + 8);
    out.push(
      swatch === 'line'
        ? `<line x1="${fmt(x)}" y1="${fmt(cy)}" x2="${fmt(x + 18)}" y2="${fmt(cy)}" stroke="${e.color}" stroke-width="2.5"/>`
        : `<rect x="${fmt(x + 4)}" y="${fmt(cy - 5)}" width="10" height="10" fill="${e.color}"/>`,
    );
    out.push(svgText(x + 24, cy, e.name, 'dominant-baseline="central"'));
  });
  out.push('</g>');
  return out.join('\n');
}

/** Width a legend column needs. */
export function legendWidth(names: readonly string[], fontSize: number): number {
  return names.length ? 24 + Math.max(...names.map((n) => textWidth(n, fontSize))) + 8 : 0;
}
