/** The picture grid of a run: captions beside their real scenes and drawings (Node only). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { grayToRgba } from '../../data/scene-image.js';
import { writeImageGridPng } from '../../viz/image-grid-node.js';
import { encodePng } from '../../viz/png-node.js';
import { escapeXml, svgOpen, svgText } from '../../viz/svg.js';

const SIDE = 84;

/**
 * Writes samples.svg (one row per caption: caption, real scene, drawing; pictures embedded as PNG)
 * and samples.png (the pictures alone, real and drawn alternating, four pairs per row) into `dir`.
 */
export function writeSamples(dir: string, captions: readonly string[], real: Float32Array, drawn: Float32Array): void {
  const n = captions.length;
  if (real.length !== n * SIDE * SIDE || drawn.length !== n * SIDE * SIDE) {
    throw new Error(`writeSamples: ${n} captions need ${n * SIDE * SIDE} pixels of real and drawn pictures, got ${real.length} and ${drawn.length}`);
  }
  const scale = 2, img = SIDE * scale, pad = 10, textW = 430, rowH = img + pad;
  const width = textW + 2 * (img + pad) + pad;
  const height = 30 + n * rowH + pad;
  const uri = (pixels: Float32Array) => `data:image/png;base64,${encodePng(grayToRgba(pixels, SIDE, SIDE)).toString('base64')}`;
  const parts = [svgOpen(width, height, 13)];
  parts.push(svgText(pad, 20, 'caption (held-out test scene)', 'font-weight="bold"'));
  parts.push(svgText(textW, 20, 'real', 'font-weight="bold"'));
  parts.push(svgText(textW + img + pad, 20, 'drawn', 'font-weight="bold"'));
  for (let i = 0; i < n; i++) {
    const y = 30 + i * rowH;
    parts.push(svgText(pad, y + img / 2, captions[i]));
    const at = (k: number) => new Float32Array(k === 0 ? real.subarray(i * SIDE * SIDE, (i + 1) * SIDE * SIDE) : drawn.subarray(i * SIDE * SIDE, (i + 1) * SIDE * SIDE));
    for (const k of [0, 1]) {
      parts.push(`<image x="${textW + k * (img + pad)}" y="${y}" width="${img}" height="${img}" style="image-rendering:pixelated" href="${escapeXml(uri(at(k)))}"/>`);
    }
  }
  parts.push('</svg>\n');
  writeFileSync(join(dir, 'samples.svg'), parts.join('\n'));
  const tiles = new Float32Array(2 * n * SIDE * SIDE);
  for (let i = 0; i < n; i++) {
    tiles.set(real.subarray(i * SIDE * SIDE, (i + 1) * SIDE * SIDE), 2 * i * SIDE * SIDE);
    tiles.set(drawn.subarray(i * SIDE * SIDE, (i + 1) * SIDE * SIDE), (2 * i + 1) * SIDE * SIDE);
  }
  writeImageGridPng(join(dir, 'samples.png'), tiles, [2 * n, SIDE, SIDE], { cols: 8, normalize: 'none', scale: 2, pad: 2 });
}
