/**
 * Attention heatmaps for the terminal, aligned to tokens (including double-width CJK tokens):
 * shade characters by default, ANSI 256-colour backgrounds on request.
 */
import { normalize, viridis, type Rgb } from './colormap.js';
import { displayWidth, padEndDisplay } from './east-asian-width.js';
import { defaultDomain, toMatrix, type MatrixLike } from './matrix.js';
import { formatValue, truncate } from './svg.js';

/** Options for {@link textHeatmap}. */
export interface TextHeatmapOptions {
  rowLabels?: readonly string[];
  colLabels?: readonly string[];
  /** Use ANSI 256-colour backgrounds instead of shade characters. Default false. */
  color?: boolean;
  /** Colour domain; default [0, max] for non-negative data, else [min, max]. Ignored when `perRow`. */
  domain?: readonly [number, number];
  /** Scale each row to its own range (shows where each output token looks most). Default false. */
  perRow?: boolean;
  /** Longest label kept, in display columns. Default 12. */
  maxLabelColumns?: number;
  /** Append a line explaining the scale. Default true. */
  legend?: boolean;
}

/** Shades from empty to full; index = level. */
export const SHADES = [' ', '░', '▒', '▓', '█'] as const;

/** Shade level 0..4 for a value already scaled to [0, 1]. */
export function shadeLevel(t: number): number {
  return Number.isNaN(t) ? 0 : Math.min(4, Math.max(0, Math.floor(t * 5)));
}

const CUBE = [0, 95, 135, 175, 215, 255];

/** Nearest xterm 256-colour index (6x6x6 cube or grey ramp) for an sRGB colour. */
export function ansi256(c: Rgb): number {
  const nearest = (v: number): number => {
    let best = 0;
    for (let k = 1; k < 6; k++) if (Math.abs(CUBE[k]! - v) < Math.abs(CUBE[best]! - v)) best = k;
    return best;
  };
  const [r, g, b] = [nearest(c[0]), nearest(c[1]), nearest(c[2])];
  const cubeDist = (CUBE[r]! - c[0]) ** 2 + (CUBE[g]! - c[1]) ** 2 + (CUBE[b]! - c[2]) ** 2;
  const mean = (c[0] + c[1] + c[2]) / 3;
  const k = Math.min(23, Math.max(0, Math.round((mean - 8) / 10)));
  const grey = 8 + 10 * k;
  const greyDist = (grey - c[0]) ** 2 + (grey - c[1]) ** 2 + (grey - c[2]) ** 2;
  return greyDist < cubeDist ? 232 + k : 16 + 36 * r + 6 * g + b;
}

/**
 * Render `matrix` (rows = output tokens, columns = input tokens) as terminal lines: a header of
 * column tokens, then one line per row token, each cell as wide as its column's token.
 */
export function textHeatmap(matrix: MatrixLike, options: TextHeatmapOptions = {}): string {
  const m = toMatrix(matrix, 'textHeatmap');
  const { rowLabels, colLabels, color = false, perRow = false, legend = true } = options;
  if (rowLabels && rowLabels.length !== m.rows) throw new Error(`textHeatmap: ${rowLabels.length} row labels for ${m.rows} rows`);
  if (colLabels && colLabels.length !== m.cols) throw new Error(`textHeatmap: ${colLabels.length} column labels for ${m.cols} columns`);
  const maxCols = options.maxLabelColumns ?? 12;
  // Control characters would break the alignment; show them as a visible placeholder.
  const clean = (s: string): string => truncate(s.replace(/[\u0000-\u001f\u007f]/g, '\u00b7'), maxCols);
  const rows = Array.from({ length: m.rows }, (_, i) => clean(rowLabels?.[i] ?? String(i)));
  const cols = Array.from({ length: m.cols }, (_, j) => clean(colLabels?.[j] ?? String(j)));
  const rowW = Math.max(0, ...rows.map(displayWidth));
  const colW = cols.map((s) => Math.max(2, displayWidth(s)));
  const [lo, hi] = options.domain ?? defaultDomain(m);

  const lines: string[] = [];
  lines.push(padEndDisplay('', rowW) + ' ' + cols.map((s, j) => padEndDisplay(s, colW[j]!)).join(' ').trimEnd());
  for (let i = 0; i < m.rows; i++) {
    let rlo = lo;
    let rhi = hi;
    if (perRow) {
      rlo = Infinity;
      rhi = -Infinity;
      for (let j = 0; j < m.cols; j++) {
        const v = m.get(i, j);
        if (Number.isFinite(v)) [rlo, rhi] = [Math.min(rlo, v), Math.max(rhi, v)];
      }
      if (rlo > rhi) [rlo, rhi] = [0, 1];
      if (rlo >= 0) rlo = 0;
    }
    const cells = colW.map((w, j) => {
      const t = normalize(m.get(i, j), rlo, rhi);
      if (color) return `\x1b[48;5;${ansi256(viridis(t))}m${' '.repeat(w)}\x1b[0m`;
      return SHADES[shadeLevel(t)]!.repeat(w);
    });
    lines.push(padEndDisplay(rows[i]!, rowW) + ' ' + cells.join(' '));
  }
  if (legend) {
    const scale = color
      ? [0, 0.25, 0.5, 0.75, 1].map((t) => `\x1b[48;5;${ansi256(viridis(t))}m  \x1b[0m`).join('')
      : SHADES.slice(1).join('');
    const range = perRow ? 'per row: 0 … row max' : `${formatValue(lo)} … ${formatValue(hi)}`;
    lines.push(`${padEndDisplay('', rowW)} ${scale} ${range}`);
  }
  return lines.join('\n');
}
