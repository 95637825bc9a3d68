/** Scene images as PNG files: read any PNG as an 84x84 grayscale scene, write scenes as gray PNGs. */
import { readFileSync } from 'node:fs';
import { decodePng, writePng } from '../viz/png-node.js';
import { SCENE_SIDE } from './digit-scenes.js';
import { grayToRgba, toSceneImage, type ConvertedImage } from './scene-image.js';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Reads a PNG file as a scene image (see {@link toSceneImage} for the conversions, which are
 * listed in the result). Errors name the file: missing, not a PNG, or a damaged PNG.
 */
export function readScenePng(path: string): ConvertedImage {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new Error(`readScenePng: cannot read ${path}: ${(e as Error).message}`);
  }
  if (bytes.length < 8 || PNG_SIGNATURE.some((b, i) => bytes[i] !== b)) {
    throw new Error(`readScenePng: ${path} is not a PNG file (it does not start with the PNG signature)`);
  }
  let decoded;
  try {
    decoded = decodePng(bytes);
  } catch (e) {
    throw new Error(`readScenePng: ${path} is a damaged PNG: ${(e as Error).message}`);
  }
  return toSceneImage(decoded);
}

/** Writes an 84x84 scene image ([84*84] in [0, 1]) as a gray PNG. */
export function writeScenePng(path: string, image: Float32Array): void {
  writePng(path, grayToRgba(image, SCENE_SIDE, SCENE_SIDE));
}
