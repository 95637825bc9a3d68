import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imageGrid } from '../../src/viz/image-grid.js';
import type { RgbaImage } from '../../src/viz/image.js';

function px(img: RgbaImage, x: number, y: number): number[] {
  const p = (y * img.width + x) * 4;
  return Array.from(img.rgba.slice(p, p + 4));
}

// Three 2x3 images: a ramp 0..5, the ramp times 10, and a constant 0.25.
const DATA = new Float32Array([0, 1, 2, 3, 4, 5, 0, 10, 20, 30, 40, 50, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25]);

test('grid size accounts for columns, padding and scale', () => {
  const img = imageGrid(DATA, [3, 2, 3], { cols: 2, pad: 1, scale: 2 });
  assert.equal(img.width, (2 * (3 + 1) + 1) * 2);
  assert.equal(img.height, (2 * (2 + 1) + 1) * 2);
  assert.equal(img.rgba.length, img.width * img.height * 4);
  assert.deepEqual(px(img, 0, 0), [128, 128, 128, 255]); // padding
  // Tile 0 starts at (pad*scale, pad*scale) = (2, 2); its first pixel is the minimum: black.
  assert.deepEqual(px(img, 2, 2), [0, 0, 0, 255]);
  assert.deepEqual(px(img, 3, 3), [0, 0, 0, 255]);
  // Last pixel of tile 0 (x=2, y=1) is its maximum: white, at (2+4, 2+2) in the scaled picture.
  assert.deepEqual(px(img, 6, 4), [255, 255, 255, 255]);
  // The unused fourth slot stays background.
  assert.deepEqual(px(img, img.width - 4, img.height - 4), [128, 128, 128, 255]);
});

test('per-image normalisation stretches each tile; global shares one scale', () => {
  const per = imageGrid(DATA, [3, 2, 3], { cols: 3, pad: 0 });
  const glob = imageGrid(DATA, [3, 2, 3], { cols: 3, pad: 0, normalize: 'global' });
  // Pixel value 1 of tile 0 (x=1, y=0): per-image 1/5 of white; globally 1/50.
  assert.equal(px(per, 1, 0)[0], Math.round(255 / 5));
  assert.equal(px(glob, 1, 0)[0], Math.round(255 / 50));
  // Tile 1 (x offset 3) is tile 0 scaled by ten: identical per-image.
  for (let y = 0; y < 2; y++) for (let x = 0; x < 3; x++) assert.deepEqual(px(per, 3 + x, y), px(per, x, y));
  // A constant tile keeps its own value.
  assert.equal(px(per, 6, 0)[0], Math.round(0.25 * 255));
  const none = imageGrid(DATA, [3, 2, 3], { cols: 3, pad: 0, normalize: 'none', invert: true });
  assert.equal(px(none, 1, 0)[0], 0); // 1 clamps to white, inverted to black
  assert.equal(px(none, 6, 0)[0], Math.round(0.75 * 255));
});

test('NaN pixels are painted red', () => {
  const img = imageGrid([NaN, 0, 1, 0.5], [1, 2, 2], { pad: 0 });
  assert.deepEqual(px(img, 0, 0), [255, 0, 0, 255]);
  assert.deepEqual(px(img, 1, 1), [128, 128, 128, 255]);
});

test('imageGrid rejects bad shapes and options with the values', () => {
  assert.throws(() => imageGrid(new Float32Array(10), [2, 2, 2]), /imageGrid: data has 10 values, shape \[2,2,2\] needs 8/);
  assert.throws(() => imageGrid(new Float32Array(8), [2, 2, 0] as never), /imageGrid: shape must be three positive integers \[n, h, w\], got \[2,2,0\]/);
  assert.throws(() => imageGrid(new Float32Array(8), [2, 2, 2], { scale: 1.5 }), /imageGrid: scale must be a positive integer, got 1.5/);
});
