import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  captionOf, cellName, cellsOf, composeScene, formatCells, makeScenes, objectsOf, parseCaption, parseCaptionCells, parseCells,
  scenesToTensor, CAPTION_WORDS, SCENE_PIXELS, SCENE_SIDE, type DigitPool,
} from '../../src/data/digit-scenes.js';
import { generateScenes, loadSceneDigits } from '../../src/data/digit-scenes-node.js';
import { MNIST_PIXELS } from '../../src/data/mnist-node.js';

test('cell names: top/middle/bottom x left/center/right, "center" for the middle cell', () => {
  assert.deepEqual(Array.from({ length: 9 }, (_, c) => cellName(c)), [
    'top left', 'top center', 'top right', 'middle left', 'center', 'middle right', 'bottom left', 'bottom center', 'bottom right',
  ]);
  assert.throws(() => cellName(9), /cellName: cell must be an integer in 0..8, got 9/);
});

test('caption of the example in the notes, and its parse', () => {
  const objects = [{ digit: 7, cell: 0 }, { digit: 2, cell: 4 }];
  assert.equal(captionOf(objects), 'a seven in the top left and a two in the center');
  assert.deepEqual(parseCaption('a seven in the top left and a two in the center'), objects);
  assert.equal(captionOf([{ digit: 8, cell: 8 }]), 'an eight in the bottom right');
  assert.equal(formatCells(parseCaptionCells('A two in the center, and a seven at the top left.')), '7---2----');
  assert.deepEqual(parseCells('7---2----'), cellsOf(objects));
});

test('parseCaption names what is wrong', () => {
  assert.throws(() => parseCaption('   '), /parseCaption: empty caption/);
  assert.throws(() => parseCaption('a seven in the top corner'), /parseCaption: unknown word "corner"/);
  assert.throws(() => parseCaption('a seven in the top'), /expected left, center or right after "top" at word 6 .*got the end/);
  assert.throws(() => parseCaption('a seven in the center and'), /expected "a" or "an" at word 7 .*got the end/);
  assert.throws(() => parseCaption('seven in the center'), /expected "a" or "an" at word 1 .*got "seven"/);
  assert.throws(() => parseCaption('a one in the center and a two in the center'), /parseCaption: the center cell is named twice/);
});

// A tiny pool where image i has all pixels equal to (i + 1) / 100 and label i % 10.
function fakePool(count: number): DigitPool {
  const images = new Float32Array(count * MNIST_PIXELS);
  for (let i = 0; i < count; i++) images.fill((i + 1) / 100, i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS);
  return { images, labels: Array.from({ length: count }, (_, i) => i % 10), count };
}

test('composition puts each digit in its cell and nothing elsewhere', () => {
  const pool = fakePool(20);
  for (const s of makeScenes(pool, 50, 3)) {
    assert.equal(s.image.length, SCENE_PIXELS);
    assert.ok(s.objects.length >= 1 && s.objects.length <= 4);
    for (let cell = 0; cell < 9; cell++) {
      const k = s.objects.findIndex((o) => o.cell === cell);
      const expected = k < 0 ? 0 : (s.sources[k] + 1) / 100;
      for (const [y, x] of [[0, 0], [13, 17], [27, 27]]) {
        const v = s.image[(Math.floor(cell / 3) * 28 + y) * SCENE_SIDE + (cell % 3) * 28 + x];
        assert.ok(Math.abs(v - expected) < 1e-7, `cell ${cell}: ${v} != ${expected}`);
      }
      assert.equal(s.cells[cell], k < 0 ? null : s.objects[k].digit);
    }
    assert.deepEqual(s.objects.map((o, i) => o.digit), s.sources.map((src) => src % 10));
  }
  assert.throws(() => composeScene([{ pixels: new Float32Array(10), cell: 0 }]), /composeScene: a digit image needs 784 pixels, got 10/);
});

test('captions parse back to the labels; every count 1..4 and every cell occurs; order of mention varies', () => {
  const scenes = makeScenes(fakePool(50), 400, 11);
  const counts = new Set<number>();
  const cells = new Set<number>();
  let unordered = 0;
  for (const s of scenes) {
    assert.deepEqual(parseCaption(s.caption), s.objects);
    assert.deepEqual(parseCaptionCells(s.caption), s.cells);
    for (const w of s.caption.split(' ')) assert.ok(CAPTION_WORDS.includes(w), w);
    counts.add(s.objects.length);
    s.objects.forEach((o) => cells.add(o.cell));
    if (s.objects.some((o, i) => i > 0 && o.cell < s.objects[i - 1].cell)) unordered++;
  }
  assert.deepEqual([...counts].sort(), [1, 2, 3, 4]);
  assert.equal(cells.size, 9);
  assert.ok(unordered > 50, `only ${unordered} captions out of reading order`);
  for (const s of makeScenes(fakePool(50), 100, 11, { order: 'reading' })) {
    assert.deepEqual(s.objects, objectsOf(s.cells));
  }
});

test('seeded: same seed, same scenes; another seed, other scenes', () => {
  const pool = fakePool(30);
  assert.deepEqual(makeScenes(pool, 20, 5), makeScenes(pool, 20, 5));
  assert.notDeepEqual(makeScenes(pool, 20, 5).map((s) => s.caption), makeScenes(pool, 20, 6).map((s) => s.caption));
  const t = scenesToTensor(makeScenes(pool, 3, 5));
  assert.deepEqual(t.shape, [3, 1, 84, 84]);
});

test('real MNIST scenes: deterministic, and train, valid and test use disjoint digit images', () => {
  const a = generateScenes({ split: 'test', n: 30, seed: 1 });
  assert.deepEqual(generateScenes({ split: 'test', n: 30, seed: 1 }), a);
  for (const s of a) assert.deepEqual(parseCaption(s.caption), s.objects);
  const key = (images: Float32Array, i: number) => Buffer.from(images.buffer, images.byteOffset + i * MNIST_PIXELS * 4, MNIST_PIXELS * 4).toString('base64');
  const pools = { train: loadSceneDigits('train'), valid: loadSceneDigits('valid'), test: loadSceneDigits('test') };
  assert.equal(pools.train.count + pools.valid.count + pools.test.count, 10000);
  const seen = new Map<string, string>();
  for (const [name, pool] of Object.entries(pools)) {
    for (let i = 0; i < pool.count; i++) {
      const k = key(pool.images, i);
      const other = seen.get(k);
      // identical pixel arrays could only come from the same image of the package
      assert.ok(other === undefined || other === name, `a digit image of ${name} is also in ${other}`);
      seen.set(k, name);
    }
  }
  // and the scenes of a split only use that split's images
  const testKeys = new Set(Array.from({ length: pools.test.count }, (_, i) => key(pools.test.images, i)));
  for (const s of a) {
    for (const src of s.sources) assert.ok(testKeys.has(key(pools.test.images, src)));
    for (const [k, o] of s.objects.entries()) assert.equal(pools.test.labels[s.sources[k]], o.digit);
  }
  assert.throws(() => loadSceneDigits('dev' as never), /loadSceneDigits: split must be train, valid or test, got dev/);
});
