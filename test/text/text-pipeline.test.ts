import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TextPipeline } from '../../src/text/text-pipeline.js';
import type { Tokenizer } from '../../src/text/tokenizer.js';
import { UNK_ID } from '../../src/text/vocab.js';

/** Space-separated "words" stand in for jieba's. */
const spaces: Tokenizer = { name: 'spaces', tokenize: (s) => s.split(' ').filter(Boolean), detokenize: (t) => t.join(' ') };
const pairs = [
  { zh: '我们 喜欢 苹果', en: 'We like apples.' },
  { zh: '他们 喜欢 香蕉', en: 'They like bananas.' },
  { zh: '我们 吃 苹果', en: 'We eat apples.' },
  { zh: '他们 吃 苹果', en: 'They eat apples.' },
];

test('BPE on the source side: a word never seen whole is read as known pieces, not <unk>; the state round-trips', () => {
  const plain = TextPipeline.learn({ srcTokenizer: 'word', lowercase: false, bpeMerges: 0 }, spaces, pairs);
  const bpe = TextPipeline.learn({ srcTokenizer: 'word', lowercase: false, bpeMerges: 0, srcBpeMerges: 20 }, spaces, pairs);
  // 我们们 is not a training word: whole-word vocabulary -> <unk>; BPE -> pieces it knows
  assert.deepEqual(plain.encodeSrc('我们们 吃').ids.slice(0, 1), [UNK_ID]);
  const enc = bpe.encodeSrc('我们们 吃');
  assert.equal(enc.unknowns, 0, `pieces ${enc.tokens.join(' ')}`);
  assert.ok(enc.tokens.length > 2, 'the unseen word is split');
  assert.deepEqual(bpe.srcTokens('我们 喜欢'), ['我们</w>', '喜欢</w>'], 'frequent words are merged whole');
  const back = TextPipeline.fromState(JSON.parse(JSON.stringify(bpe.state())), spaces);
  assert.deepEqual(back.encodeSrc('我们们 吃 香蕉').ids, bpe.encodeSrc('我们们 吃 香蕉').ids);
  assert.equal(plain.state().srcBpe, null);
  // the target side is unchanged by the source merges
  assert.deepEqual(bpe.encodeTgt('We like apples.'), plain.encodeTgt('We like apples.'));
});

test('jointVocab: one table for both sides (source ids unchanged, English words appended once), kept through the saved state; an edited state is refused', () => {
  const mixed = [...pairs, { zh: '我们 3 个', en: 'We 3.' }]; // '3' on both sides: one entry
  const separate = TextPipeline.learn({ srcTokenizer: 'word', lowercase: false, bpeMerges: 0 }, spaces, mixed);
  const joint = TextPipeline.learn({ srcTokenizer: 'word', lowercase: false, bpeMerges: 0, jointVocab: true }, spaces, mixed);
  assert.equal(joint.srcVocab, joint.tgtVocab);
  assert.equal(joint.srcVocab.tokens.filter((t) => t === '3').length, 1);
  assert.equal(joint.srcVocab.size, separate.srcVocab.size + separate.tgtVocab.size - 4 - 1);
  assert.deepEqual(joint.encodeSrc('我们 吃 苹果').ids, separate.encodeSrc('我们 吃 苹果').ids);
  const ids = joint.encodeTgt('They eat bananas.');
  assert.ok(!ids.includes(UNK_ID));
  assert.equal(joint.decodeTgt(ids), 'They eat bananas.');
  assert.ok(ids.every((id) => id >= separate.srcVocab.size || id === joint.srcVocab.id('3')), 'English words come after the source units');
  const state = JSON.parse(JSON.stringify(joint.state()));
  const back = TextPipeline.fromState(state, spaces);
  assert.equal(back.srcVocab, back.tgtVocab);
  assert.deepEqual(back.encodeTgt('They eat bananas.'), ids);
  state.tgtVocab.tokens.pop();
  assert.throws(() => TextPipeline.fromState(state, spaces), /jointVocab.*differ/);
});
