import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../src/autograd/index.js';
import { composeScene, makeScenes, SCENE_PIXELS } from '../../src/data/digit-scenes.js';
import { loadSceneDigits } from '../../src/data/digit-scenes-node.js';
import { cutCells, DigitJudge, EMPTY_INK, judgeImages, readCells, scoreReadings, trainJudge } from '../../src/models/text2image/judge.js';
import { Generator } from '../../src/tensor/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { randn } from '../../src/tensor/creation.js';

test('cutCells: nine 28x28 cells, row-major from the top left', () => {
  const img = new Float32Array(2 * SCENE_PIXELS);
  for (let i = 0; i < 2; i++) for (let y = 0; y < 84; y++) for (let x = 0; x < 84; x++) {
    img[i * SCENE_PIXELS + y * 84 + x] = 100 * i + 3 * Math.floor(y / 28) + Math.floor(x / 28);
  }
  const cells = cutCells(img, 2);
  assert.equal(cells.length, 18 * 784);
  for (let k = 0; k < 18; k++) {
    const want = 100 * Math.floor(k / 9) + (k % 9);
    assert.ok(cells.subarray(k * 784, (k + 1) * 784).every((v) => v === want), `cell ${k}`);
  }
  assert.throws(() => cutCells(new Float32Array(10), 1), /cutCells: 1 pictures of 84x84 need 7056 values, got 10/);
});

test('DigitJudge: [N, 784] and [N, 1, 28, 28] give the same logits [N, 10]; other shapes are refused', () => {
  const j = new DigitJudge(new Generator(1));
  const x = randn([3, 784], { generator: new Generator(2) });
  const a = j.forward(x);
  assert.deepEqual(a.shape, [3, 10]);
  assert.deepEqual(j.forward(x.reshape([3, 1, 28, 28])).values(), a.values());
  assert.throws(() => j.forward(randn([3, 1, 84, 84])), /DigitJudge: input must be \[N, 784\] or \[N, 1, 28, 28\], got \[3,1,84,84\]/);
});

test('scoreReadings: digit cells, empty cells and whole scenes counted separately', () => {
  const expected = [[7, null, null, null, 2, null, null, null, null], [null, null, null, null, null, null, null, null, 1]];
  const read = [[7, null, 3, null, 5, null, null, null, null], [null, null, null, null, null, null, null, null, 1]];
  const s = scoreReadings(read, expected);
  assert.equal(s.digitCells, 3);
  assert.equal(s.emptyCells, 15);
  assert.equal(s.digitAccuracy, 2 / 3);
  assert.equal(s.emptyAccuracy, 14 / 15);
  assert.equal(s.sceneAccuracy, 1 / 2);
  assert.throws(() => scoreReadings(read, expected.slice(1)), /scoreReadings: 2 readings but 1 expected labels/);
});

test('judge on hand-made scenes: trained on training digits, it reads test digits in their cells and leaves faint cells empty', () => {
  const train = loadSceneDigits('train');
  const test = loadSceneDigits('test');
  const n = 2000;
  const { judge, rows } = trainJudge({
    x: new Tensor(train.images.slice(0, n * 784), [n, 784]), y: new Tensor(Int32Array.from(train.labels as Int32Array).slice(0, n), [n]),
  }, { epochs: 2, generator: new Generator(3) });
  assert.equal(rows.length, 2);
  // a hand-made scene: test digits 0, 1, 2 in the top left, center and bottom right; faint smudge top right
  const pick = (d: number) => { const i = Array.from(test.labels).indexOf(d); return test.images.subarray(i * 784, (i + 1) * 784); };
  const img = composeScene([{ pixels: pick(0), cell: 0 }, { pixels: pick(1), cell: 4 }, { pixels: pick(2), cell: 8 }]);
  // a smudge of ink just under the threshold in the top-right cell
  const smudge = (EMPTY_INK * 0.9) / 784;
  for (let y = 0; y < 28; y++) for (let x = 56; x < 84; x++) img[y * 84 + x] = smudge;
  assert.deepEqual(readCells(judge, img, 1), [[0, null, null, null, 1, null, null, null, 2]]);
  // the same smudge just over the threshold is read as a digit (some digit, not empty)
  for (let y = 0; y < 28; y++) for (let x = 56; x < 84; x++) img[y * 84 + x] = (EMPTY_INK * 1.1) / 784;
  assert.notEqual(readCells(judge, img, 1)[0][2], null);
  // on 100 real test scenes the judge reads most digit cells right and every empty cell as empty
  const scenes = makeScenes(test, 100, 4);
  const images = new Float32Array(100 * SCENE_PIXELS);
  scenes.forEach((s, i) => images.set(s.image, i * SCENE_PIXELS));
  const s = judgeImages(judge, images, scenes.map((sc) => sc.cells));
  assert.equal(s.emptyAccuracy, 1);
  assert.ok(s.digitAccuracy > 0.85, `digit accuracy ${s.digitAccuracy}`);
});
