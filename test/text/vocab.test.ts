import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Vocab, PAD_ID, UNK_ID, BOS_ID, EOS_ID } from '../../src/text/vocab.js';

const sents = [['b', 'a', 'c'], ['a', 'b', 'd'], ['a', 'e']];

test('specials have fixed ids and order is frequency desc then token', () => {
  const v = Vocab.build(sents);
  assert.deepEqual(v.tokens, ['<pad>', '<unk>', '<s>', '</s>', 'a', 'b', 'c', 'd', 'e']);
  assert.deepEqual([PAD_ID, UNK_ID, BOS_ID, EOS_ID], [0, 1, 2, 3]);
});

test('minFreq and maxSize', () => {
  assert.deepEqual(Vocab.build(sents, { minFreq: 2 }).tokens.slice(4), ['a', 'b']);
  assert.deepEqual(Vocab.build(sents, { maxSize: 5 }).tokens.slice(4), ['a']);
  assert.throws(() => Vocab.build(sents, { maxSize: 2 }), /Vocab.build: maxSize must be >= 4, got 2/);
});

test('encode, count unknowns, decode', () => {
  const v = Vocab.build(sents);
  assert.deepEqual(v.encode(['a', 'zz', 'b'], { bos: true, eos: true }), [2, 4, 1, 5, 3]);
  assert.deepEqual(v.encodeCounted(['zz', 'yy', 'a']), { ids: [1, 1, 4], unknowns: 2 });
  assert.deepEqual(v.decode([2, 4, 1, 5, 3, 6]), ['a', '<unk>', 'b']);
  assert.deepEqual(v.decode([2, 4, 3, 6], { stripSpecials: false, stopAtEos: false }), ['<s>', 'a', '</s>', 'c']);
  assert.throws(() => v.decode([99]), /Vocab.token: id 99 out of range \[0, 9\)/);
});

test('JSON round trip and malformed JSON', () => {
  const v = Vocab.build(sents);
  const back = Vocab.fromJSON(JSON.stringify(v));
  assert.deepEqual(back.tokens, v.tokens);
  assert.throws(() => Vocab.fromJSON('{oops'), /Vocab.fromJSON: invalid JSON/);
  assert.throws(() => Vocab.fromJSON({ type: 'attentive-vocab', version: 1, tokens: ['a'] }), /token 0 must be "<pad>"/);
  assert.throws(() => Vocab.fromJSON({ ...v.toJSON(), tokens: [...v.tokens, 'a'] }), /duplicate token "a"/);
  assert.throws(() => Vocab.fromJSON({ ...v.toJSON(), tokens: [...v.tokens, 3] }), /tokens\[9\] must be a string/);
  assert.throws(() => Vocab.fromJSON({ ...v.toJSON(), version: 2 }), /unsupported version 2/);
});
