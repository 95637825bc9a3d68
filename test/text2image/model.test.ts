import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../src/autograd/index.js';
import { gradcheck } from '../autograd/check.js';
import { gradcheck as gradcheck64 } from '../../src/autograd/gradcheck.js';
import { composeScene, makeScenes, captionWords, SCENE_PIXELS, type DigitPool } from '../../src/data/digit-scenes.js';
import { defaultCaptionVocab, encodeCaptions } from '../../src/models/text2image/captions.js';
import { cellLoss, pixelLoss, resolveTextToImageConfig, TextToImage } from '../../src/models/text2image/model.js';
import { Adam } from '../../src/optim/adam.js';
import { rand, randn } from '../../src/tensor/creation.js';
import { Generator } from '../../src/tensor/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';

const vocab = defaultCaptionVocab();
const small = { vocabSize: vocab.length, embSize: 8, hiddenSize: 12, channels: [8, 6, 4] as [number, number, number] };

test('TextToImage: shapes from captions to sentence vectors and 84x84 pixel logits', () => {
  const m = new TextToImage(small, new Generator(1));
  const { tokens, lengths } = encodeCaptions([['a', 'one', 'in', 'the', 'center'], ['a', 'two', 'in', 'the', 'top', 'left', 'and', 'a', 'three', 'in', 'the', 'center']], vocab);
  assert.deepEqual(m.encode(tokens, lengths).shape, [2, 9 * 24]); // 9 attention hops of both directions (the default)
  assert.deepEqual(new TextToImage({ ...small, pool: 'sum' }).encode(tokens, lengths).shape, [2, 24]);
  assert.deepEqual(m.forward(tokens, lengths).shape, [2, 1, 84, 84]);
  const pics = m.draw(tokens, lengths);
  assert.equal(pics.length, 2 * SCENE_PIXELS);
  assert.ok(pics.every((v) => v >= 0 && v <= 1));
  const uni = new TextToImage({ ...small, bidirectional: false, pool: 'last' }, new Generator(1));
  assert.deepEqual(uni.encode(tokens, lengths).shape, [2, 12]);
  const att = new TextToImage({ ...small, pool: 'attention', attentionHops: 3 }, new Generator(1));
  assert.deepEqual(att.encode(tokens, lengths).shape, [2, 3 * 24]); // 3 hops of both directions
  assert.deepEqual(att.forward(tokens, lengths).shape, [2, 1, 84, 84]);
});

test('TextToImage: padding does not change a caption\'s picture (lengths are honoured), with either sentence vector', () => {
  for (const pool of ['sum', 'last', 'attention'] as const) {
    const m = new TextToImage({ ...small, pool }, new Generator(2));
    const short = ['a', 'one', 'in', 'the', 'center'];
    const alone = encodeCaptions([short], vocab);
    const padded = encodeCaptions([short, [...short, 'and', 'a', 'two', 'in', 'the', 'top', 'left']], vocab);
    const a = m.draw(alone.tokens, alone.lengths);
    const b = m.draw(padded.tokens, padded.lengths).subarray(0, SCENE_PIXELS);
    for (let i = 0; i < SCENE_PIXELS; i++) assert.ok(Math.abs(a[i] - b[i]) < 1e-5, `${pool}: pixel ${i}: ${a[i]} vs ${b[i]}`);
  }
});

test('TextToImage: config errors name the field and value; bad token input is refused', () => {
  assert.throws(() => resolveTextToImageConfig({ vocabSize: 0 }), /TextToImage: vocabSize must be a positive integer, got 0/);
  assert.throws(() => resolveTextToImageConfig({ vocabSize: 5, channels: [4, 4] as unknown as [number, number, number] }), /TextToImage: channels must list 3 sizes, got \[4,4\]/);
  assert.throws(() => resolveTextToImageConfig({ vocabSize: 5, hiddenSize: 2.5 }), /TextToImage: hiddenSize must be a positive integer, got 2.5/);
  const m = new TextToImage(small);
  assert.throws(() => m.encode(new Tensor(new Float32Array(4), [2, 2]), [2, 2]), /TextToImage.encode: tokens must be int32 \[B, T\], got float32 \[2,2\]/);
});

test('pixelLoss: per-pixel BCE on logits, its gradient by finite differences', () => {
  const target = rand([2, 1, 3, 3], { generator: new Generator(3), dtype: 'float64' });
  const logits = randn([2, 1, 3, 3], { generator: new Generator(4), dtype: 'float64' });
  // known value: mean over pixels of -(y log σ(x) + (1-y) log(1-σ(x)))
  const x = logits.values(), y = target.values();
  let want = 0;
  for (let i = 0; i < x.length; i++) {
    const p = 1 / (1 + Math.exp(-x[i]));
    want -= y[i] * Math.log(p) + (1 - y[i]) * Math.log(1 - p);
  }
  assert.ok(Math.abs(pixelLoss(logits, target).item() - want / x.length) < 1e-12);
  gradcheck((l) => pixelLoss(l, target), [logits]);
});

test('cellLogits: cell latents read row-major from the top left, 11 classes per cell', () => {
  const m = new TextToImage(small, new Generator(9));
  const grid = randn([2, 8, 3, 3], { generator: new Generator(10) });
  const logits = m.cellLogits(grid);
  assert.deepEqual(logits.shape, [18, 11]);
  // row 4 of picture 1 (its center cell) is the head applied to grid[1, :, 1, 1]
  const g = grid.values();
  const one = m.cellHead.forward(new Tensor(Float32Array.from({ length: 8 }, (_, ch) => g[1 * 72 + ch * 9 + 4]), [1, 8])).values();
  const row = logits.values().subarray((9 + 4) * 11, (9 + 5) * 11);
  for (let k = 0; k < 11; k++) assert.ok(Math.abs(row[k] - one[k]) < 1e-5);
});

test('cellLoss: cross-entropy against the named digits, empty cells as class 10; gradient by finite differences', () => {
  const m = new TextToImage({ ...small, channels: [3, 4, 4] }, new Generator(11)).to('float64');
  const cells = [[7, null, null, null, 2, null, null, null, null], [null, null, null, null, null, null, null, null, 1]];
  const grid = randn([2, 3, 3, 3], { generator: new Generator(12), dtype: 'float64' });
  // known value: mean over the 18 cells of -log softmax(logits)[target]
  const lv = m.cellLogits(grid).values();
  const targets = cells.flat().map((d) => d ?? 10);
  let want = 0;
  targets.forEach((t, r) => {
    const row = Array.from(lv.subarray(r * 11, (r + 1) * 11));
    const mx = Math.max(...row);
    want += Math.log(row.reduce((a, v) => a + Math.exp(v - mx), 0)) + mx - row[t];
  });
  assert.ok(Math.abs(cellLoss(m, grid, cells).item() - want / 18) < 1e-5);
  // through the grid and the cell head's parameters
  gradcheck((x) => cellLoss(m, x, cells), [grid, m.cellHead.weight, m.cellHead.bias!]);
});

test('training on a few scenes lowers the pixel loss', () => {
  // synthetic digit pool: each digit class a distinct bar pattern
  const images = new Float32Array(20 * 784);
  const labels = new Int32Array(20);
  for (let i = 0; i < 20; i++) {
    labels[i] = i % 10;
    for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) images[i * 784 + y * 28 + x] = (x + labels[i]) % 10 < 3 ? 1 : 0;
  }
  const pool: DigitPool = { images, labels, count: 20 };
  const scenes = makeScenes(pool, 8, 7, { maxDigits: 2 });
  assert.equal(composeScene([]).length, SCENE_PIXELS);
  const m = new TextToImage(small, new Generator(8));
  const opt = new Adam(m.parameters(), { lr: 1e-2 });
  const { tokens, lengths } = encodeCaptions(scenes.map((s) => captionWords(s.caption)), vocab);
  const target = new Tensor(Float32Array.from(scenes.flatMap((s) => [...s.image])), [8, 1, 84, 84]);
  const losses: number[] = [];
  for (let step = 0; step < 25; step++) {
    const loss = pixelLoss(m.forward(tokens, lengths), target);
    losses.push(loss.item());
    opt.zeroGrad();
    loss.backward();
    opt.step();
  }
  assert.ok(losses[24] < 0.6 * losses[0], `loss went from ${losses[0]} to ${losses[24]}`);
});

test('TextToImage computes in float64: every parameter gets a float64 gradient, and the pixel loss passes the float64 gradient check through the encoder, the projection and the generator', () => {
  const { tokens, lengths } = encodeCaptions([['a', 'one', 'in', 'the', 'center'], ['a', 'two', 'in', 'the', 'top', 'left']], vocab);
  const target = rand([2, 1, 84, 84], { generator: new Generator(5), dtype: 'float64' });
  for (const batchNorm of [true, false]) {
    const m = new TextToImage({ ...small, embSize: 3, hiddenSize: 2, channels: [2, 2, 2], batchNorm }, new Generator(6)).to('float64');
    const loss = () => pixelLoss(m.forward(tokens, lengths), target);
    const l = loss();
    assert.equal(l.dtype, 'float64');
    l.backward();
    // the cell head reads the cell grid for the auxiliary loss only (checked in float64 above), not the pixels
    for (const [name, p] of m.namedParameters()) if (!name.startsWith('cellHead.')) assert.equal(p.grad?.dtype, 'float64', name);
    m.zeroGrad();
    const named = new Map(m.namedParameters());
    const some = [...named.keys()].filter((n) => /bias/.test(n) && named.get(n)!.size <= 18).map((n) => named.get(n)!);
    assert.ok(some.length >= 6, 'biases of the encoder, the projection and the generator');
    gradcheck64(loss, some);
  }
});
