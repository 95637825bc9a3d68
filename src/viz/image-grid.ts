/** Tile many small grayscale images (RBM filters, digits, samples) into one RGBA picture. */
import type { RgbaImage } from './image.js';

/** Options for {@link imageGrid}. */
export interface ImageGridOptions {
  /** Tiles per row. Default ceil(sqrt(n)). */
  cols?: number;
  /** Pixels between tiles and around the edge (before scaling). Default 1. */
  pad?: number;
  /**
   * How values become gray levels: 'per-image' stretches each tile's min..max to black..white
   * (filters, whose scales differ); 'global' uses one min..max for all; 'none' clamps [0, 1].
   * Default 'per-image'.
   */
  normalize?: 'per-image' | 'global' | 'none';
  /** Integer nearest-neighbour upscale. Default 1. */
  scale?: number;
  /** Colour of padding and empty tiles, sRGB 0..255. Default mid gray [128, 128, 128]. */
  background?: readonly [number, number, number];
  /** Draw white-is-zero (ink on paper) instead of black-is-zero. Default false. */
  invert?: boolean;
}

// NaN pixels are painted red so a diverged model is obvious at a glance.
const NAN_RGB = [255, 0, 0] as const;

function range(data: ArrayLike<number>, start: number, end: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = start; i < end; i++) {
    const v = data[i]!;
    if (Number.isFinite(v)) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return [lo, hi];
}

/**
 * Arrange `n` images of `h`x`w` (row-major `data` of shape [n, h, w]) in a grid and return RGBA
 * pixels. A constant image (min = max) shows its value clamped to [0, 1].
 */
export function imageGrid(data: ArrayLike<number>, shape: readonly [number, number, number], options: ImageGridOptions = {}): RgbaImage {
  const [n, h, w] = shape;
  if (![n, h, w].every((d) => Number.isInteger(d) && d > 0)) {
    throw new Error(`imageGrid: shape must be three positive integers [n, h, w], got [${shape.join(',')}]`);
  }
  if (data.length !== n * h * w) {
    throw new Error(`imageGrid: data has ${data.length} values, shape [${n},${h},${w}] needs ${n * h * w}`);
  }
  const cols = options.cols ?? Math.ceil(Math.sqrt(n));
  const pad = options.pad ?? 1;
  const scale = options.scale ?? 1;
  const mode = options.normalize ?? 'per-image';
  const bg = options.background ?? [128, 128, 128];
  if (!Number.isInteger(cols) || cols < 1) throw new Error(`imageGrid: cols must be a positive integer, got ${cols}`);
  if (!Number.isInteger(pad) || pad < 0) throw new Error(`imageGrid: pad must be a non-negative integer, got ${pad}`);
  if (!Number.isInteger(scale) || scale < 1) throw new Error(`imageGrid: scale must be a positive integer, got ${scale}`);
  if (!['per-image', 'global', 'none'].includes(mode)) throw new Error(`imageGrid: unknown normalize mode "${mode}"`);

  const rows = Math.ceil(n / cols);
  const width = (cols * (w + pad) + pad) * scale;
  const height = (rows * (h + pad) + pad) * scale;
  const rgba = new Uint8Array(width * height * 4);
  for (let p = 0; p < rgba.length; p += 4) {
    rgba[p] = bg[0];
    rgba[p + 1] = bg[1];
    rgba[p + 2] = bg[2];
    rgba[p + 3] = 255;
  }
  const global = mode === 'global' ? range(data, 0, data.length) : null;
  const size = h * w;
  for (let k = 0; k < n; k++) {
    const [lo, hi] = mode === 'none' ? [0, 1] : global ?? range(data, k * size, (k + 1) * size);
    const span = hi - lo;
    const tx = (k % cols) * (w + pad) + pad;
    const ty = Math.floor(k / cols) * (h + pad) + pad;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const v = data[k * size + y * w + x]!;
        let rgb: readonly [number, number, number];
        if (Number.isNaN(v)) rgb = NAN_RGB;
        else {
          let t = span > 0 && Number.isFinite(span) ? (v - lo) / span : v;
          t = Math.min(1, Math.max(0, t));
          if (options.invert) t = 1 - t;
          const g = Math.round(t * 255);
          rgb = [g, g, g];
        }
        for (let sy = 0; sy < scale; sy++) {
          let p = (((ty + y) * scale + sy) * width + (tx + x) * scale) * 4;
          for (let sx = 0; sx < scale; sx++, p += 4) {
            rgba[p] = rgb[0];
            rgba[p + 1] = rgb[1];
            rgba[p + 2] = rgb[2];
          }
        }
      }
    }
  }
  return { width, height, rgba };
}
