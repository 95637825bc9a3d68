/**
 * Attention heatmaps: an SVG with token labels, a viridis colour scale and legend, and a
 * text-free raster version for PNG output.
 */
import { contrastText, normalize, rgbHex, viridis } from './colormap.js';
import type { RgbaImage } from './image.js';
import { defaultDomain, toMatrix, type MatrixLike } from './matrix.js';
import { escapeXml, fmt, formatValue, svgOpen, svgText, textWidth, truncate } from './svg.js';
import { niceTicks } from './ticks.js';

/** Options for {@link heatmapSvg}. */
export interface HeatmapOptions {
  /** Labels for rows (output tokens); length must equal the number of rows. */
  rowLabels?: readonly string[];
  /** Labels for columns (input tokens); length must equal the number of columns. */
  colLabels?: readonly string[];
  title?: string;
  /** Axis captions, e.g. "source" and "output". */
  xLabel?: string;
  yLabel?: string;
  /** Side of a square cell in pixels. Default 28, or 36 when values are shown. */
  cellSize?: number;
  /** Write each value inside its cell. Default false. */
  showValues?: boolean;
  /** Colour domain [lo, hi]. Default [0, max] for non-negative data, else [min, max]. */
  domain?: readonly [number, number];
  /** Draw the colour legend. Default true. */
  legend?: boolean;
  /** Longest label kept, in display columns; longer ones end in an ellipsis. Default 24. */
  maxLabelColumns?: number;
  fontSize?: number;
}

const NAN_FILL = '#d0d0d0';

/**
 * Render `matrix` (rows = output tokens, columns = input tokens) as an SVG heatmap.
 * Column labels are rotated when any of them is wider than a cell.
 */
export function heatmapSvg(matrix: MatrixLike, options: HeatmapOptions = {}): string {
  const m = toMatrix(matrix, 'heatmapSvg');
  const { rowLabels, colLabels, title, xLabel, yLabel, showValues = false, legend = true } = options;
  if (rowLabels && rowLabels.length !== m.rows) {
    throw new Error(`heatmapSvg: ${rowLabels.length} row labels for ${m.rows} rows`);
  }
  if (colLabels && colLabels.length !== m.cols) {
    throw new Error(`heatmapSvg: ${colLabels.length} column labels for ${m.cols} columns`);
  }
  const fontSize = options.fontSize ?? 12;
  const cell = options.cellSize ?? (showValues ? 36 : 28);
  if (!(cell > 0)) throw new Error(`heatmapSvg: cellSize must be positive, got ${cell}`);
  const [lo, hi] = options.domain ?? defaultDomain(m);
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && hi >= lo)) {
    throw new Error(`heatmapSvg: domain must be finite with lo <= hi, got [${lo}, ${hi}]`);
  }
  const maxCols = options.maxLabelColumns ?? 24;
  const rows = (rowLabels ?? []).map((s) => truncate(s, maxCols));
  const cols = (colLabels ?? []).map((s) => truncate(s, maxCols));

  const margin = 12;
  const titleH = title ? fontSize * 2 + 4 : 0;
  const rowLabelW = rows.length ? Math.max(...rows.map((s) => textWidth(s, fontSize))) + 8 : 0;
  const yLabelW = yLabel ? fontSize + 10 : 0;
  const colW = cols.map((s) => textWidth(s, fontSize));
  const rotate = colW.some((w) => w > cell - 4);
  const diag = Math.SQRT1_2;
  const colLabelH = cols.length === 0 ? 0 : rotate ? Math.max(...colW) * diag + fontSize + 6 : fontSize + 8;
  const xLabelH = xLabel ? fontSize + 10 : 0;

  // Whole-pixel grid origin so crispEdges cells meet without gaps.
  const gridX = Math.ceil(margin + yLabelW + rowLabelW);
  const gridY = Math.ceil(margin + titleH + xLabelH + colLabelH);
  const gridW = m.cols * cell;
  const gridH = m.rows * cell;
  // Rotated labels lean right, past the last column.
  const labelOverhang = rotate ? Math.max(0, ...colW.map((w, j) => (j + 0.5) * cell + w * diag - gridW)) : 0;
  const legendH = Math.max(gridH, 120);
  const legendX = gridX + gridW + 16;
  const legendW = legend ? 16 + 14 + 8 + textWidth(formatValue(hi) + '00', fontSize) : 0;
  const width = Math.ceil(Math.max(gridX + gridW + labelOverhang, legend ? legendX + legendW : 0) + margin);
  const height = Math.ceil(gridY + Math.max(gridH, legend ? legendH : 0) + margin);

  const out: string[] = [svgOpen(width, height, fontSize)];
  if (title) out.push(svgText(width / 2, margin + fontSize + 2, title, `text-anchor="middle" font-size="${fontSize + 3}" font-weight="bold"`));
  if (xLabel) out.push(svgText(gridX + gridW / 2, margin + titleH + fontSize, xLabel, 'text-anchor="middle" font-style="italic"'));
  if (yLabel) {
    const x = margin + fontSize;
    const y = gridY + gridH / 2;
    out.push(svgText(x, y, yLabel, `text-anchor="middle" font-style="italic" transform="rotate(-90 ${fmt(x)} ${fmt(y)})"`));
  }

  out.push('<g class="col-labels">');
  cols.forEach((s, j) => {
    const x = gridX + (j + 0.5) * cell;
    if (rotate) {
      const y = gridY - 6;
      out.push(svgText(x, y, s, `text-anchor="start" transform="rotate(-45 ${fmt(x)} ${fmt(y)})"`));
    } else {
      out.push(svgText(x, gridY - 6, s, 'text-anchor="middle"'));
    }
  });
  out.push('</g>', '<g class="row-labels">');
  rows.forEach((s, i) => {
    out.push(svgText(gridX - 6, gridY + (i + 0.5) * cell, s, 'text-anchor="end" dominant-baseline="central"'));
  });
  // crispEdges stops anti-aliased seams showing between adjacent cells.
  out.push('</g>', '<g class="cells" shape-rendering="crispEdges">');
  for (let i = 0; i < m.rows; i++) {
    for (let j = 0; j < m.cols; j++) {
      const v = m.get(i, j);
      const c = viridis(normalize(v, lo, hi));
      const fill = Number.isNaN(v) ? NAN_FILL : rgbHex(c);
      const tip = `${rowLabels?.[i] ?? i} \u2190 ${colLabels?.[j] ?? j}: ${formatValue(v)}`;
      out.push(
        `<rect class="cell" x="${fmt(gridX + j * cell)}" y="${fmt(gridY + i * cell)}" width="${fmt(cell)}" height="${fmt(cell)}" fill="${fill}"><title>${escapeXml(tip)}</title></rect>`,
      );
      if (showValues) {
        const ink = Number.isNaN(v) ? '#000000' : contrastText(c);
        out.push(
          svgText(gridX + (j + 0.5) * cell, gridY + (i + 0.5) * cell, cellValue(v),
            `class="value" text-anchor="middle" dominant-baseline="central" font-size="${Math.max(7, Math.min(fontSize - 1, cell / 3.2)).toFixed(1)}" fill="${ink}"`),
        );
      }
    }
  }
  out.push('</g>');
  if (legend) out.push(colourLegend(legendX, gridY, 14, legendH, lo, hi, fontSize));
  out.push('</svg>\n');
  return out.join('\n');
}

/** Short cell text: two decimals for weights, three significant digits for larger values. */
function cellValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) < 10 ? v.toFixed(2) : formatValue(v, 3);
}

/** A vertical viridis colour bar with tick labels, low values at the bottom. */
function colourLegend(x: number, y: number, w: number, h: number, lo: number, hi: number, fontSize: number): string {
  const out = ['<g class="legend">', '<defs><linearGradient id="viridis-legend" x1="0" y1="1" x2="0" y2="0">'];
  for (let k = 0; k <= 10; k++) out.push(`<stop offset="${k / 10}" stop-color="${rgbHex(viridis(k / 10))}"/>`);
  out.push('</linearGradient></defs>');
  out.push(`<rect x="${fmt(x)}" y="${fmt(y)}" width="${w}" height="${fmt(h)}" fill="url(#viridis-legend)" stroke="#555555" stroke-width="0.5"/>`);
  if (hi > lo) {
    const t = niceTicks(lo, hi, 5);
    const eps = (hi - lo) * 1e-9;
    t.values.forEach((v, k) => {
      if (v < lo - eps || v > hi + eps) return;
      const ty = y + h - ((v - lo) / (hi - lo)) * h;
      out.push(`<line x1="${fmt(x + w)}" y1="${fmt(ty)}" x2="${fmt(x + w + 4)}" y2="${fmt(ty)}" stroke="#555555"/>`);
      out.push(svgText(x + w + 6, ty, t.labels[k]!, `dominant-baseline="central" font-size="${fontSize - 1}"`));
    });
  } else {
    out.push(svgText(x + w + 6, y + h / 2, formatValue(lo), `dominant-baseline="central" font-size="${fontSize - 1}"`));
  }
  out.push('</g>');
  return out.join('\n');
}

/** Options for {@link heatmapRaster}. */
export interface HeatmapRasterOptions {
  /** Pixels per cell side. Default 16. */
  cellSize?: number;
  /** Colour domain; same default as {@link heatmapSvg}. */
  domain?: readonly [number, number];
  /** Width in pixels of a dark line between cells (0 for none). Default 0. */
  gap?: number;
}

/** Render `matrix` as RGBA pixels: one viridis-coloured square per cell, no text. */
export function heatmapRaster(matrix: MatrixLike, options: HeatmapRasterOptions = {}): RgbaImage {
  const m = toMatrix(matrix, 'heatmapRaster');
  const cell = options.cellSize ?? 16;
  const gap = options.gap ?? 0;
  if (!Number.isInteger(cell) || cell < 1) throw new Error(`heatmapRaster: cellSize must be a positive integer, got ${cell}`);
  if (!Number.isInteger(gap) || gap < 0) throw new Error(`heatmapRaster: gap must be a non-negative integer, got ${gap}`);
  if (m.rows === 0 || m.cols === 0) throw new Error(`heatmapRaster: empty matrix [${m.rows},${m.cols}]`);
  const [lo, hi] = options.domain ?? defaultDomain(m);
  const width = m.cols * cell + (m.cols - 1) * gap;
  const height = m.rows * cell + (m.rows - 1) * gap;
  const rgba = new Uint8Array(width * height * 4);
  // Background (seen only in the gaps) is dark grey, opaque.
  for (let p = 0; p < rgba.length; p += 4) {
    rgba[p] = rgba[p + 1] = rgba[p + 2] = 40;
    rgba[p + 3] = 255;
  }
  for (let i = 0; i < m.rows; i++) {
    for (let j = 0; j < m.cols; j++) {
      const v = m.get(i, j);
      const f = Number.isNaN(v) ? ([208, 208, 208] as const) : viridis(normalize(v, lo, hi));
      const c = [Math.round(f[0]), Math.round(f[1]), Math.round(f[2])] as const;
      const x0 = j * (cell + gap);
      const y0 = i * (cell + gap);
      for (let y = y0; y < y0 + cell; y++) {
        for (let x = x0; x < x0 + cell; x++) {
          const p = (y * width + x) * 4;
          rgba[p] = c[0];
          rgba[p + 1] = c[1];
          rgba[p + 2] = c[2];
        }
      }
    }
  }
  return { width, height, rgba };
}
