import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sentenceBleu } from '../../src/metrics/bleu.js';
import { explainBleu, formatExplanation } from '../../src/metrics/explain.js';

test('explainBleu lists n-grams with clipped counts and agrees with sentenceBleu', () => {
  const hyp = 'the the cat sat on the mat';
  const ref = 'the cat is on the mat';
  const e = explainBleu(hyp, ref);
  const s = sentenceBleu(hyp, [ref]);
  assert.equal(e.score, s.score);
  assert.equal(e.bp, s.bp);
  assert.equal(e.signature, s.signature);
  assert.deepEqual(e.orders.map((o) => o.matches), s.counts);
  assert.deepEqual(e.orders.map((o) => o.total), s.totals);
  assert.deepEqual(e.orders.map((o) => o.precision), s.precisions);
  // "the" appears 3 times in the hypothesis, twice in the reference: clipped to 2
  assert.deepEqual(e.orders[0].ngrams[0], { ngram: 'the', count: 3, refCount: 2, clipped: 2 });
  assert.deepEqual(
    e.orders[0].ngrams.map((g) => g.ngram),
    ['the', 'cat', 'sat', 'on', 'mat'],
  );
  assert.deepEqual(e.orders[1].ngrams.find((g) => g.ngram === 'cat sat'), { ngram: 'cat sat', count: 1, refCount: 0, clipped: 0 });
  assert.equal(e.hypLen, 7);
  assert.equal(e.refLen, 6);
});

test('explainBleu with several references takes the max reference count', () => {
  const e = explainBleu('a a a', ['a b', 'a a c'], { maxNgramOrder: 1 });
  assert.deepEqual(e.orders[0].ngrams, [{ ngram: 'a', count: 3, refCount: 2, clipped: 2 }]);
  assert.equal(e.refLen, 3);
  assert.match(e.signature, /^nrefs:2\|/);
  assert.throws(() => explainBleu('a', []), /explainBleu: need one or more reference strings/);
});

test('formatExplanation shows every order, the smoothing, BP and the score', () => {
  const e = explainBleu('Thank you very much', ['Thank you so much'], {});
  const text = formatExplanation(e);
  assert.match(text, /^hypothesis \(4 tokens\): Thank you very much$/m);
  assert.match(text, /^1-grams: 3\/4 clipped matches, precision 75\.00%$/m);
  assert.match(text, /^3-grams: 0\/2 clipped matches, precision 0\.00%, smoothed to 25\.00%$/m);
  assert.match(text, /^  very +1 +0 +0  ✗$/m);
  assert.match(text, /^BP = 1\.000 /m);
  assert.match(text, new RegExp(`^BLEU = ${e.score.toFixed(2).replace('.', '\\.')} `, 'm'));
  assert.ok(text.endsWith(e.signature));
  const short = formatExplanation(explainBleu('Hi', ['Hi there']));
  assert.match(short, /the hypothesis has no n-grams of this order/);
  assert.match(short, /exp\(1 - 2\/1\)/);
});
