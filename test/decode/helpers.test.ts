import assert from 'node:assert/strict';
import { test } from 'node:test';
import { greedyDecode } from '../../src/decode/greedy.js';
import { bannedByNgram } from '../../src/decode/ngram.js';
import { topKRow } from '../../src/decode/top-k.js';
import { markovModel, mulberry32 } from './toy-models.js';

test('topKRow agrees with a full sort (ties to the smaller id) on both of its paths', () => {
  const rnd = mulberry32(4);
  for (let trial = 0; trial < 50; trial++) {
    const V = 5 + Math.floor(rnd() * 200);
    // Few distinct values so ties are common; some entries impossible or banned.
    const row = Float32Array.from({ length: V }, () => (rnd() < 0.1 ? -Infinity : -Math.floor(rnd() * 6)));
    const banned = Uint8Array.from({ length: V }, () => (rnd() < 0.1 ? 1 : 0));
    const ref = Array.from({ length: V }, (_, v) => v)
      .filter((v) => banned[v] === 0 && row[v] > -Infinity)
      .sort((a, b) => row[b] - row[a] || a - b);
    for (const k of [1, 3, 63, 64, 100, 1000]) {
      assert.deepEqual(topKRow(row, 0, V, k, banned), ref.slice(0, k), `trial ${trial} k=${k}`);
    }
  }
});

test('bannedByNgram bans exactly the continuations of earlier matching (n-1)-grams', () => {
  const mask = new Uint8Array(10);
  // Last bigram context "3": earlier "3 4" and "3 5" exist, so 4 and 5 are banned for n=2.
  assert.deepEqual(bannedByNgram([0, 3, 4, 2, 3, 5, 3], 2, mask).sort(), [4, 5]);
  assert.deepEqual([...mask].map((x, i) => (x ? i : -1)).filter((i) => i >= 0), [4, 5]);
  mask.fill(0);
  // Trigram context "2 3": only "2 3 4" earlier matches.
  assert.deepEqual(bannedByNgram([2, 3, 4, 2, 3], 3, mask), [4]);
  mask.fill(0);
  assert.deepEqual(bannedByNgram([2], 3, mask), []);
  assert.deepEqual(bannedByNgram([2, 7], 1, mask).sort(), [2, 7]);
});

test('an unbounded maximum length is refused', () => {
  assert.throws(() => greedyDecode(markovModel(4, 1), 1, { maxLength: Infinity }), /greedyDecode: max length for sentence 0 is unbounded/);
});
