/**
 * Shared SVG helpers: escaping, number formatting, text-width estimates and the font stack.
 * Browser-safe (no Node imports).
 */
import { displayWidth } from './east-asian-width.js';

/**
 * Font stack used by every picture. Latin fonts first so ASCII keeps its usual look; the CJK
 * fonts follow so renderers that fall back glyph by glyph (browsers, librsvg, resvg) find
 * Chinese/Japanese/Korean glyphs on Linux, macOS and Windows alike.
 */
export const FONT_FAMILY =
  "'DejaVu Sans', 'Noto Sans', Arial, 'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', " +
  "'WenQuanYi Micro Hei', 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK JP', sans-serif";

// Characters XML 1.0 forbids outright; tokens from real corpora sometimes carry them.
const XML_ILLEGAL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Escape text for use in SVG element content or a double-quoted attribute; illegal XML characters become U+FFFD. */
export function escapeXml(text: string): string {
  return String(text)
    .replace(XML_ILLEGAL, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Format a coordinate compactly (at most two decimals, no trailing zeros, never "-0"). */
export function fmt(x: number): string {
  const r = Math.round(x * 100) / 100;
  return Object.is(r, -0) ? '0' : String(r);
}

/** Rough rendered width in pixels of `text` at `fontSize`, counting CJK characters as double width. */
export function textWidth(text: string, fontSize: number): number {
  return displayWidth(text) * fontSize * 0.6;
}

/** Shorten `text` to at most `maxColumns` display columns, ending with an ellipsis when cut. */
export function truncate(text: string, maxColumns: number): string {
  if (displayWidth(text) <= maxColumns) return text;
  let out = '';
  let w = 0;
  for (const ch of text) {
    const cw = displayWidth(ch);
    if (w + cw > maxColumns - 1) break;
    out += ch;
    w += cw;
  }
  return out + '…';
}

/** Format a data value for labels: short, with an exponent only for very large or small magnitudes. */
export function formatValue(v: number, digits = 3): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(Math.max(0, digits - 1)).replace(/\.?0+e/, 'e');
  return String(Number(v.toPrecision(digits)));
}

/** Opening `<svg>` tag with the shared font and a white background rectangle. */
export function svgOpen(width: number, height: number, fontSize = 12): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${fmt(width)}" height="${fmt(height)}" ` +
    `viewBox="0 0 ${fmt(width)} ${fmt(height)}" font-family="${escapeXml(FONT_FAMILY)}" font-size="${fontSize}">\n` +
    `<rect x="0" y="0" width="${fmt(width)}" height="${fmt(height)}" fill="#ffffff"/>\n`
  );
}

/** A `<text>` element; `attrs` are written verbatim (callers pass only numbers and fixed keywords). */
export function svgText(x: number, y: number, text: string, attrs = ''): string {
  return `<text x="${fmt(x)}" y="${fmt(y)}"${attrs ? ' ' + attrs : ''}>${escapeXml(text)}</text>`;
}

/** Categorical palette (Tableau 10), distinguishable for most colour-vision deficiencies. */
export const PALETTE = [
  '#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f',
  '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac',
] as const;

/** Colour for series `i`, cycling through {@link PALETTE}. */
export function seriesColor(i: number): string {
  return PALETTE[i % PALETTE.length]!;
}
