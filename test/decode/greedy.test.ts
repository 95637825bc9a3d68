import assert from 'node:assert/strict';
import { test } from 'node:test';
import { greedyDecode } from '../../src/decode/greedy.js';
import { gardenPathModel, markovModel, prefixHashModel, rescore } from './toy-models.js';

test('greedy takes the argmax at every step and reports consistent log-probs', () => {
  for (let seed = 0; seed < 10; seed++) {
    const model = prefixHashModel(5, seed, 1.5, -0.5);
    const batch = 3;
    const res = greedyDecode(model, batch, { maxLength: 6 });
    res.forEach((h, s) => {
      assert.ok(h.tokens.length <= 6);
      assert.equal(h.stepLogProbs.length, h.tokens.length + (h.finished ? 1 : 0));
      if (!h.finished) assert.equal(h.tokens.length, 6);
      assert.equal(h.logProb, rescore(model, batch, s, h.tokens, h.finished));
      assert.equal(h.score, h.logProb);
      // Each chosen token is the most probable one given the prefix.
      const seq = h.finished ? [...h.tokens, model.eos] : h.tokens;
      seq.forEach((tok, i) => {
        const lp = model.next(s, h.tokens.slice(0, i));
        assert.equal(lp[tok], Math.max(...lp), `seed ${seed} sentence ${s} step ${i}`);
      });
    });
  }
});

test('greedy is batched: one step call per position, finished rows dropped', () => {
  const model = markovModel(5, 2, 1, 0.5);
  const res = greedyDecode(model, 4, { maxLength: 5 });
  const longest = Math.max(...res.map((h) => h.stepLogProbs.length));
  assert.equal(model.stepCalls, longest);
  assert.equal(model.rowsScored, res.reduce((a, h) => a + h.stepLogProbs.length, 0));
});

test('greedy respects minLength and per-sentence maxLenA/maxLenB', () => {
  const model = markovModel(5, 9, 1, 3); // </s> very likely
  const free = greedyDecode(model, 2, { maxLength: 6 });
  assert.ok(free.some((h) => h.tokens.length < 3), 'the model should want to stop early');
  const res = greedyDecode(model, 2, { maxLength: 6, minLength: 3 });
  for (const h of res) assert.ok(h.tokens.length >= 3);
  const cut = greedyDecode(markovModel(5, 9, 1, -5), 2, { maxLenA: 1, maxLenB: 1, sourceLengths: [1, 3] });
  assert.deepEqual(cut.map((h) => h.tokens.length), [2, 4]);
  assert.throws(() => greedyDecode(model, 2, { maxLenA: 1 }), /greedyDecode: maxLenA\/maxLenB need a source length per sentence \(2\), got none/);
});

test('greedy falls into the garden path', () => {
  const [h] = greedyDecode(gardenPathModel(), 1, { maxLength: 4 });
  assert.deepEqual(h.tokens, [2]);
  assert.ok(h.finished);
  assert.ok(Math.abs(h.logProb - Math.log(0.24)) < 1e-6);
});
