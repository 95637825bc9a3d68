/** Image grids written straight to PNG files (Node only). */
import { imageGrid, type ImageGridOptions } from './image-grid.js';
import { writePng } from './png-node.js';

/** Tile `data` of shape [n, h, w] with {@link imageGrid} and write the result to `path` as PNG. */
export function writeImageGridPng(
  path: string, data: ArrayLike<number>, shape: readonly [number, number, number], options: ImageGridOptions = {},
): void {
  writePng(path, imageGrid(data, shape, options));
}
