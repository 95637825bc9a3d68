import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countSequences, exhaustiveSearch } from '../../src/decode/exhaustive.js';
import { gardenPathModel, markovModel, PrefixModel, rescore, toLogProbs } from './toy-models.js';

test('countSequences matches a brute-force count of sequences cut at the first </s>', () => {
  for (const [V, T, m] of [[3, 3, 0], [4, 4, 1], [5, 3, 2]]) {
    // Enumerate all V^T strings and cut each at its first </s> (id 1), dropping those with </s> before m tokens.
    const seen = new Set<string>();
    const total = V ** T;
    for (let code = 0; code < total; code++) {
      const seq: number[] = [];
      for (let i = 0, c = code; i < T; i++, c = Math.floor(c / V)) seq.push(c % V);
      const e = seq.indexOf(1);
      if (e >= 0 && e < m) continue;
      seen.add((e >= 0 ? seq.slice(0, e + 1) : seq).join(','));
    }
    assert.equal(countSequences(V, T, m), seen.size, `V=${V} T=${T} m=${m}`);
  }
});

test('exhaustive search refuses a too large space and states the count', () => {
  const model = markovModel(6, 1);
  const n = countSequences(6, 8);
  assert.throws(
    () => exhaustiveSearch(model, 1, { maxLength: 8, maxSequences: 1000 }),
    (e: Error) => e.message.includes(`${n} candidate sequences`) && e.message.startsWith('exhaustiveSearch:'),
  );
});

test('exhaustive search scores every sequence: probabilities of a uniform model sum to 1', () => {
  // Every token (including <s>) possible, so every enumerated sequence has finite probability.
  const V = 4;
  const T = 3;
  const model = new PrefixModel(V, () => toLogProbs([1, 1, 1, 1]));
  const all = countSequences(V, T);
  const [r] = exhaustiveSearch(model, 1, { maxLength: T, nBest: all });
  assert.equal(r.nBest.length, all);
  const mass = r.nBest.reduce((a, h) => a + Math.exp(h.logProb), 0);
  assert.ok(Math.abs(mass - 1) < 1e-6, `total probability ${mass}`);
  // All sequences distinct.
  assert.equal(new Set(r.nBest.map((h) => `${h.tokens.join(',')}|${h.finished}`)).size, all);
});

test('exhaustive search finds the garden-path optimum and sorts its n-best', () => {
  const model = gardenPathModel();
  const [r] = exhaustiveSearch(model, 1, { maxLength: 4, nBest: 5 });
  assert.deepEqual(r.nBest[0].tokens, [3]);
  assert.ok(r.nBest[0].finished);
  assert.ok(Math.abs(r.nBest[0].logProb - Math.log(0.36)) < 1e-6);
  for (let i = 1; i < r.nBest.length; i++) assert.ok(r.nBest[i - 1].score >= r.nBest[i].score);
  for (const h of r.nBest) assert.equal(h.logProb, rescore(model, 1, 0, h.tokens, h.finished));
});
