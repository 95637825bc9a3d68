import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitPairs } from '../../src/data/split-pairs.js';
import { generatePairs } from '../../src/data/zh-en-grammar.js';

test('no Chinese sentence falls in two splits; all pairs kept; deterministic', () => {
  // Short sentences repeat often, which is exactly the case a split must handle.
  const pairs = generatePairs({ n: 5000, seed: 3, minTokens: 3, maxTokens: 6 });
  const s = splitPairs(pairs, { seed: 9, validFraction: 0.1, testFraction: 0.2 });
  assert.equal(s.train.length + s.valid.length + s.test.length, pairs.length);
  const sets = [s.train, s.valid, s.test].map((part) => new Set(part.map((p) => p.zh)));
  for (let i = 0; i < 3; i++) for (let j = i + 1; j < 3; j++) for (const zh of sets[i]!) assert.ok(!sets[j]!.has(zh), zh);
  const distinct = new Set(pairs.map((p) => p.zh)).size;
  assert.ok(distinct < pairs.length, 'expected duplicates in this corpus');
  assert.equal(sets[2]!.size, Math.round(distinct * 0.2));
  assert.equal(sets[1]!.size, Math.round(distinct * 0.1));
  assert.deepEqual(splitPairs(pairs, { seed: 9, validFraction: 0.1, testFraction: 0.2 }), s);
  assert.notDeepEqual(splitPairs(pairs, { seed: 10, validFraction: 0.1, testFraction: 0.2 }).test, s.test);
});

test('keeps corpus order within a split and validates fractions', () => {
  const pairs = Array.from({ length: 100 }, (_, i) => ({ zh: `句${i}`, en: `s${i}` }));
  const s = splitPairs(pairs, { seed: 1 });
  const idx = s.train.map((p) => Number(p.en.slice(1)));
  assert.deepEqual(idx, [...idx].sort((a, b) => a - b));
  assert.equal(s.test.length, 5);
  assert.throws(() => splitPairs(pairs, { seed: 1, validFraction: 0.7, testFraction: 0.5 }), /splitPairs: fractions must be/);
});
