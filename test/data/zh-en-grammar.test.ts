import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generatePairs } from '../../src/data/zh-en-grammar.js';
import { fromChineseNumber } from '../../src/data/zh-numbers.js';
import { tokenizeZhChars } from '../../src/text/zh-char-tokenizer.js';
import { tokenizeEn } from '../../src/text/en-tokenizer.js';

const pairs = generatePairs({ n: 20000, seed: 42 });
const WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

test('deterministic for a seed, different across seeds', () => {
  assert.deepEqual(generatePairs({ n: 50, seed: 42 }), pairs.slice(0, 50));
  assert.notDeepEqual(generatePairs({ n: 50, seed: 43 }), pairs.slice(0, 50));
});

test('every Chinese sentence has exactly one English translation', () => {
  const m = new Map<string, string>();
  for (const p of pairs) {
    const prev = m.get(p.zh);
    if (prev !== undefined && prev !== p.en) assert.fail(`${p.zh} -> "${prev}" and "${p.en}"`);
    m.set(p.zh, p.en);
  }
  assert.ok(m.size > 10000, `only ${m.size} distinct sentences in 20000`);
});

test('lengths respect bounds and span the default range', () => {
  const lens = pairs.map((p) => tokenizeZhChars(p.zh).length);
  assert.ok(Math.min(...lens) >= 3 && Math.max(...lens) <= 25);
  assert.ok(lens.includes(4) && lens.includes(24), 'short and long sentences both occur');
  const narrow = generatePairs({ n: 300, seed: 1, minTokens: 18, maxTokens: 20 });
  for (const p of narrow) {
    const n = tokenizeZhChars(p.zh).length;
    assert.ok(n >= 18 && n <= 20, `${p.zh} has ${n} tokens`);
  }
  assert.throws(() => generatePairs({ n: 10, seed: 1, minTokens: 5, maxTokens: 4 }), /generatePairs: need integers/);
  assert.throws(() => generatePairs({ n: 10, seed: 1, minTokens: 1, maxTokens: 1 }), /no sentence with 1..1 tokens/);
});

test('English is well formed: capitalised, punctuated like the Chinese', () => {
  for (const p of pairs) {
    assert.match(p.en, /^[A-Z][^.?]*[.?]$/, p.en);
    assert.equal(p.en.endsWith('?'), p.zh.endsWith('？'), `${p.zh} / ${p.en}`);
    assert.ok(!/ {2}|\ba ([aeiou])/i.test(p.en.replace(/\ba (uni|one|eu)/gi, '')), `spacing or article in ${p.en}`);
  }
});

test('counted nouns carry the right number into English, with 两 only where it belongs', () => {
  const re = /([零一二两三四五六七八九十百千万]+)(本|封|部|辆|台|张|把|支|件|座|个|条|只|杯|瓶|碗)/g;
  let big = 0;
  for (const p of pairs) {
    const enTokens = tokenizeEn(p.en.toLowerCase());
    for (const m of p.zh.matchAll(re)) {
      const zhNum = m[1]!;
      if (/二$/.test(zhNum) && zhNum.length === 1) assert.fail(`lone 二 before a measure word in ${p.zh}`);
      assert.ok(!/两[^百千万]/.test(zhNum + m[2]!) || zhNum === '两', `两 misplaced in ${zhNum}`);
      const n = fromChineseNumber(zhNum);
      const expected = n === 1 ? ['a', 'an', 'one'] : n <= 10 ? [WORDS[n]!] : [String(n)];
      if (n > 10) big++;
      assert.ok(expected.some((w) => enTokens.includes(w)), `${p.zh} (${n}) -> ${p.en}`);
    }
  }
  assert.ok(big > 500, `large numbers too rare: ${big}`);
});

test('time and place move from before the verb in Chinese to the end in English', () => {
  let checked = 0;
  for (const p of pairs) {
    if (p.zh.includes('昨天在学校') || p.zh.includes('昨天没在学校')) {
      assert.match(p.en, / at school yesterday[.?]$/, `${p.zh} -> ${p.en}`);
      checked++;
    }
    if (p.zh.includes('了') && p.zh.includes('昨天') && !p.zh.includes('吗') && !p.zh.endsWith('？')) {
      assert.ok(!/\b(will|does|do)\b/.test(p.en), `past sentence not in past tense: ${p.en}`);
    }
  }
  assert.ok(checked > 5, `only ${checked} sentences with 昨天在学校`);
});

test('covers the constructions that need attention', () => {
  const has = (re: RegExp) => pairs.some((p) => re.test(p.zh));
  for (const re of [/吗？$/, /什么？$/, /哪里/, /几/, /不/, /没/, /了/, /的/, /两/, /万/, /零/, /很/]) {
    assert.ok(has(re), `no sentence matches ${re}`);
  }
});
