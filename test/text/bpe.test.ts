import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Bpe } from '../../src/text/bpe.js';

function corpus(): string[][] {
  const c: string[][] = [];
  for (let i = 0; i < 5; i++) c.push(['low']);
  for (let i = 0; i < 2; i++) c.push(['lower']);
  for (let i = 0; i < 6; i++) c.push(['newest']);
  for (let i = 0; i < 3; i++) c.push(['widest']);
  return c;
}

test('learns the hand-computed merges, ties broken by the pair', () => {
  const bpe = Bpe.learn(corpus(), { numMerges: 10 });
  assert.deepEqual(bpe.merges, [
    ['e', 's'],
    ['es', 't</w>'],
    ['l', 'o'],
    ['e', 'w'],
    ['ew', 'est</w>'],
    ['n', 'ewest</w>'],
    ['lo', 'w</w>'],
    ['d', 'est</w>'],
    ['i', 'dest</w>'],
    ['w', 'idest</w>'],
  ]);
});

test('stops at minFrequency and is independent of corpus order', () => {
  const all = Bpe.learn(corpus(), { numMerges: 100 });
  // After the ten above only "lower" (count 2) is left: e+r</w>, lo+w, low+er</w>.
  assert.equal(all.merges.length, 13);
  assert.deepEqual(all.merges.slice(10), [['e', 'r</w>'], ['lo', 'w'], ['low', 'er</w>']]);
  const strict = Bpe.learn(corpus(), { numMerges: 100, minFrequency: 3 });
  assert.equal(strict.merges.length, 10);
  const reversed = Bpe.learn(corpus().reverse(), { numMerges: 100 });
  assert.deepEqual(reversed.merges, all.merges);
});

test('encodes unseen words and decodes back', () => {
  const bpe = Bpe.learn(corpus(), { numMerges: 10 });
  assert.deepEqual(bpe.encodeWord('lowest'), ['lo', 'w', 'est</w>']);
  assert.deepEqual(bpe.encodeWord('newest'), ['newest</w>']);
  const words = ['lowest', 'newer', 'wider', 'x'];
  const units = bpe.encode(words);
  assert.ok(units.length > words.length);
  assert.deepEqual(bpe.decode(units), words);
});

test('works on Chinese words', () => {
  const sents = [['我们', '学校'], ['我们', '学生'], ['学校', '我']];
  const bpe = Bpe.learn(sents, { numMerges: 5 });
  assert.deepEqual(bpe.merges[0], ['学', '校</w>']);
  assert.deepEqual(bpe.decode(bpe.encode(['学生们', '我们'])), ['学生们', '我们']);
});

test('JSON round trip and validation', () => {
  const bpe = Bpe.learn(corpus(), { numMerges: 10 });
  const back = Bpe.fromJSON(JSON.parse(JSON.stringify(bpe)));
  assert.deepEqual(back.merges, bpe.merges);
  assert.deepEqual(back.encode(['lowest']), bpe.encode(['lowest']));
  assert.throws(() => Bpe.fromJSON({ type: 'x' }), /Bpe.fromJSON: expected an object/);
  assert.throws(() => Bpe.fromJSON({ ...bpe.toJSON(), merges: [['a']] }), /merges\[0\]/);
  assert.throws(() => Bpe.learn([], { numMerges: -1 }), /numMerges must be/);
});
