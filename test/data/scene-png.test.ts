import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeScenes, parseCaption, parseCells, SCENE_PIXELS } from '../../src/data/digit-scenes.js';
import { resizeGray, toSceneImage } from '../../src/data/scene-image.js';
import { readScenePng, writeScenePng } from '../../src/data/scene-png-node.js';
import { writePng } from '../../src/viz/png-node.js';
import { runDataScenes } from '../../src/cli/data-scenes.js';
import { buildProgram } from '../../src/cli/main.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'scenes-'));

test('PNG round trip of a scene: pixels back within 8-bit quantisation, nothing converted', () => {
  const image = new Float32Array(SCENE_PIXELS);
  for (let i = 0; i < image.length; i++) image[i] = ((i * 37) % 256) / 255 * ((i % 3) / 2);
  const path = join(tmp(), 's.png');
  writeScenePng(path, image);
  const r = readScenePng(path);
  assert.deepEqual(r.conversions, []);
  for (let i = 0; i < image.length; i++) assert.ok(Math.abs(r.image[i] - image[i]) <= 0.5 / 255 + 1e-6, `pixel ${i}: ${r.image[i]} vs ${image[i]}`);
});

test('any PNG is accepted: colour, size, transparency and a light background are converted and reported', () => {
  const dir = tmp();
  // 168x42 red ink on white: colour, light background, other size
  const w = 168, h = 42;
  const rgba = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const ink = x < 56; // the left third: ink -> the left column of cells after resizing to 84x84
    const o = 4 * (y * w + x);
    rgba.set(ink ? [255, 0, 0, 255] : [255, 255, 255, 255], o);
  }
  writePng(join(dir, 'c.png'), { width: w, height: h, rgba });
  const r = readScenePng(join(dir, 'c.png'));
  assert.deepEqual(r.conversions, [
    'colour converted to grayscale',
    'inverted (dark ink on a light background; scenes are light ink on black)',
    'resized from 168x42 to 84x84',
  ]);
  assert.equal(r.image.length, SCENE_PIXELS);
  const luma = 1 - 0.299; // red on white, inverted
  assert.ok(Math.abs(r.image[10 * 84 + 5] - luma) < 1e-5 && Math.abs(r.image[50 * 84 + 27] - luma) < 1e-5);
  assert.ok(Math.abs(r.image[10 * 84 + 28]) < 1e-6 && Math.abs(r.image[80 * 84 + 83]) < 1e-6);
  const t = toSceneImage({ width: 1, height: 1, rgba: new Uint8Array([200, 200, 200, 0]) });
  assert.deepEqual(t.conversions, ['transparent pixels composited over black', 'resized from 1x1 to 84x84']);
});

test('area resampling keeps the mean and maps a constant to the same constant', () => {
  const src = new Float32Array(30 * 7).map((_, i) => (i % 11) / 10);
  const out = resizeGray(src, 30, 7, 84, 84);
  const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
  assert.ok(Math.abs(mean(out) - mean(src)) < 1e-5);
  const c = resizeGray(new Float32Array(100 * 3).fill(0.25), 100, 3, 84, 84);
  for (const v of c) assert.ok(Math.abs(v - 0.25) < 1e-6);
});

test('readScenePng: clear errors for a missing file, a non-PNG and a damaged PNG', () => {
  const dir = tmp();
  assert.throws(() => readScenePng(join(dir, 'none.png')), /readScenePng: cannot read .*none\.png/);
  writeFileSync(join(dir, 'x.png'), 'hello, not an image');
  assert.throws(() => readScenePng(join(dir, 'x.png')), /readScenePng: .*x\.png is not a PNG file/);
  writeScenePng(join(dir, 'ok.png'), new Float32Array(SCENE_PIXELS));
  const bytes = readFileSync(join(dir, 'ok.png'));
  writeFileSync(join(dir, 'cut.png'), bytes.subarray(0, 40));
  assert.throws(() => readScenePng(join(dir, 'cut.png')), /readScenePng: .*cut\.png is a damaged PNG/);
});

test('attentive data scenes writes PNGs and a TSV whose captions parse to the labels, and refuses a non-empty folder', async () => {
  const out = join(tmp(), 'scenes');
  await buildProgram().parseAsync(['node', 'attentive', 'data', 'scenes', '--out', out, '--n', '6', '--seed', '3', '--split', 'test']);
  const lines = readFileSync(join(out, 'scenes.tsv'), 'utf8').trimEnd().split('\n');
  assert.equal(lines[0], 'file\tcaption\tlabel');
  assert.equal(lines.length, 7);
  for (const line of lines.slice(1)) {
    const [file, caption, label] = line.split('\t');
    const objects = parseCaption(caption);
    const cells = parseCells(label);
    for (const o of objects) assert.equal(cells[o.cell], o.digit);
    assert.equal(cells.filter((c) => c !== null).length, objects.length);
    const img = readScenePng(join(out, file));
    assert.deepEqual(img.conversions, []);
    // ink only in the cells the label names
    for (let cell = 0; cell < 9; cell++) {
      let ink = 0;
      for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) ink += img.image[(Math.floor(cell / 3) * 28 + y) * 84 + (cell % 3) * 28 + x];
      assert.equal(ink > 0, cells[cell] !== null, `${file} cell ${cell}`);
    }
  }
  assert.equal(readdirSync(out).length, 7);
  assert.throws(() => runDataScenes({ out, n: 2 }), /data scenes: .* already exists and is not empty/);
  const again = join(tmp(), 'again');
  runDataScenes({ out: again, n: 6, seed: 3, split: 'test' });
  assert.equal(readFileSync(join(again, 'scenes.tsv'), 'utf8'), lines.join('\n') + '\n');
  assert.throws(() => runDataScenes({ out: join(tmp(), 'bad'), n: 0 }), /--n must be a positive integer, got 0/);
  assert.equal(existsSync(join(tmp(), 'bad')), false);
  // scenes of the same seed drawn from a fake pool still parse
  assert.ok(makeScenes({ images: new Float32Array(784 * 4), labels: [1, 2, 3, 4], count: 4 }, 3, 1).every((s) => parseCaption(s.caption).length > 0));
});
