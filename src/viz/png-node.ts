/** PNG output through pngjs (Node only). */
import { writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { heatmapRaster, type HeatmapRasterOptions } from './heatmap.js';
import { checkImage, type RgbaImage } from './image.js';
import type { MatrixLike } from './matrix.js';

/** Encode an RGBA image as PNG bytes. */
export function encodePng(image: RgbaImage): Buffer {
  checkImage(image, 'encodePng');
  const png = new PNG({ width: image.width, height: image.height });
  png.data = Buffer.from(image.rgba.buffer, image.rgba.byteOffset, image.rgba.byteLength);
  return PNG.sync.write(png);
}

/** Decode PNG bytes into an RGBA image. */
export function decodePng(bytes: Uint8Array): RgbaImage {
  const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return { width: png.width, height: png.height, rgba: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
}

/** Write an RGBA image to `path` as a PNG file. */
export function writePng(path: string, image: RgbaImage): void {
  const bytes = encodePng(image);
  try {
    writeFileSync(path, bytes);
  } catch (e) {
    throw new Error(`writePng: cannot write ${path}: ${(e as Error).message}`);
  }
}

/** PNG bytes of an attention matrix drawn as coloured cells only (no text), scaled up by `cellSize`. */
export function heatmapPng(matrix: MatrixLike, options: HeatmapRasterOptions = {}): Buffer {
  return encodePng(heatmapRaster(matrix, options));
}

/** Write the cells-only heatmap of `matrix` to `path` as PNG (for `--attention-out FILE.png`). */
export function writeHeatmapPng(path: string, matrix: MatrixLike, options: HeatmapRasterOptions = {}): void {
  writePng(path, heatmapRaster(matrix, options));
}
