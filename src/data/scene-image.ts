/**
 * Conversion between scene pixels (84x84 grayscale in [0, 1], 1 = ink, as MNIST) and 8-bit RGBA
 * pictures, so that any picture a user brings can be captioned: colour becomes gray, sizes other
 * than 84x84 are resampled, and each conversion is reported.
 */
import { SCENE_SIDE } from './digit-scenes.js';

/** An RGBA picture, 8 bits per channel (structurally the viz layer's RgbaImage). */
export interface RgbaPixels {
  width: number;
  height: number;
  rgba: Uint8Array;
}

/** A scene-sized grayscale image and what had to be changed to get it. */
export interface ConvertedImage {
  /** [84*84] in [0, 1], 1 = ink. */
  image: Float32Array;
  /** One line per conversion made ("colour converted to grayscale", "resized from 100x50 to 84x84", ...); empty when none. */
  conversions: string[];
}

/** Grayscale pixels [width*height] in [0, 1] as an opaque gray RGBA picture. */
export function grayToRgba(gray: ArrayLike<number>, width: number, height: number): RgbaPixels {
  if (gray.length !== width * height) throw new Error(`grayToRgba: ${gray.length} pixels do not make a ${width}x${height} image`);
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < gray.length; i++) {
    const v = Math.round(Math.min(1, Math.max(0, gray[i])) * 255);
    rgba[4 * i] = v;
    rgba[4 * i + 1] = v;
    rgba[4 * i + 2] = v;
    rgba[4 * i + 3] = 255;
  }
  return { width, height, rgba };
}

/**
 * Area-average resampling of a [h, w] grayscale image to [outH, outW]: each output pixel is the
 * mean of the source area it covers (fractional overlaps weighted), which neither drops thin
 * strokes when shrinking nor invents detail when enlarging.
 */
export function resizeGray(src: Float32Array, w: number, h: number, outW: number, outH: number): Float32Array {
  const weights = (n: number, m: number): { start: number; w: number[] }[] => {
    const scale = n / m;
    return Array.from({ length: m }, (_, o) => {
      const a = o * scale;
      const b = (o + 1) * scale;
      const start = Math.floor(a);
      const w: number[] = [];
      for (let s = start; s < Math.min(n, Math.ceil(b)); s++) w.push((Math.min(b, s + 1) - Math.max(a, s)) / scale);
      return { start, w };
    });
  };
  const wx = weights(w, outW);
  const wy = weights(h, outH);
  const rows = new Float32Array(h * outW);
  for (let y = 0; y < h; y++) {
    for (let o = 0; o < outW; o++) {
      let acc = 0;
      wx[o].w.forEach((k, j) => (acc += k * src[y * w + wx[o].start + j]));
      rows[y * outW + o] = acc;
    }
  }
  const out = new Float32Array(outH * outW);
  for (let o = 0; o < outH; o++) {
    for (let x = 0; x < outW; x++) {
      let acc = 0;
      wy[o].w.forEach((k, j) => (acc += k * rows[(wy[o].start + j) * outW + x]));
      out[o * outW + x] = acc;
    }
  }
  return out;
}

/**
 * Any RGBA picture as a scene image: transparent pixels are composited over black, colour is
 * converted to gray (ITU-R BT.601 luma), a picture that is mostly light (dark ink on paper) is
 * inverted to the scenes' light-ink-on-black, and other sizes are resampled to 84x84.
 */
export function toSceneImage(p: RgbaPixels): ConvertedImage {
  const { width, height, rgba } = p;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0) || rgba.length !== width * height * 4) {
    throw new Error(`toSceneImage: expected ${width}x${height}x4 bytes of RGBA, got ${rgba.length}`);
  }
  const conversions: string[] = [];
  const n = width * height;
  const gray = new Float32Array(n);
  let colour = false;
  let transparent = false;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const r = rgba[4 * i];
    const g = rgba[4 * i + 1];
    const b = rgba[4 * i + 2];
    const a = rgba[4 * i + 3] / 255;
    if (r !== g || g !== b) colour = true;
    if (a < 1) transparent = true;
    gray[i] = ((0.299 * r + 0.587 * g + 0.114 * b) / 255) * a;
    sum += gray[i];
  }
  if (colour) conversions.push('colour converted to grayscale');
  if (transparent) conversions.push('transparent pixels composited over black');
  if (sum / n > 0.5) {
    for (let i = 0; i < n; i++) gray[i] = 1 - gray[i];
    conversions.push('inverted (dark ink on a light background; scenes are light ink on black)');
  }
  if (width === SCENE_SIDE && height === SCENE_SIDE) return { image: gray, conversions };
  conversions.push(`resized from ${width}x${height} to ${SCENE_SIDE}x${SCENE_SIDE}`);
  return { image: resizeGray(gray, width, height, SCENE_SIDE, SCENE_SIDE), conversions };
}
