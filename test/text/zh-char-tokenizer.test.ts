import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenizeZhChars, detokenizeZhChars, zhCharTokenizer } from '../../src/text/zh-char-tokenizer.js';

test('each CJK character and full-width punctuation mark is a token', () => {
  assert.deepEqual(tokenizeZhChars('我昨天看了三本书。'), ['我', '昨', '天', '看', '了', '三', '本', '书', '。']);
  assert.deepEqual(tokenizeZhChars('你好，世界！（对）'), ['你', '好', '，', '世', '界', '！', '（', '对', '）']);
});

test('ASCII letter/digit runs stay whole and whitespace is dropped', () => {
  assert.deepEqual(tokenizeZhChars('我有 3050 本 iPhone12 书'), ['我', '有', '3050', '本', 'iPhone12', '书']);
  assert.deepEqual(tokenizeZhChars(' \t\u3000 '), []);
  assert.deepEqual(tokenizeZhChars('a-b'), ['a', '-', 'b']);
});

test('astral-plane characters are one token', () => {
  assert.deepEqual(tokenizeZhChars('𠀀好'), ['𠀀', '好']);
});

test('detokenize restores a space only between ASCII words', () => {
  const s = '汤姆说Hello world，我有3050本书。';
  assert.equal(detokenizeZhChars(tokenizeZhChars(s)), s);
  assert.equal(zhCharTokenizer.detokenize(zhCharTokenizer.tokenize('我 看 书')), '我看书');
});
