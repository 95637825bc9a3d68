import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { rgbHex, viridis } from '../../src/viz/colormap.js';
import { writeImageGridPng } from '../../src/viz/image-grid-node.js';
import { decodePng, encodePng, heatmapPng, writeHeatmapPng, writePng } from '../../src/viz/png-node.js';

const dir = mkdtempSync(join(tmpdir(), 'attentive-viz-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function read(path: string): PNG {
  return PNG.sync.read(readFileSync(path));
}
function pixel(png: { width: number; data: Uint8Array }, x: number, y: number): number[] {
  const p = (y * png.width + x) * 4;
  return Array.from(png.data.subarray(p, p + 4));
}

test('writePng writes a file pngjs decodes to the same pixels', () => {
  const width = 5;
  const height = 3;
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) rgba.set([i * 10, 255 - i * 10, i % 2 ? 255 : 0, 200 + i], i * 4);
  const path = join(dir, 'raw.png');
  writePng(path, { width, height, rgba });
  const png = read(path);
  assert.equal(png.width, width);
  assert.equal(png.height, height);
  assert.deepEqual(pixel(png, 0, 0), [0, 255, 0, 200]);
  assert.deepEqual(pixel(png, 4, 2), [140, 115, 0, 214]);
  assert.deepEqual(decodePng(encodePng({ width, height, rgba })).rgba, rgba);
});

test('writePng and encodePng reject inconsistent images and unwritable paths', () => {
  assert.throws(() => encodePng({ width: 2, height: 2, rgba: new Uint8Array(15) }), /encodePng: rgba has 15 bytes, 2x2 needs 16/);
  assert.throws(() => encodePng({ width: 0, height: 2, rgba: new Uint8Array(0) }), /encodePng: width and height must be positive integers, got 0x2/);
  assert.throws(() => writePng(join(dir, 'missing', 'x.png'), { width: 1, height: 1, rgba: new Uint8Array(4) }), /writePng: cannot write .*missing/);
});

test('heatmap PNG: cells scaled up, coloured by value', () => {
  const m = [[0, 0.2], [0.8, 0.4], [0.1, 0.1]];
  const path = join(dir, 'attn.png');
  writeHeatmapPng(path, m, { cellSize: 10 });
  const png = read(path);
  assert.equal(png.width, 20);
  assert.equal(png.height, 30);
  const hexAt = (x: number, y: number): string => {
    const [r, g, b] = pixel(png, x, y);
    return rgbHex([r!, g!, b!]);
  };
  // Domain is [0, 0.8]: 0.8 is the top colour, 0.4 the middle.
  assert.equal(hexAt(5, 15), rgbHex(viridis(1)));
  assert.equal(hexAt(15, 15), rgbHex(viridis(0.5)));
  assert.equal(hexAt(19, 0), rgbHex(viridis(0.25)));
  assert.equal(hexAt(0, 29), rgbHex(viridis(0.125)));
  assert.deepEqual(heatmapPng(m, { cellSize: 10 }), readFileSync(path));
});

test('image grid PNG decodes with the expected size and tile pixels', () => {
  const n = 6;
  const data = new Float32Array(n * 4 * 4);
  for (let k = 0; k < n; k++) data[k * 16 + 5] = 1; // one bright pixel per tile at (1, 1)
  const path = join(dir, 'grid.png');
  writeImageGridPng(path, data, [n, 4, 4], { cols: 3, pad: 2, scale: 3 });
  const png = read(path);
  assert.equal(png.width, (3 * 6 + 2) * 3);
  assert.equal(png.height, (2 * 6 + 2) * 3);
  for (let k = 0; k < n; k++) {
    const x0 = ((k % 3) * 6 + 2) * 3;
    const y0 = (Math.floor(k / 3) * 6 + 2) * 3;
    assert.deepEqual(pixel(png, x0 + 4, y0 + 4), [255, 255, 255, 255], `tile ${k} bright pixel`);
    assert.deepEqual(pixel(png, x0, y0), [0, 0, 0, 255], `tile ${k} dark pixel`);
  }
});
