/**
 * The captioning figure of Show, Attend and Tell: for each generated word, the image with the
 * attention weights over its 3x3 grid of regions laid on top (brighter, warmer = more weight),
 * and the word below. One panel per word, in reading order.
 */
import { bitmapTextWidth, drawBitmapText, FONT_HEIGHT } from './bitmap-font.js';
import type { RgbaImage } from './image.js';

/** Options of {@link attentionOverlay}. */
export interface AttentionOverlayOptions {
  /** Integer upscale of the image in each panel (default 3). */
  scale?: number;
  /** Panels per row (default 6). */
  cols?: number;
  /** Side of the square attention grid (default 3). */
  grid?: number;
}

/**
 * Panels for `words`: `image` is [side*side] grayscale in [0, 1]; `weights[t]` holds grid² weights
 * (row-major from the top-left region) for word t. Each region is tinted orange with an opacity
 * proportional to its weight relative to the largest weight of that word, and outlined when it
 * holds that maximum.
 */
export function attentionOverlay(image: ArrayLike<number>, side: number, words: readonly string[], weights: readonly (readonly number[])[], o: AttentionOverlayOptions = {}): RgbaImage {
  const scale = o.scale ?? 3;
  const grid = o.grid ?? 3;
  const cols = Math.max(1, Math.min(o.cols ?? 6, words.length));
  if (image.length !== side * side) throw new Error(`attentionOverlay: image has ${image.length} pixels, a ${side}x${side} image needs ${side * side}`);
  if (weights.length !== words.length) throw new Error(`attentionOverlay: ${words.length} words but ${weights.length} rows of weights`);
  weights.forEach((w, t) => {
    if (w.length !== grid * grid) throw new Error(`attentionOverlay: word ${t} ("${words[t]}") has ${w.length} weights, expected ${grid * grid}`);
  });
  if (words.length === 0) throw new Error('attentionOverlay: no words to draw');
  const pad = 6;
  const textScale = 2;
  const labelH = FONT_HEIGHT * textScale + 8;
  const pw = side * scale;
  const ph = pw + labelH;
  const rows = Math.ceil(words.length / cols);
  const width = pad + cols * (pw + pad);
  const height = pad + rows * (ph + pad);
  const img: RgbaImage = { width, height, rgba: new Uint8Array(width * height * 4) };
  for (let i = 0; i < width * height; i++) img.rgba.set([255, 255, 255, 255], 4 * i);
  const cell = side / grid;
  words.forEach((word, t) => {
    const x0 = pad + (t % cols) * (pw + pad);
    const y0 = pad + Math.floor(t / cols) * (ph + pad);
    const w = weights[t];
    const max = Math.max(...w);
    const top = w.indexOf(max);
    for (let y = 0; y < pw; y++) {
      for (let x = 0; x < pw; x++) {
        const sx = Math.floor(x / scale);
        const sy = Math.floor(y / scale);
        const region = Math.floor(sy / cell) * grid + Math.floor(sx / cell);
        const g = Math.min(1, Math.max(0, image[sy * side + sx])) * 255;
        const a = max > 0 ? 0.75 * (w[region] / max) : 0;
        // orange (255, 140, 0) laid over the gray pixel
        const px = [g * (1 - a) + 255 * a, g * (1 - a) + 140 * a, g * (1 - a)];
        const border = region === top && (sx % cell === 0 || sy % cell === 0 || (sx + 1) % cell === 0 || (sy + 1) % cell === 0);
        const o4 = 4 * ((y0 + y) * width + x0 + x);
        img.rgba.set(border ? [255, 40, 40, 255] : [Math.round(px[0]), Math.round(px[1]), Math.round(px[2]), 255], o4);
      }
    }
    const tw = bitmapTextWidth(word, textScale);
    drawBitmapText(img, word, x0 + Math.max(0, Math.floor((pw - tw) / 2)), y0 + pw + 5, [20, 20, 20], textScale);
  });
  return img;
}
