import assert from 'node:assert/strict';
import { test } from 'node:test';
import { beamSearch, exactSearch, exhaustiveSearch, greedyDecode } from '../../src/decode/index.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { tinyBatch, tinyModel } from './helpers.js';

for (const model of ['plain', 'attention'] as const) {
  test(`${model}: beam search with k=1 equals greedy`, () => {
    const m = tinyModel({ model, tgtVocabSize: 9 }, 11);
    const b = tinyBatch();
    const sm = m.stepModel(new Tensor(b.src, [2, 4]), b.srcLengths);
    const g = greedyDecode(sm, 2, { maxLength: 6 });
    const bs = beamSearch(sm, 2, { beamSize: 1, maxLength: 6, lengthPenalty: 0 });
    for (let i = 0; i < 2; i++) {
      assert.deepEqual(bs[i].nBest[0].tokens, g[i].tokens);
      assert.ok(Math.abs(bs[i].nBest[0].logProb - g[i].logProb) < 1e-6);
    }
  });

  test(`${model}: exact search equals enumeration with |V| = 5`, () => {
    const m = tinyModel({ model, tgtVocabSize: 5 }, 12);
    const b = tinyBatch();
    const sm = m.stepModel(new Tensor(b.src, [2, 4]), b.srcLengths);
    const opts = { maxLength: 4, nBest: 3 };
    const ex = exactSearch(sm, 2, opts);
    const en = exhaustiveSearch(sm, 2, opts);
    for (let i = 0; i < 2; i++) {
      assert.equal(ex[i].exact, true);
      assert.deepEqual(ex[i].nBest.map((h) => h.tokens), en[i].nBest.map((h) => h.tokens));
      ex[i].nBest.forEach((h, j) => assert.ok(Math.abs(h.logProb - en[i].nBest[j].logProb) < 1e-5));
    }
    // The exact optimum is at least as probable as beam's and greedy's answers.
    const g = greedyDecode(sm, 2, { maxLength: 4 });
    const bs = beamSearch(sm, 2, { beamSize: 3, maxLength: 4, lengthPenalty: 0 });
    for (let i = 0; i < 2; i++) {
      assert.ok(ex[i].nBest[0].logProb >= bs[i].nBest[0].logProb - 1e-6);
      assert.ok(ex[i].nBest[0].logProb >= g[i].logProb - 1e-6);
    }
  });
}

test('search never emits <pad> or <s>, even from a model that prefers them', async () => {
  const { banSpecials } = await import('../../src/models/seq2seq/step-model.js');
  const lp = Float32Array.from([Math.log(0.5), Math.log(0.1), Math.log(0.2), Math.log(0.1), Math.log(0.1)]);
  banSpecials(lp, 5);
  assert.equal(lp[0], -Infinity);
  assert.equal(lp[2], -Infinity);
  // The other entries keep the model's own log-probabilities.
  assert.deepEqual([lp[1], lp[3], lp[4]], [Math.fround(Math.log(0.1)), Math.fround(Math.log(0.1)), Math.fround(Math.log(0.1))]);
});
