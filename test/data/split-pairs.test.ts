import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pairGroups, splitPairs } from '../../src/data/split-pairs.js';
import { generatePairs } from '../../src/data/zh-en-grammar.js';
import { loadCorpus } from '../../src/data/corpus-node.js';

/** Asserts that no Chinese and no English sentence of one split occurs in another. */
function assertDisjoint(s: { train: { zh: string; en: string }[]; valid: { zh: string; en: string }[]; test: { zh: string; en: string }[] }) {
  const parts = [['train', s.train], ['valid', s.valid], ['test', s.test]] as const;
  for (const side of ['zh', 'en'] as const) {
    const sets = parts.map(([, ps]) => new Set(ps.map((p) => p[side])));
    for (let i = 0; i < 3; i++) {
      for (let j = i + 1; j < 3; j++) {
        const shared = [...sets[i]!].filter((x) => sets[j]!.has(x));
        assert.deepEqual(shared, [], `${side} sentences in both ${parts[i][0]} and ${parts[j][0]}`);
      }
    }
  }
}

test('the embedded corpus as training sees it: no source and no reference of valid/test occurs in train', () => {
  // The grammar maps several Chinese sentences to one English one (你/你们 -> "you", the time
  // phrase before or after the subject), so splitting by the Chinese side alone leaks references.
  const pairs = generatePairs({ n: 20000, seed: 1 });
  assert.ok(new Set(pairs.map((p) => p.en)).size < new Set(pairs.map((p) => p.zh)).size, 'expected English sentences shared by several Chinese ones');
  const s = loadCorpus({ kind: 'embedded', nPairs: 20000, seed: 1 });
  assertDisjoint(s);
  assert.equal(s.train.length + s.valid.length + s.test.length, 20000);
  assert.equal(s.test.length, 1000);
  assert.equal(s.valid.length, 1000);
});

test('no sentence falls in two splits, on either side; all pairs kept; deterministic', () => {
  // Short sentences repeat often, which is exactly the case a split must handle.
  const pairs = generatePairs({ n: 5000, seed: 3, minTokens: 3, maxTokens: 6 });
  const s = splitPairs(pairs, { seed: 9, validFraction: 0.1, testFraction: 0.2 });
  assert.equal(s.train.length + s.valid.length + s.test.length, pairs.length);
  assertDisjoint(s);
  assert.ok(new Set(pairs.map((p) => p.zh)).size < pairs.length, 'expected duplicates in this corpus');
  // Groups are dealt whole, so the held-out sizes are close to (never above) their share.
  assert.ok(s.test.length <= 1000 && s.test.length > 950, String(s.test.length));
  assert.ok(s.valid.length <= 500 && s.valid.length > 450, String(s.valid.length));
  assert.deepEqual(splitPairs(pairs, { seed: 9, validFraction: 0.1, testFraction: 0.2 }), s);
  assert.notDeepEqual(splitPairs(pairs, { seed: 10, validFraction: 0.1, testFraction: 0.2 }).test, s.test);
});

test('pairGroups joins pairs through chains of shared sources and references', () => {
  const pairs = [
    { zh: '你好', en: 'hello' }, // 0
    { zh: '您好', en: 'hello' }, // 1: same reference as 0
    { zh: '您好', en: 'good day' }, // 2: same source as 1
    { zh: '再见', en: 'bye' }, // 3: alone
    { zh: 'hello', en: 'x' }, // 4: a source equal to another pair's reference is not shared
  ];
  assert.deepEqual([...pairGroups(pairs)], [0, 0, 0, 1, 2]);
  for (let seed = 0; seed < 20; seed++) {
    const s = splitPairs(pairs, { seed, validFraction: 0.2, testFraction: 0.2 });
    assertDisjoint(s);
    const where = (i: number) => (s.train.includes(pairs[i]) ? 0 : s.valid.includes(pairs[i]) ? 1 : 2);
    assert.equal(where(0), where(1));
    assert.equal(where(1), where(2));
  }
});

test('keeps corpus order within a split and validates fractions', () => {
  const pairs = Array.from({ length: 100 }, (_, i) => ({ zh: `句${i}`, en: `s${i}` }));
  const s = splitPairs(pairs, { seed: 1 });
  const idx = s.train.map((p) => Number(p.en.slice(1)));
  assert.deepEqual(idx, [...idx].sort((a, b) => a - b));
  assert.equal(s.test.length, 5);
  assert.deepEqual(splitPairs([], { seed: 1 }), { train: [], valid: [], test: [] });
  assert.throws(() => splitPairs(pairs, { seed: 1, validFraction: 0.7, testFraction: 0.5 }), /splitPairs: fractions must be/);
});
