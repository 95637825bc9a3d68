import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../src/autograd/index.js';
import * as F from '../../src/autograd/ops/index.js';
import { gradcheck } from '../autograd/check.js';
import { gradcheck as gradcheck64 } from '../../src/autograd/gradcheck.js';
import { makeScenes, scenesToTensor, type DigitPool } from '../../src/data/digit-scenes.js';
import { manualSeed, Generator } from '../../src/tensor/rng.js';
import { rand } from '../../src/tensor/creation.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { noGrad } from '../../src/autograd/grad-mode.js';
import {
  attentionOf, buildCaptionModel, captionBatch, captionImages, captionLoss, captionVocab, CaptionEncoder, CaptionStepModel,
  doublyStochasticPenalty, encodeCaption, resolveCaptionConfig, type CaptionModel, type ShowAttendTell,
} from '../../src/models/caption/index.js';
import { greedyDecode } from '../../src/decode/greedy.js';
import { beamSearch } from '../../src/decode/beam.js';
import { exactSearch } from '../../src/decode/exact.js';

const vocab = captionVocab();
const SMALL = { vocabSize: vocab.size, channels: [4, 6, 8], embSize: 8, hiddenSize: 12, attentionSize: 10, dropout: 0 };

function images(n: number, seed: number): Tensor {
  return rand([n, 1, 84, 84], { generator: new Generator(seed) });
}

test('the caption vocabulary is the grammar\'s words after the specials; unknown and empty captions are errors', () => {
  assert.equal(vocab.size, 4 + 21);
  assert.deepEqual(vocab.decode(encodeCaption(vocab, 'an eight in the center')), ['an', 'eight', 'in', 'the', 'center']);
  assert.throws(() => encodeCaption(vocab, 'a seven in the corner'), /encodeCaption: unknown word "corner"/);
  assert.throws(() => encodeCaption(vocab, ' '), /encodeCaption: empty caption/);
  const b = captionBatch([[5, 6], [7]]);
  assert.deepEqual([...b.tokensIn], [2, 5, 6, 2, 7, 0]);
  assert.deepEqual([...b.tokensOut], [5, 6, 3, 7, 3, 0]);
});

test('encoder: 84x84 -> 3x3xD regions, each region seeing its own cell only (away from the borders)', () => {
  manualSeed(1);
  const enc = new CaptionEncoder([4, 6, 8], false);
  const x = images(2, 3);
  const r = noGrad(() => enc.forward(x));
  assert.deepEqual(r.shape, [2, 9, 8]);
  assert.deepEqual(noGrad(() => enc.featureMap(x)).shape, [2, 8, 3, 3]);
  // rows of the regions are the feature map's positions, row-major
  const fm = noGrad(() => enc.featureMap(x)).values();
  const rv = r.values();
  for (let cell = 0; cell < 9; cell++) for (let d = 0; d < 8; d++) assert.equal(rv[cell * 8 + d], fm[d * 9 + cell]);
  // brighten a pixel deep inside each cell: only that cell's region may change
  for (let cell = 0; cell < 9; cell++) {
    const y = x.clone();
    const top = Math.floor(cell / 3) * 28, left = (cell % 3) * 28;
    for (let dy = 10; dy < 18; dy++) for (let dx = 10; dx < 18; dx++) y.data[(top + dy) * 84 + left + dx] = 5;
    const ry = noGrad(() => enc.forward(y)).values();
    for (let other = 0; other < 9; other++) {
      let diff = 0;
      for (let d = 0; d < 8; d++) diff += Math.abs(ry[other * 8 + d] - rv[other * 8 + d]);
      if (other === cell) assert.ok(diff > 0, `cell ${cell}: its region did not change`);
      else assert.equal(diff, 0, `cell ${cell} changed region ${other}`);
    }
  }
  for (const [mode, count] of [['none', 0], ['last', 1], ['all', 3]] as const) {
    const e = new CaptionEncoder([4, 6, 8], mode);
    assert.equal(e.norms?.length ?? 0, count, mode);
    assert.deepEqual(noGrad(() => e.forward(x)).shape, [2, 9, 8]);
  }
  manualSeed(1);
  const last = new CaptionEncoder([4, 6, 8], 'last');
  const rl = noGrad(() => last.featureMap(x)).values();
  // BatchNorm on the last block in training mode: every channel's pre-pooling map has mean 0, so after ReLU and pooling the regions have unit-scale values
  assert.ok(Math.max(...rl) > 0.5, `largest region value ${Math.max(...rl)}`);
  assert.throws(() => enc.forward(rand([1, 1, 28, 28])), /CaptionEncoder: images must be \[B, 1, 84, 84\], got \[1,1,28,28\]/);
});

test('config defaults are the W6 shapes; bad values are named', () => {
  const c = resolveCaptionConfig({ vocabSize: 30 });
  assert.deepEqual([c.channels, c.embSize, c.hiddenSize, c.attentionSize], [[32, 64, 128], 64, 256, 256]);
  assert.throws(() => resolveCaptionConfig({ vocabSize: 30, model: 'nope' as never }), /CaptionConfig.model must be show-tell or attention, got nope/);
  assert.throws(() => resolveCaptionConfig({ vocabSize: 30, channels: [4, 4] }), /CaptionConfig.channels must be three positive integers/);
});

function forwardOf(model: CaptionModel, n: number, T: number, seed: number) {
  const x = images(n, seed);
  const toks = new Tensor(Int32Array.from({ length: n * T }, (_, i) => 4 + ((i * 7) % 21)), [n, T]);
  return { x, toks, out: noGrad(() => model.forward(x, toks)) };
}

test('attention weights are a distribution over the 9 cells at every word; β in (0, 1)', () => {
  manualSeed(2);
  const model = buildCaptionModel({ ...SMALL, model: 'attention' });
  const { out } = forwardOf(model, 3, 5, 4);
  assert.deepEqual(out.logits.shape, [3, 5, vocab.size]);
  assert.deepEqual(out.attention!.shape, [3, 5, 9]);
  const a = out.attention!.values();
  for (let r = 0; r < 15; r++) {
    let s = 0;
    for (let i = 0; i < 9; i++) {
      assert.ok(a[r * 9 + i] > 0);
      s += a[r * 9 + i];
    }
    assert.ok(Math.abs(s - 1) < 1e-5, `row ${r} sums to ${s}`);
  }
  for (const b of out.beta!.values()) assert.ok(b > 0 && b < 1);
  const st = buildCaptionModel({ ...SMALL, model: 'show-tell' });
  const o2 = forwardOf(st, 2, 4, 4).out;
  assert.equal(o2.attention, null);
  assert.deepEqual(o2.logits.shape, [2, 4, vocab.size]);
  const every = buildCaptionModel({ ...SMALL, model: 'show-tell', imageEveryStep: true });
  assert.deepEqual(forwardOf(every, 2, 4, 4).out.logits.shape, [2, 4, vocab.size]);
});

test('doubly stochastic regulariser: known value, and its gradient by finite differences (directly and through the softmax)', () => {
  // B=1, T=2, R=3; mask drops step 1: totals = α_0 = [0.2, 0.3, 0.5] -> Σ(1-α)² = 0.64+0.49+0.25
  const alphas = new Tensor(Float32Array.from([0.2, 0.3, 0.5, 0.1, 0.1, 0.8]), [1, 2, 3]);
  const v = doublyStochasticPenalty(alphas, new Tensor(Float32Array.from([1, 0]), [1, 2]), 2).item();
  assert.ok(Math.abs(v - 2 * 1.38) < 1e-5, String(v));
  const g = new Generator(5);
  const mask = new Tensor(Float32Array.from([1, 1, 1, 0, 1, 1, 1, 1]), [2, 4]);
  const a = rand([2, 4, 9], { generator: g, dtype: 'float64' });
  gradcheck((x) => doublyStochasticPenalty(x, mask, 0.7), [a]);
  const scores = rand([2, 4, 9], { low: -2, high: 2, generator: g, dtype: 'float64' });
  gradcheck((s) => doublyStochasticPenalty(F.softmax(s, 2), mask, 1.3), [scores]);
  assert.throws(() => doublyStochasticPenalty(a, rand([2, 3]), 1), /doublyStochasticPenalty: expected alphas \[B, T, R\] and mask \[B, T\], got \[2,4,9\] and \[2,3\]/);
});

test('both captioning models compute in float64: every parameter gets a float64 gradient, and the loss passes the float64 gradient check through the encoder, the initial state and the gate', () => {
  const b = captionBatch([[5, 6, 7], [8, 9]]);
  const tin = new Tensor(b.tokensIn, [b.B, b.T]);
  const tout = new Tensor(b.tokensOut, [b.B, b.T]);
  const x = images(2, 6).to('float64');
  for (const kind of ['attention', 'show-tell'] as const) {
    manualSeed(4);
    const model = buildCaptionModel({ ...SMALL, channels: [2, 2, 3], hiddenSize: 5, attentionSize: 4, embSize: 3, model: kind }).to('float64');
    const loss = () => captionLoss(model, x, tin, tout, kind === 'attention' ? 0.5 : 0).loss;
    const l = loss();
    assert.equal(l.dtype, 'float64');
    l.backward();
    for (const [name, p] of model.namedParameters()) assert.equal(p.grad?.dtype, 'float64', `${kind} ${name}`);
    model.zeroGrad();
    const named = new Map(model.namedParameters());
    const some = ['encoder.convs.2.bias', 'init_h.bias', 'init_c.bias', ...(kind === 'attention' ? ['f_beta.bias'] : [])].map((n) => named.get(n)!);
    gradcheck64(loss, some);
  }
});

test('the regulariser reaches the attention parameters: gradient of the whole loss by finite differences', () => {
  manualSeed(3);
  const model = buildCaptionModel({ ...SMALL, channels: [2, 2, 3], hiddenSize: 5, attentionSize: 4, embSize: 3, model: "attention" }) as ShowAttendTell;
  const b = captionBatch([[5, 6, 7], [8, 9]]);
  const tin = new Tensor(b.tokensIn, [b.B, b.T]);
  const tout = new Tensor(b.tokensOut, [b.B, b.T]);
  const att = model.attention;
  // the penalty as a function of the attention's projection weights, in float64 (the parameters
  // are perturbed in place; f reads them through the module)
  const model64 = model.to('float64');
  const x64 = images(2, 6).to('float64');
  const words = new Tensor(Float64Array.from(b.tokensOut, (t) => (t === 0 ? 0 : 1)), [b.B, b.T]);
  const params = [att.W_q!.weight, att.v!.weight];
  const originals = params.map((p) => p.data.slice());
  gradcheck64(() => doublyStochasticPenalty(model64.forward(x64, tin).attention!, words, 1), params);
  gradcheck64(() => captionLoss(model64, x64, tin, tout, 0.5).loss, params);
  params.forEach((p, i) => assert.deepEqual(p.data, originals[i]));
  model.to('float32');
  const x = images(2, 6);
  const l = captionLoss(model, x, tin, tout, 0.5);
  assert.ok(l.penalty > 0 && Math.abs(l.loss.item() - (l.crossEntropy + l.penalty)) < 1e-5);
  assert.equal(captionLoss(model, x, tin, tout, 0).penalty, 0);
});

function pool(): DigitPool {
  const g = new Generator(9);
  const images = new Float32Array(40 * 784).map(() => g.random());
  return { images, labels: Array.from({ length: 40 }, (_, i) => i % 10), count: 40 };
}

for (const kind of ['attention', 'show-tell'] as const) {
  test(`${kind}: greedy, beam and exact search run on the model through StepModel and agree with its own scores`, () => {
    manualSeed(4);
    const model = buildCaptionModel({ ...SMALL, model: kind });
    const scenes = makeScenes(pool(), 3, 1);
    const x = scenesToTensor(scenes);
    const opts = { maxLength: 4 };
    const greedy = captionImages(model, vocab, x, { method: 'greedy', ...opts });
    const beam1 = captionImages(model, vocab, x, { method: 'beam', beamSize: 1, ...opts });
    const beam = captionImages(model, vocab, x, { method: 'beam', beamSize: 4, ...opts });
    const exact = captionImages(model, vocab, x, { method: 'exact', ...opts, nodeBudget: 200000 });
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(beam1[i].tokens, greedy[i].tokens, 'beam 1 = greedy');
      assert.ok(exact[i].exact, 'exact search finished within the budget');
      assert.ok(exact[i].logProb >= beam[i].logProb - 1e-4 && exact[i].logProb >= greedy[i].logProb - 1e-4);
      for (const c of [greedy[i], beam[i], exact[i]]) {
        assert.ok(c.tokens.length <= 4);
        assert.equal(c.caption, c.words.join(' '));
        // the search's log-probability is the model's own (teacher-forced) one
        const sm = new CaptionStepModel(model, new Tensor(x.values().slice(i * 7056, (i + 1) * 7056), [1, 1, 84, 84]));
        let state = sm.start(1);
        let lp = 0;
        const seq = c.finished ? [...c.tokens, 3] : c.tokens;
        let prev = 2;
        for (const t of seq) {
          const r = sm.step(state, Int32Array.of(prev));
          lp += r.logProbs[t];
          state = r.state;
          prev = t;
        }
        assert.ok(Math.abs(lp - c.logProb) < 1e-3, `${lp} vs ${c.logProb}`);
        if (kind === 'attention') {
          assert.equal(c.attention!.length, c.tokens.length);
          for (const row of c.attention!) assert.ok(row.length === 9 && Math.abs(row.reduce((s, v) => s + v, 0) - 1) < 1e-5);
        } else assert.equal(c.attention, null);
      }
    }
    // one image at a time gives the same captions as the batch
    const single = captionImages(model, vocab, new Tensor(x.values().slice(7056, 2 * 7056), [1, 1, 84, 84]), { method: 'beam', beamSize: 4, ...opts });
    assert.deepEqual(single[0].tokens, beam[1].tokens);
    // and the decoders themselves run on the StepModel unchanged
    const sm = new CaptionStepModel(model, x);
    assert.equal(greedyDecode(sm, 3, opts).length, 3);
    assert.equal(beamSearch(sm, 3, { ...opts, beamSize: 2 }).length, 3);
    assert.equal(exactSearch(sm, 3, { ...opts, nodeBudget: 200000 }).length, 3);
  });
}

test('attention during search equals the attention recomputed by feeding the caption back', () => {
  manualSeed(5);
  const model = buildCaptionModel({ ...SMALL, model: 'attention' });
  const x = images(1, 8);
  const sm = new CaptionStepModel(model, x);
  let state = sm.start(1);
  const toks = [5, 9, 7];
  const seen: number[][] = [];
  let prev = 2;
  for (const t of toks) {
    const r = sm.step(state, Int32Array.of(prev));
    seen.push(Array.from(r.state.attention!.values()));
    state = r.state;
    prev = t;
  }
  const again = attentionOf(model, x, toks)!;
  for (let t = 0; t < 3; t++) for (let i = 0; i < 9; i++) assert.ok(Math.abs(seen[t][i] - again[t][i]) < 1e-5);
});
