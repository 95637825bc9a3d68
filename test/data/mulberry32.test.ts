import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mulberry32, seededPermutation, shuffleInPlace, deriveSeed, randInt, pick } from '../../src/data/mulberry32.js';

test('mulberry32 matches the check values of the Tatoeba README', () => {
  const r = mulberry32(1234);
  assert.equal(r(), 0.07329497812315822);
  assert.equal(r(), 0.7034119898453355);
  assert.equal(r(), 0.9028560190927237);
});

test('the Tatoeba split permutation starts 6565, 13280, 18044, 24014, 15473', () => {
  assert.deepEqual(seededPermutation(29155, 1234).slice(0, 5), [6565, 13280, 18044, 24014, 15473]);
});

test('shuffle is a permutation and deterministic', () => {
  const a = shuffleInPlace([...Array(100).keys()], mulberry32(5));
  assert.deepEqual([...a].sort((x, y) => x - y), [...Array(100).keys()]);
  assert.deepEqual(shuffleInPlace([...Array(100).keys()], mulberry32(5)), a);
  assert.notDeepEqual(shuffleInPlace([...Array(100).keys()], mulberry32(6)), a);
});

test('helpers', () => {
  const r = mulberry32(1);
  for (let i = 0; i < 1000; i++) {
    const k = randInt(r, 7);
    assert.ok(Number.isInteger(k) && k >= 0 && k < 7);
  }
  assert.throws(() => pick(r, []), /pick: cannot choose from an empty array/);
  assert.notEqual(deriveSeed(1, 0), deriveSeed(1, 1));
  assert.equal(deriveSeed(1, 3), deriveSeed(1, 3));
});
