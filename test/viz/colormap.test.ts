import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contrastText, luminance, normalize, rgbHex, viridis } from '../../src/viz/colormap.js';
import { ansi256 } from '../../src/viz/text-heatmap.js';

test('viridis runs from dark purple to yellow, strictly increasing in luminance', () => {
  assert.equal(rgbHex(viridis(0)), '#440154');
  assert.equal(rgbHex(viridis(1)), '#fde725');
  let prev = -1;
  for (let k = 0; k <= 512; k++) {
    const l = luminance(viridis(k / 512));
    assert.ok(l >= prev, `luminance drops at t=${k / 512}: ${l} < ${prev}`);
    prev = l;
  }
  assert.ok(luminance(viridis(1)) - luminance(viridis(0)) > 0.7);
});

test('viridis clamps out-of-range input and maps NaN to the low end', () => {
  assert.deepEqual(viridis(-3), viridis(0));
  assert.deepEqual(viridis(7), viridis(1));
  assert.deepEqual(viridis(NaN), viridis(0));
});

test('normalize maps the domain to [0, 1] and a zero-width domain to 0.5', () => {
  assert.equal(normalize(2, 1, 5), 0.25);
  assert.equal(normalize(9, 1, 5), 1);
  assert.equal(normalize(3, 3, 3), 0.5);
});

test('contrast text is white on dark and black on light colours', () => {
  assert.equal(contrastText(viridis(0)), '#ffffff');
  assert.equal(contrastText(viridis(1)), '#000000');
});

test('ansi256 picks cube and grey indices nearest the colour', () => {
  assert.equal(ansi256([255, 0, 0]), 196);
  assert.equal(ansi256([0, 0, 0]), 16);
  assert.equal(ansi256([128, 128, 128]), 244);
  const i = ansi256(viridis(0.5));
  assert.ok(i >= 16 && i <= 255);
});
