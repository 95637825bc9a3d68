/**
 * The Transformer translator in float64: the teacher-forced loss (label-smoothed cross-entropy
 * over padded batches) passes PyTorch's gradient check through every parameter, for tied and
 * untied output layers, separate and shared embeddings, sinusoidal and learned positions, post-
 * and pre-LN; and the cached step model scores equal the full forward in float64.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as F from '../../src/autograd/ops/index.js';
import { gradcheck } from '../../src/autograd/gradcheck.js';
import { noGrad } from '../../src/autograd/grad-mode.js';
import { TransformerTranslator, type TransformerTranslatorOptions } from '../../src/models/transformer/index.js';
import type { TranslationBatch } from '../../src/models/translation/model.js';
import { crossEntropy } from '../../src/nn/losses.js';
import { manualSeed } from '../../src/tensor/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';

// two sources (the second padded), two targets (the second padded)
const BATCH: TranslationBatch = {
  src: Int32Array.from([3, 4, 5, 6, 0, 0]), srcShape: [2, 3], srcLengths: Int32Array.from([3, 1]),
  tgtIn: Int32Array.from([1, 5, 6, 1, 4, 0]), tgtShape: [2, 3],
};
const TGT_OUT = new Tensor(Int32Array.from([5, 6, 2, 4, 2, 0]), [6]);

function model(o: Partial<TransformerTranslatorOptions>): TransformerTranslator {
  manualSeed(4);
  return new TransformerTranslator({
    srcVocabSize: 7, tgtVocabSize: 7, dModel: 4, heads: 2, encoderLayers: 1, decoderLayers: 1, dFf: 3, dropout: 0, maxLen: 6, ...o,
  }).to('float64');
}

const loss = (m: TransformerTranslator) => {
  const logits = m.forward(BATCH).logits;
  return crossEntropy(F.reshape(logits, [6, 7]), TGT_OUT, { ignoreIndex: 0, labelSmoothing: 0.1 });
};

const variants: [string, Partial<TransformerTranslatorOptions>][] = [
  ['post-LN, tied output, sinusoidal positions', {}],
  ['pre-LN GELU, shared embeddings, learned positions, untied output', { normFirst: true, activation: 'gelu', shareEmbeddings: true, positions: 'learned', tieOutput: false }],
];

for (const [name, o] of variants) {
  test(`gradcheck64: the Transformer translator's loss through every parameter (${name})`, () => {
    const m = model(o);
    const params = m.parameters();
    assert.ok(loss(m).dtype === 'float64');
    gradcheck(() => loss(m), params);
    for (const p of params) assert.equal(p.grad?.dtype, 'float64');
  });
}

test('float64: the cached step model scores the teacher-forced prefix as the full forward does', () => {
  const m = model({ normFirst: true });
  m.eval();
  const full = noGrad(() => F.logSoftmax(m.forward(BATCH).logits, -1)).values(); // (2, 3, 7)
  const sm = m.stepModel(new Tensor(BATCH.src, [2, 3]), BATCH.srcLengths);
  let state = sm.start(2);
  for (let t = 0; t < 3; t++) {
    const r = sm.step(state, Int32Array.from([BATCH.tgtIn[t], BATCH.tgtIn[3 + t]]));
    const lp = r.logProbs;
    for (let b = 0; b < 2; b++) {
      if (BATCH.tgtIn[b * 3 + t] === 0) continue;
      for (let v = 0; v < 7; v++) {
        const want = full[(b * 3 + t) * 7 + v], got = lp[b * 7 + v];
        if (got === -Infinity) continue; // padding and <s> are banned from the search
        assert.ok(Math.abs(got - want) <= 1e-12, `step ${t} row ${b} token ${v}: ${got} vs ${want}`);
      }
    }
    state = r.state;
  }
});
