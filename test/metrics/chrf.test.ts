import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chrfWords, computeChrf, corpusChrf, sentenceChrf } from '../../src/metrics/chrf.js';
import { VERSION } from '../../src/version.js';

const EXACT = 1e-12;

function near(actual: number, expected: number, what = 'value'): void {
  assert.ok(Math.abs(actual - expected) <= EXACT, `${what}: got ${actual}, expected ${expected}`);
}

test('worked example: chrF with character order 2', () => {
  // hyp "ab", ref "abc". Order 1: P = 2/2, R = 2/3. Order 2: P = 1/1 ("ab"), R = 1/2 ("ab","bc").
  // Averages P = 1, R = 7/12; F2 = 5 P R / (4 P + R) = (35/12) / (55/12) = 7/11.
  const r = corpusChrf(['ab'], [['abc']], { charOrder: 2 });
  assert.deepEqual(r.stats, [2, 3, 2, 1, 2, 1]);
  near(r.score, 700 / 11, 'score');
  assert.equal(r.name, 'chrF2');
  assert.equal(r.signature, `nrefs:1|case:mixed|eff:yes|nc:2|nw:0|space:no|version:${VERSION}`);
});

test('eps smoothing averages per-order F-scores, empty orders count as ~0', () => {
  // order 3: the hypothesis has no trigram, F = 0; F1 = 5*(2/3)/(4+2/3) = 5/7, F2 = 2.5/4.5 = 5/9
  const r = sentenceChrf('ab', ['abc'], { charOrder: 3, epsSmoothing: true });
  near(r.score, (100 * (5 / 7 + 5 / 9)) / 3, 'eps score');
  assert.match(r.signature, /\|eff:no\|nc:3\|/);
  // without eps smoothing the empty order is left out of the average
  near(sentenceChrf('ab', ['abc'], { charOrder: 3 }).score, 700 / 11, 'plain score');
});

test('whitespace is dropped from character n-grams unless kept', () => {
  near(sentenceChrf('a b', ['ab']).score, 100, 'spaces ignored');
  const kept = sentenceChrf('a b', ['ab'], { whitespace: true, charOrder: 1 });
  assert.deepEqual(kept.stats, [3, 2, 2]);
  assert.match(kept.signature, /\|space:yes\|/);
});

test('chrF++ words split one ASCII punctuation mark off an end', () => {
  assert.deepEqual(chrfWords('Hello, (world)! a .'), ['Hello', ',', '(world)', '!', 'a', '.']);
  assert.deepEqual(chrfWords('«quoted» "x'), ['«quoted»', '"', 'x']);
  const r = sentenceChrf('the cat', ['the cat'], { wordOrder: 2 });
  assert.equal(r.name, 'chrF2++');
  assert.deepEqual(r.stats.slice(-6), [2, 2, 2, 1, 1, 1]);
  near(r.score, 100, 'score');
});

test('the best-scoring reference is counted; lowercase; beta in the name', () => {
  const r = corpusChrf(['abc', 'xyz'], [['zzz', 'xyz'], ['abc', 'qqq']], { charOrder: 1 });
  assert.deepEqual(r.stats, [6, 6, 6]);
  near(r.score, 100, 'score');
  assert.equal(sentenceChrf('ABC', ['abc'], { lowercase: true }).score, 100);
  assert.equal(sentenceChrf('ABC', ['abc']).score, 0);
  assert.equal(sentenceChrf('a', ['a'], { beta: 1 }).name, 'chrF1');
});

test('empty hypothesis and errors', () => {
  assert.equal(sentenceChrf('', ['abc']).score, 0);
  assert.throws(() => corpusChrf([], [[]]), /corpusChrf: empty corpus/);
  assert.throws(() => corpusChrf(['a', 'b'], [['a']]), /corpusChrf: reference stream 0 has 1 segments but there are 2 hypotheses/);
  assert.throws(() => sentenceChrf('a', ['a'], { beta: 0 }), /sentenceChrf: beta must be a finite number > 0, got 0/);
  assert.throws(() => sentenceChrf('a', ['a'], { charOrder: 0 }), /charOrder \+ wordOrder must be > 0/);
  assert.throws(() => computeChrf([1, 2], 2, false), /computeChrf: stats must be \[hyp, ref, match\] triples, got length 2/);
});
