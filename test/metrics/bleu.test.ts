import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closestRefLength, corpusBleu, sentenceBleu } from '../../src/metrics/bleu.js';
import { computeBleu } from '../../src/metrics/bleu-compute.js';
import { formatFixed } from '../../src/metrics/format.js';
import { VERSION } from '../../src/version.js';

const EXACT = 1e-12;

function near(actual: number, expected: number, what = 'value'): void {
  assert.ok(Math.abs(actual - expected) <= EXACT, `${what}: got ${actual}, expected ${expected}`);
}

test('worked example: one substituted word', () => {
  // hyp: The cat is on the mat .   ref: The cat sat on the mat .
  // 1-grams: 6 of 7 match (not "is"); 2-grams: The cat, on the, the mat, mat . = 4 of 6;
  // 3-grams: on the mat, the mat . = 2 of 5; 4-grams: on the mat . = 1 of 4; equal lengths, BP 1.
  const r = sentenceBleu('The cat is on the mat.', ['The cat sat on the mat.'], { effectiveOrder: false });
  assert.deepEqual(r.counts, [6, 4, 2, 1]);
  assert.deepEqual(r.totals, [7, 6, 5, 4]);
  [600 / 7, 400 / 6, 200 / 5, 100 / 4].forEach((p, i) => near(r.precisions[i], p, `p${i + 1}`));
  assert.equal(r.bp, 1);
  // geometric mean: (6/7 * 4/6 * 2/5 * 1/4)^(1/4) = (2/35)^(1/4)
  near(r.score, 100 * Math.pow(2 / 35, 0.25), 'score');
  assert.equal(formatFixed(r.score, 2), '48.89');
});

test('worked example: clipping and exp smoothing (Papineni et al.)', () => {
  // "the" x7 against a reference with two "the": unigram matches are clipped to 2 of 7; no higher
  // order matches, so exp smoothing gives 100/(2*6), 100/(4*5), 100/(8*4).
  const r = corpusBleu(['the the the the the the the'], [['the cat is on the mat']]);
  assert.deepEqual(r.counts, [2, 0, 0, 0]);
  assert.deepEqual(r.totals, [7, 6, 5, 4]);
  const expected = [200 / 7, 100 / 12, 100 / 20, 100 / 32];
  expected.forEach((p, i) => near(r.precisions[i], p, `p${i + 1}`));
  assert.equal(r.sys_len, 7);
  assert.equal(r.ref_len, 6);
  near(r.score, Math.pow(expected.reduce((a, b) => a * b, 1), 0.25), 'score');
  assert.equal(formatFixed(r.score, 2), '7.81');
  // without smoothing a zero precision zeroes the score, but precisions keep the raw values
  const none = corpusBleu(['the the the the the the the'], [['the cat is on the mat']], { smoothMethod: 'none' });
  assert.equal(none.score, 0);
  assert.deepEqual(none.precisions, [200 / 7, 0, 0, 0]);
  const floor = corpusBleu(['the the the the the the the'], [['the cat is on the mat']], { smoothMethod: 'floor' });
  near(floor.precisions[1], (100 * 0.1) / 6, 'floor p2');
});

test('brevity penalty exp(1 - r/c) from corpus totals', () => {
  const r = corpusBleu(['the cat', 'a dog'], [['the cat sat on the mat', 'a dog']], { maxNgramOrder: 2 });
  assert.equal(r.sys_len, 4);
  assert.equal(r.ref_len, 8);
  near(r.bp, Math.exp(1 - 8 / 4), 'bp');
  assert.deepEqual(r.counts, [4, 2]);
  near(r.score, 100 * Math.exp(-1), 'score');
});

test('closest reference length, ties to the shorter', () => {
  assert.equal(closestRefLength(4, [5, 3]), 3);
  assert.equal(closestRefLength(4, [3, 5]), 3);
  assert.equal(closestRefLength(4, [6, 5, 2]), 5);
  const r = corpusBleu(['a b c d'], [['a b c'], ['a b c d e']]);
  assert.equal(r.ref_len, 3);
  assert.equal(r.bp, 1);
});

test('null references give nrefs:var; an n-gram may match any reference', () => {
  const r = corpusBleu(['a b c d', 'e f g h'], [['a b x y', 'e f g h'], [null, 'z z z z'], ['x x c d', 'q']]);
  assert.equal(r.signature, `nrefs:var|case:mixed|eff:no|tok:13a|smooth:exp|version:${VERSION}`);
  // segment 1 (two references): a, b, "a b" from the first and c, d, "c d" from the third;
  // segment 2 (three references) matches its first reference fully: 4, 3, 2, 1
  assert.deepEqual(r.counts, [8, 5, 2, 1]);
  const same = corpusBleu(['a b'], [['a b'], ['a c']]);
  assert.ok(same.signature.startsWith('nrefs:2|'));
});

test('edge cases: empty hypothesis, empty reference, upper-case', () => {
  const empty = sentenceBleu('', ['a b c']);
  assert.equal(empty.score, 0);
  assert.equal(empty.bp, 0);
  assert.equal(empty.sys_len, 0);
  assert.equal(empty.ref_len, 3);
  assert.deepEqual(empty.totals, [0, 0, 0, 0]);
  const emptyRef = sentenceBleu('a b', ['']);
  assert.equal(emptyRef.ref_len, 0);
  assert.equal(emptyRef.score, 0);
  assert.equal(emptyRef.bp, 1);
  assert.equal(sentenceBleu('The CAT sat', ['the cat sat']).score < 100, true);
  const lc = sentenceBleu('The CAT sat', ['the cat sat'], { lowercase: true });
  near(lc.score, 100, 'lowercased score');
  assert.match(lc.signature, /^nrefs:1\|case:lc\|eff:yes\|/);
});

test('effective order: short sentences', () => {
  const eff = sentenceBleu('Thank you', ['Thank you']);
  near(eff.score, 100, 'effective order score');
  assert.deepEqual(eff.totals, [2, 1, 0, 0]);
  const plain = sentenceBleu('Thank you', ['Thank you'], { effectiveOrder: false });
  assert.equal(plain.score, 0);
  assert.match(plain.signature, /\|eff:no\|/);
  // add-k adds k to orders >= 2 even when they are empty, so they count as 100%
  const addk = sentenceBleu('Thank you', ['Thank you'], { smoothMethod: 'add-k', effectiveOrder: false });
  assert.deepEqual(addk.precisions, [100, 100, 100, 100]);
  assert.deepEqual(addk.counts, [2, 1, 0, 0]);
});

test('signatures: smoothing values, tokenizer, version', () => {
  const hyp = ['a b c d e'];
  const ref = [['a b c d f']];
  assert.equal(
    corpusBleu(hyp, ref).signature,
    `nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:${VERSION}`,
  );
  assert.match(corpusBleu(hyp, ref, { smoothMethod: 'add-k', smoothValue: 0.5 }).signature, /\|smooth:add-k\[0\.50\]\|/);
  assert.match(corpusBleu(hyp, ref, { smoothMethod: 'floor' }).signature, /\|smooth:floor\[0\.10\]\|/);
  // exp takes no value; a stray one must not leak into the signature
  assert.match(corpusBleu(hyp, ref, { smoothMethod: 'exp', smoothValue: 3 }).signature, /\|smooth:exp\|/);
  assert.match(corpusBleu(hyp, ref, { tokenize: 'char' }).signature, /\|tok:char\|/);
  assert.equal(VERSION, '0.1.0');
});

test('maxNgramOrder changes the number of orders', () => {
  const r = corpusBleu(['a b c d e f'], [['a b c d e f']], { maxNgramOrder: 6 });
  assert.equal(r.counts.length, 6);
  near(r.score, 100, 'score');
  assert.deepEqual(corpusBleu(['a b'], [['a b']], { maxNgramOrder: 1 }).totals, [2]);
});

test('errors name the function and the bad values', () => {
  assert.throws(() => corpusBleu([], [[]]), /corpusBleu: empty corpus \(0 hypotheses\)/);
  assert.throws(() => corpusBleu(['a', 'b', 'c'], [['a', 'b', 'c'], ['a', 'b']]), /corpusBleu: reference stream 1 has 2 segments but there are 3 hypotheses/);
  assert.throws(() => corpusBleu(['a'], []), /corpusBleu: need at least one reference stream/);
  assert.throws(() => corpusBleu(['a', 'b'], [['a', null], [null, null]]), /corpusBleu: segment 1 has no reference in any of the 2 streams/);
  assert.throws(() => sentenceBleu('a', []), /sentenceBleu: need at least one reference stream/);
  assert.throws(() => corpusBleu(['a'], [['a']], { smoothMethod: 'laplace' as never }), /corpusBleu: unknown smoothMethod 'laplace'/);
  assert.throws(() => corpusBleu(['a'], [['a']], { maxNgramOrder: 0 }), /corpusBleu: maxNgramOrder must be a positive integer, got 0/);
  assert.throws(() => corpusBleu(['a'], [['a']], { smoothMethod: 'floor', smoothValue: -1 }), /smoothValue must be a finite number >= 0, got -1/);
  assert.throws(() => corpusBleu(['a'], [['a']], { tokenize: 'moses' as never }), /unknown tokenizer 'moses'/);
  assert.throws(() => computeBleu({ sysLen: 1, refLen: 1, counts: [1], totals: [1, 1] }, 'exp', null, false), /computeBleu: counts has 1 orders but totals has 2/);
});

test('formatFixed rounds exact ties to even, like Python', () => {
  assert.equal(formatFixed(0.125, 2), '0.12');
  assert.equal(formatFixed(0.375, 2), '0.38');
  assert.equal(formatFixed(2.5, 0), '2');
  assert.equal(formatFixed(3.5, 0), '4');
  assert.equal(formatFixed(1.005, 2), '1.00'); // 1.005 is stored just below the tie
  assert.equal(formatFixed(47.99505296114205, 2), '48.00');
  assert.equal(formatFixed(0.1, 2), '0.10');
  assert.equal(formatFixed(-0.125, 2), '-0.12');
  assert.equal(formatFixed(Number.NaN, 2), 'nan');
});
