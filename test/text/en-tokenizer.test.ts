import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenizeEn, detokenizeEn, createEnTokenizer } from '../../src/text/en-tokenizer.js';

test('13a splits punctuation but keeps apostrophes, decimals and thousands', () => {
  assert.deepEqual(tokenizeEn('I have 3 apples.'), ['I', 'have', '3', 'apples', '.']);
  assert.deepEqual(tokenizeEn("Don't touch Tom's car!"), ["Don't", 'touch', "Tom's", 'car', '!']);
  assert.deepEqual(tokenizeEn('It costs $3.50, or 1,000 yen.'), ['It', 'costs', '$', '3.50', ',', 'or', '1,000', 'yen', '.']);
  assert.deepEqual(tokenizeEn('He said, "Hi."'), ['He', 'said', ',', '"', 'Hi', '.', '"']);
  assert.deepEqual(tokenizeEn('a 3-year-old well-known kid'), ['a', '3', '-', 'year-old', 'well-known', 'kid']);
  assert.deepEqual(tokenizeEn('Tom &amp; Mary'), ['Tom', '&', 'Mary']);
});

test('lowercase option', () => {
  assert.deepEqual(createEnTokenizer({ lowercase: true }).tokenize('Where IS Tom?'), ['where', 'is', 'tom', '?']);
  assert.equal(createEnTokenizer({ lowercase: true }).name, 'en-13a-lc');
});

test('detokenizer rebuilds natural text', () => {
  assert.equal(detokenizeEn(['I', 'have', '3', 'apples', '.']), 'I have 3 apples.');
  assert.equal(detokenizeEn(['Tom', "'", 's', 'car', 'is', 'red', '.']), "Tom's car is red.");
  assert.equal(detokenizeEn(['Tom', "'s", 'dog', 'do', "n't", 'bite', '.']), "Tom's dog don't bite.");
  assert.equal(detokenizeEn(['Wait', '.', '.', '.', 'what', '?']), 'Wait... what?');
  assert.equal(detokenizeEn([]), '');
});

test('tokenize then detokenize round-trips real-looking sentences', () => {
  const sentences = [
    'I read three books at school yesterday.',
    "Don't do that!",
    'He said, "Hello there." Then he left.',
    "Tom's car isn't as fast as Mary's.",
    'It costs $3.50 (about 25 yuan).',
    'Is it 10% off?',
    'We left at 5:30 and came back at 7:15.',
    'She has a 3-year-old daughter.',
    'Read pages 10-20, and/or chapter 2; then rest.',
    'What time is it? I think it is 1,000 meters away...',
    "I'd like a cup of coffee, please.",
    'Where did you buy 3050 books yesterday?',
    '"Why?" she asked.',
    'They are #1 in the world [officially].',
  ];
  for (const s of sentences) assert.equal(detokenizeEn(tokenizeEn(s)), s, `round trip of ${s}`);
});
