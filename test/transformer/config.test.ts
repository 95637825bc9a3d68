import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTranslationModel } from '../../src/models/translation/registry.js';
import { resolveTransformerConfig, TransformerTranslator } from '../../src/models/transformer/index.js';

test('transformer config: defaults, and errors naming the field', () => {
  const c = resolveTransformerConfig({ srcVocabSize: 10, tgtVocabSize: 12 });
  assert.deepEqual([c.dModel, c.heads, c.encoderLayers, c.decoderLayers, c.dFf, c.normFirst, c.tieOutput, c.shareEmbeddings], [256, 4, 3, 3, 1024, true, true, false]);
  assert.throws(() => resolveTransformerConfig({ srcVocabSize: 10, tgtVocabSize: 12, dModel: 30, heads: 4 }), /dModel \(30\) must be a multiple of heads \(4\)/);
  assert.throws(() => resolveTransformerConfig({ srcVocabSize: 10, tgtVocabSize: 12, dropout: 1 }), /dropout must be in \[0, 1\), got 1/);
  assert.throws(() => resolveTransformerConfig({ srcVocabSize: 10, tgtVocabSize: 12, positions: 'rotary' as never }), /positions must be 'sinusoidal' or 'learned', got 'rotary'/);
  assert.throws(() => resolveTransformerConfig({ srcVocabSize: 10, tgtVocabSize: 12, shareEmbeddings: true }), /shareEmbeddings needs a joint vocabulary, but srcVocabSize 10 != tgtVocabSize 12/);
  assert.throws(() => createTranslationModel({ kind: 'transformer', srcVocabSize: 10, tgtVocabSize: 12, hiddenSize: 8 }), /unknown key 'hiddenSize' in a 'transformer' model config/);
});

test('transformer parameters: torch names under transformer., tied output (one matrix), shared embeddings (one table), learned positions', () => {
  const small = { srcVocabSize: 10, tgtVocabSize: 10, dModel: 8, heads: 2, encoderLayers: 1, decoderLayers: 1, dFf: 16 };
  const names = (m: TransformerTranslator) => m.namedParameters().map(([k]) => k);
  const tied = names(new TransformerTranslator(small));
  assert.ok(tied.includes('src_embed.weight') && tied.includes('tgt_embed.weight') && tied.includes('out_bias'));
  assert.ok(tied.includes('transformer.encoder.layers.0.self_attn.in_proj_weight') && tied.includes('transformer.decoder.norm.weight'));
  assert.ok(!tied.some((k) => k.startsWith('out_proj')));
  const untied = names(new TransformerTranslator({ ...small, tieOutput: false }));
  assert.ok(untied.includes('out_proj.weight') && !untied.includes('out_bias'));
  const shared = new TransformerTranslator({ ...small, shareEmbeddings: true, positions: 'learned' });
  assert.ok(names(shared).includes('embed.weight') && !names(shared).includes('src_embed.weight'));
  assert.ok(names(shared).includes('positions.weight'));
  // one table for both sides: the tied output layer reads it too, and it is counted once
  assert.equal(shared.numParameters(), new TransformerTranslator({ ...small, positions: 'learned' }).numParameters() - 10 * 8);
  const batch = { src: Int32Array.from([4, 5, 6]), srcShape: [1, 3] as const, srcLengths: Int32Array.from([3]), tgtIn: Int32Array.from([2, 7]), tgtShape: [1, 2] as const };
  assert.deepEqual(shared.forward(batch).logits.shape, [1, 2, 10]);
  assert.throws(() => shared.forward({ ...batch, tgtShape: [2, 1] }), /source batch 1 but target batch 2/);
});
