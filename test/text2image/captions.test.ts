import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultCaptionVocab, encodeCaptions, prepareCaption, T2I_PAD } from '../../src/models/text2image/captions.js';

const vocab = defaultCaptionVocab();

test('prepareCaption: rewrites the caption in the grammar\'s own words and returns its cells', () => {
  const p = prepareCaption('A seven at the top left, and an eight in the middle center.', vocab);
  assert.deepEqual(p.words, 'a seven in the top left and an eight in the center'.split(' '));
  assert.deepEqual(p.cells, [7, null, null, null, 8, null, null, null, null]);
});

test('prepareCaption: an unknown word, a misplaced word, an empty caption and a cell named twice are refused, naming the problem', () => {
  assert.throws(() => prepareCaption('a seven in the top lft', vocab, 'draw'), /^Error: draw: cannot draw "a seven in the top lft": parseCaption: unknown word "lft"/);
  assert.throws(() => prepareCaption('a seven in the left', vocab, 'draw'), /draw: .*expected a position .* got "left"/);
  assert.throws(() => prepareCaption('   ', vocab, 'draw'), /draw: .*empty caption/);
  assert.throws(() => prepareCaption('a one in the center and a two in the center', vocab, 'draw'), /draw: .*center cell is named twice/);
});

test('prepareCaption: a grammatical word missing from the model\'s vocabulary is named', () => {
  const small = vocab.filter((w) => w !== 'nine');
  assert.throws(() => prepareCaption('a nine in the center', small, 'draw'), /^Error: draw: the word "nine" of "a nine in the center" is not in the model's vocabulary$/);
});

test('encodeCaptions: ids by vocabulary position, right-padded with 0, lengths per caption', () => {
  const { tokens, lengths } = encodeCaptions([['a', 'one'], ['an', 'eight', 'in']], vocab);
  assert.equal(vocab[0], T2I_PAD);
  assert.deepEqual(tokens.shape, [2, 3]);
  assert.deepEqual([...tokens.values()], [vocab.indexOf('a'), vocab.indexOf('one'), 0, vocab.indexOf('an'), vocab.indexOf('eight'), vocab.indexOf('in')]);
  assert.deepEqual(lengths, [2, 3]);
  assert.throws(() => encodeCaptions([['a', 'dog']], vocab), /encodeCaptions: the word "dog" \(caption 0\) is not in the vocabulary/);
  assert.throws(() => encodeCaptions([], vocab), /encodeCaptions: no captions/);
});
