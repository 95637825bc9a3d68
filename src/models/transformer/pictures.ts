/**
 * The Transformer's attention pictures: one grid for the decoder's cross-attention (a row per
 * layer: the heads' mean, then each head; rows = output tokens, columns = source tokens) and one
 * for the encoder's self-attention (a source word attending to the other words of its sentence).
 */
import { heatmapRaster, heatmapSvg } from '../../viz/heatmap.js';
import type { RgbaImage } from '../../viz/image.js';
import { rasterPanelGrid, svgPanelGrid } from '../../viz/panel-grid.js';
import type { AttentionMap } from '../translation/model.js';

/** Maps of one attention kind by layer: row i = layer i + 1, [mean, head 1, head 2, ...]. */
export interface LayeredAttention {
  cross: AttentionMap[][];
  encoder: AttentionMap[][];
}

const NAME = /^(cross-attention|encoder self-attention) layer (\d+) (mean|head (\d+))$/;

/** Groups maps named as TransformerTranslator.attentionMaps names them; null when there are none per layer. */
export function layeredAttention(maps: readonly AttentionMap[]): LayeredAttention | null {
  const out: LayeredAttention = { cross: [], encoder: [] };
  for (const m of maps) {
    const g = NAME.exec(m.name);
    if (!g) continue;
    const rows = g[1] === 'cross-attention' ? out.cross : out.encoder;
    const layer = Number(g[2]) - 1;
    const col = g[3] === 'mean' ? 0 : Number(g[4]);
    (rows[layer] ??= [])[col] = m;
  }
  return out.cross.length + out.encoder.length > 0 ? out : null;
}

/** SVG grids with token labels: `cross` (rows: output tokens; columns: source tokens) and `encoder` (source × source). */
export function attentionGridSvgs(l: LayeredAttention, srcTokens: readonly string[], outTokens: readonly string[], sentence: string): { cross: string | null; encoder: string | null } {
  const grid = (rows: AttentionMap[][], rowLabels: readonly string[], yLabel: string, what: string) => rows.length === 0 ? null : svgPanelGrid(
    rows.map((r) => r.map((m) => heatmapSvg(m.weights, { rowLabels, colLabels: srcTokens, title: m.name, xLabel: 'source', yLabel, cellSize: 22, legend: false }))),
    { title: `${what}: ${sentence}` },
  );
  return {
    cross: grid(l.cross, outTokens, 'output', 'cross-attention by layer (rows) and head (columns; the first is their mean)'),
    encoder: grid(l.encoder, srcTokens, 'source', 'encoder self-attention by layer (rows) and head (columns; the first is their mean)'),
  };
}

/** The same grids as rasters without text (for PNG). */
export function attentionGridRasters(l: LayeredAttention): { cross: RgbaImage | null; encoder: RgbaImage | null } {
  const grid = (rows: AttentionMap[][]) => rows.length === 0 ? null : rasterPanelGrid(rows.map((r) => r.map((m) => heatmapRaster(m.weights, { cellSize: 16 }))));
  return { cross: grid(l.cross), encoder: grid(l.encoder) };
}
