/** The raster picture type shared by the image grid, heatmap raster and PNG writer. */

/** An RGBA image, 8 bits per channel, row-major, `rgba.length === width * height * 4`. */
export interface RgbaImage {
  width: number;
  height: number;
  rgba: Uint8Array;
}

/** Check that `img` is internally consistent; `fn` names the caller in the error. */
export function checkImage(img: RgbaImage, fn: string): void {
  const { width, height, rgba } = img;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new Error(`${fn}: width and height must be positive integers, got ${width}x${height}`);
  }
  if (rgba.length !== width * height * 4) {
    throw new Error(`${fn}: rgba has ${rgba.length} bytes, ${width}x${height} needs ${width * height * 4}`);
  }
}
