import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenizeZhWords, jiebaTokenizer } from '../../src/text/jieba-node.js';

test('jieba splits words and drops whitespace', () => {
  const words = tokenizeZhWords('我昨天在学校看了三本书。 Hello world');
  assert.equal(words.join(''), '我昨天在学校看了三本书。Helloworld');
  assert.ok(words.includes('昨天') && words.includes('学校'), `got ${words.join('|')}`);
  assert.ok(!words.includes(' '));
});

test('jieba tokenizer round-trips Chinese text', () => {
  const s = '我们明天会在图书馆买两本书。';
  assert.equal(jiebaTokenizer.detokenize(jiebaTokenizer.tokenize(s)), s);
  assert.equal(jiebaTokenizer.name, 'zh-jieba');
});
