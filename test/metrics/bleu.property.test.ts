/** Property-based tests: BLEU and chrF on hostile Unicode never crash and stay within their range. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { corpusBleu, preprocessBleuSegment, sentenceBleu } from '../../src/metrics/bleu.js';
import { splitWhitespace } from '../../src/metrics/whitespace.js';
import { corpusChrf } from '../../src/metrics/chrf.js';
import { getTokenizer, TOKENIZER_NAMES } from '../../src/metrics/tokenizers.js';
import { hostileLine } from '../helpers/unicode-arbitrary.js';

const RUNS = { numRuns: 200, seed: 7 };
const tokenizer = fc.constantFrom(...TOKENIZER_NAMES);
const corpus = fc.array(hostileLine, { minLength: 1, maxLength: 6 });

test('every BLEU tokenizer: no crash, deterministic, tokens hold no (Python) whitespace', () => {
  fc.assert(fc.property(hostileLine, tokenizer, (s, name) => {
    const out = getTokenizer(name)(s);
    assert.equal(typeof out, 'string');
    assert.equal(getTokenizer(name)(s), out);
    for (const t of splitWhitespace(out)) assert.deepEqual(splitWhitespace(t), [t]);
  }), RUNS);
});

test('corpus BLEU of random hypotheses and references is a number in [0, 100]; a corpus against itself scores 100 or has no 4-gram', () => {
  fc.assert(fc.property(corpus, corpus, tokenizer, fc.boolean(), (hyps, refs, tokenize, lowercase) => {
    const n = Math.min(hyps.length, refs.length);
    const h = hyps.slice(0, n), r = refs.slice(0, n);
    const b = corpusBleu(h, [r], { tokenize, lowercase });
    assert.ok(Number.isFinite(b.score) && b.score >= 0 && b.score <= 100, String(b.score));
    const self = corpusBleu(r, [r], { tokenize, lowercase });
    const has4gram = r.some((line) => splitWhitespace(preprocessBleuSegment(line, tokenize, lowercase)).length >= 4);
    if (has4gram) assert.ok(Math.abs(self.score - 100) < 1e-9, `self-BLEU ${self.score}`);
    const s = sentenceBleu(h[0]!, [r[0]!], { tokenize, lowercase });
    assert.ok(Number.isFinite(s.score) && s.score >= 0 && s.score <= 100, String(s.score));
  }), RUNS);
});

test('chrF of random text is a number in [0, 100]; a text against itself scores 100 unless it has no characters', () => {
  fc.assert(fc.property(corpus, corpus, (hyps, refs) => {
    const n = Math.min(hyps.length, refs.length);
    const c = corpusChrf(hyps.slice(0, n), [refs.slice(0, n)]);
    assert.ok(Number.isFinite(c.score) && c.score >= 0 && c.score <= 100, String(c.score));
    const self = corpusChrf(refs, [refs]);
    if (refs.some((l) => l.replace(/\s/gu, '').length > 0)) assert.ok(Math.abs(self.score - 100) < 1e-9, `self-chrF ${self.score}`);
  }), { ...RUNS, numRuns: 100 });
});
