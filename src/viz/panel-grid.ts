/**
 * Several pictures in one: SVG panels (each a complete `<svg>` as heatmapSvg writes it) or RGBA
 * rasters laid out in rows, e.g. attention per layer (rows) and head (columns).
 */
import { checkImage, type RgbaImage } from './image.js';
import { svgOpen, svgText } from './svg.js';

export interface PanelGridOptions {
  /** Heading above the grid. */
  title?: string;
  /** Pixels between panels (default 8). */
  gap?: number;
  fontSize?: number;
}

/** Width and height of a standalone SVG from its root element. */
function svgSize(svg: string, where: string): { width: number; height: number } {
  const root = /^\s*<svg\b[^>]*>/.exec(svg)?.[0];
  const w = root && /\swidth="([\d.]+)"/.exec(root);
  const h = root && /\sheight="([\d.]+)"/.exec(root);
  if (!w || !h) throw new Error(`svgPanelGrid: ${where} is not an <svg> with width and height`);
  return { width: Number(w[1]), height: Number(h[1]) };
}

/**
 * Lays out SVG panels in rows (rows may differ in length); each panel keeps its own size and
 * is nested at its place, so its text and colours are unchanged.
 */
export function svgPanelGrid(rows: readonly (readonly string[])[], options: PanelGridOptions = {}): string {
  const gap = options.gap ?? 8;
  const fontSize = options.fontSize ?? 14;
  if (rows.length === 0 || rows.some((r) => r.length === 0)) throw new Error('svgPanelGrid: expected at least one row, each with at least one panel');
  const sizes = rows.map((r, i) => r.map((p, j) => svgSize(p, `panel [${i}][${j}]`)));
  const titleH = options.title ? fontSize * 2 : 0;
  const rowH = sizes.map((r) => Math.max(...r.map((s) => s.height)));
  const width = Math.max(...sizes.map((r) => r.reduce((a, s) => a + s.width, 0) + gap * (r.length - 1))) + 2 * gap;
  const height = titleH + rowH.reduce((a, h) => a + h, 0) + gap * (rows.length + 1);
  const parts = [svgOpen(width, height, fontSize)];
  if (options.title) parts.push(svgText(gap, fontSize * 1.4, options.title, 'font-weight="bold"'), '\n');
  let y = titleH + gap;
  rows.forEach((r, i) => {
    let x = gap;
    r.forEach((p, j) => {
      // the nested root gets its place; its own xmlns and size stay
      parts.push(p.replace(/^\s*<svg\b/, `<svg x="${x}" y="${y}"`), '\n');
      x += sizes[i][j].width + gap;
    });
    y += rowH[i] + gap;
  });
  parts.push('</svg>\n');
  return parts.join('');
}

/** Lays out rasters in rows on a white background, `gap` pixels apart (default 8). */
export function rasterPanelGrid(rows: readonly (readonly RgbaImage[])[], options: { gap?: number } = {}): RgbaImage {
  const gap = options.gap ?? 8;
  if (rows.length === 0 || rows.some((r) => r.length === 0)) throw new Error('rasterPanelGrid: expected at least one row, each with at least one image');
  rows.forEach((r) => r.forEach((img) => checkImage(img, 'rasterPanelGrid')));
  const rowH = rows.map((r) => Math.max(...r.map((img) => img.height)));
  const width = Math.max(...rows.map((r) => r.reduce((a, img) => a + img.width, 0) + gap * (r.length - 1))) + 2 * gap;
  const height = rowH.reduce((a, h) => a + h, 0) + gap * (rows.length + 1);
  const rgba = new Uint8Array(width * height * 4).fill(255);
  let y0 = gap;
  rows.forEach((r, i) => {
    let x0 = gap;
    for (const img of r) {
      for (let y = 0; y < img.height; y++) rgba.set(img.rgba.subarray(y * img.width * 4, (y + 1) * img.width * 4), ((y0 + y) * width + x0) * 4);
      x0 += img.width + gap;
    }
    y0 += rowH[i] + gap;
  });
  return { width, height, rgba };
}
