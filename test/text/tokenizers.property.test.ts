/** Property-based tests: the tokenizers and BPE on hostile Unicode never crash and keep their promises. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Bpe, END_OF_WORD } from '../../src/text/bpe.js';
import { detokenizeEn, tokenizeEn } from '../../src/text/en-tokenizer.js';
import { tokenizeZhWords } from '../../src/text/jieba-node.js';
import { detokenizeZhChars, tokenizeZhChars } from '../../src/text/zh-char-tokenizer.js';
import { hostileLine, hostileText } from '../helpers/unicode-arbitrary.js';

const RUNS = { numRuns: 300, seed: 13 };
const noWhitespace = (t: string) => t.length > 0 && !/\s/u.test(t);

test('zh-char tokenizer: tokens are the non-space code points (ASCII words whole); detokenize then tokenize is the identity', () => {
  fc.assert(fc.property(hostileLine, (s) => {
    const tokens = tokenizeZhChars(s);
    assert.ok(tokens.every(noWhitespace));
    assert.equal(tokens.join(''), s.replace(/\s/gu, ''));
    assert.deepEqual(tokenizeZhChars(detokenizeZhChars(tokens)), tokens);
  }), RUNS);
});

test('English 13a tokenizer: no empty or whitespace-holding tokens; stable under detokenize + tokenize of its own output twice', () => {
  fc.assert(fc.property(hostileLine, fc.boolean(), (s, lowercase) => {
    const tokens = tokenizeEn(s, { lowercase });
    assert.ok(tokens.every(noWhitespace), JSON.stringify(tokens.filter((t) => !noWhitespace(t))));
    const again = tokenizeEn(detokenizeEn(tokens), { lowercase });
    assert.ok(again.every(noWhitespace));
    assert.equal(typeof detokenizeEn(again), 'string');
  }), RUNS);
});

test('jieba word tokenizer: no crash; tokens cover the non-space text in order', () => {
  fc.assert(fc.property(hostileLine, (s) => {
    const tokens = tokenizeZhWords(s);
    assert.ok(tokens.every((t) => t.length > 0 && t === t.trim()));
    assert.equal(tokens.join('').replace(/\s/gu, ''), s.replace(/\s/gu, ''));
  }), { ...RUNS, numRuns: 150 });
});

test('BPE: learned on hostile words, every word encodes to units that decode back to it', () => {
  const words = fc.array(hostileText(6).map((s) => s.split(/\s+/u).filter((w) => w.length > 0)), { maxLength: 30 }).map((ss) => ss.filter((w) => w.length > 0));
  fc.assert(fc.property(words, fc.integer({ min: 0, max: 60 }), (sentences, numMerges) => {
    const bpe = Bpe.learn(sentences, { numMerges, minFrequency: 1 });
    assert.ok(bpe.merges.length <= numMerges);
    for (const [a, b] of bpe.merges) assert.ok(a.length > 0 && b.length > 0);
    const round = Bpe.fromJSON(JSON.parse(JSON.stringify(bpe.toJSON())));
    for (const ws of sentences) {
      const units = bpe.encode(ws);
      assert.ok(units.every((u) => u.length > 0));
      assert.equal(units.filter((u) => u.endsWith(END_OF_WORD)).length, ws.length, JSON.stringify({ ws, units }));
      assert.deepEqual(bpe.decode(units), ws);
      assert.deepEqual(round.encode(ws), units);
    }
  }), RUNS);
});

test('BPE on one 10,000-character word and on empty input', () => {
  const long = 'ab👍e\u0301'.repeat(2000);
  const bpe = Bpe.learn([[long], [long]], { numMerges: 50 });
  assert.deepEqual(bpe.decode(bpe.encode([long])), [long]);
  assert.deepEqual(Bpe.learn([], { numMerges: 10 }).merges, []);
  assert.deepEqual(Bpe.learn([[''], []], { numMerges: 10 }).encode(['']), []);
});
