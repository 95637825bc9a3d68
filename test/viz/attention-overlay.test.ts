import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attentionOverlay } from '../../src/viz/attention-overlay.js';
import { bitmapTextWidth, drawBitmapText } from '../../src/viz/bitmap-font.js';

test('attention overlay: one panel per word, the attended cell tinted orange and outlined, the others left gray', () => {
  const image = new Float32Array(84 * 84).fill(0.5);
  const w = (c: number) => Array.from({ length: 9 }, (_, i) => (i === c ? 0.92 : 0.01));
  const img = attentionOverlay(image, 84, ['seven', 'two'], [w(0), w(4)], { scale: 1 });
  const pad = 6;
  assert.equal(img.width, pad + 2 * (84 + pad));
  const px = (x: number, y: number) => Array.from(img.rgba.subarray(4 * (y * img.width + x), 4 * (y * img.width + x) + 3));
  // panel 0: inside the top-left cell (attended) orange-ish, inside the bottom-right cell almost gray
  const [r0, g0, b0] = px(pad + 14, pad + 14);
  assert.ok(r0 > 200 && b0 < 60 && g0 > b0, `${[r0, g0, b0]}`);
  const [r1, g1, b1] = px(pad + 70, pad + 70);
  assert.ok(Math.abs(r1 - 128) < 8 && Math.abs(g1 - 127) < 8 && Math.abs(b1 - 127) < 8, `${[r1, g1, b1]}`);
  assert.deepEqual(px(pad, pad), [255, 40, 40], 'outline of the most attended cell');
  // panel 1 looks at the center
  const x1 = pad + 84 + pad;
  assert.ok(px(x1 + 42, pad + 42)[0] > 200 && px(x1 + 10, pad + 10)[2] > 100);
  // the word labels are drawn in dark ink below the image
  let ink = 0;
  for (let y = pad + 84; y < img.height; y++) for (let x = pad; x < pad + 84; x++) if (px(x, y)[0] < 60) ink++;
  assert.ok(ink > 20, `only ${ink} label pixels`);
  assert.throws(() => attentionOverlay(image, 84, ['a'], [[1, 0]]), /attentionOverlay: word 0 \("a"\) has 2 weights, expected 9/);
  assert.throws(() => attentionOverlay(image, 84, ['a', 'b'], [w(0)]), /attentionOverlay: 2 words but 1 rows of weights/);
  assert.throws(() => attentionOverlay(new Float32Array(10), 84, ['a'], [w(0)]), /attentionOverlay: image has 10 pixels/);
});

test('bitmap font: width and glyph pixels', () => {
  assert.equal(bitmapTextWidth('ab', 2), 22);
  const img = { width: 12, height: 7, rgba: new Uint8Array(12 * 7 * 4) };
  drawBitmapText(img, 'i', 0, 0, [9, 9, 9]);
  // "I": a bar across the top row (columns 1..3) and the stem in column 2
  const on = (x: number, y: number) => img.rgba[4 * (y * 12 + x) + 3] === 255;
  assert.deepEqual([0, 1, 2, 3, 4].map((x) => on(x, 0)), [false, true, true, true, false]);
  assert.ok(on(2, 3) && !on(1, 3));
});
