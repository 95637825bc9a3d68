/**
 * Float64 gradient checks with PyTorch's tolerances (eps 1e-6, atol 1e-5, rtol 1e-3) of the
 * attention layers, through inputs and every parameter (modules converted with .to('float64')):
 * MultiheadAttention (packed self-attention, packed cross-attention keys/values, separate
 * kdim/vdim projections, bool and additive masks, the weights too), the Transformer encoder and
 * decoder layers (post-LN ReLU, pre-LN GELU), cached decoding steps, nn.Transformer and the
 * positional encodings. The ops under them are checked in test/autograd (attention, layer-norm).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as F from '../../src/autograd/ops/index.js';
import {
  generateSquareSubsequentMask, LearnedPositionalEncoding, MultiheadAttention, SinusoidalPositionalEncoding, Transformer,
  TransformerDecoderCache, TransformerDecoderLayer, TransformerEncoderLayer,
} from '../../src/nn/index.js';
import { randn } from '../../src/tensor/creation.js';
import { Generator } from '../../src/tensor/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { checkModule } from './check-module.js';

const gen = (s: number) => new Generator(s);
const x64 = (shape: number[], seed: number) => randn(shape, { generator: gen(seed), dtype: 'float64' });
const flat = (...ts: (Tensor | null | undefined)[]) => F.concat(ts.filter((t): t is Tensor => !!t).map((t) => F.reshape(t, [-1])), 0);
/** Key padding [N, S] (int32, nonzero = padding) with the last pad[n] keys of sequence n masked. */
const padding = (pad: number[], S: number) => new Tensor(Int32Array.from({ length: pad.length * S }, (_, i) => (i % S >= S - pad[Math.floor(i / S)] ? 1 : 0)), [pad.length, S]);


test('gradcheck64: MultiheadAttention, packed self-attention and cross-attention, masks', () => {
  const mha = new MultiheadAttention(6, 2, { generator: gen(1) });
  const attnMask = x64([3, 3], 2);
  const pad = padding([0, 1], 3);
  checkModule(mha, (x) => {
    const r = mha.forward(x, x, x, { attnMask, keyPaddingMask: pad, averageAttnWeights: false });
    assert.ok(r.weights && !r.weights.requiresGrad, 'the returned weights carry no gradient (documented)');
    return r.output;
  }, [x64([3, 2, 6], 3)]);
  // cross-attention: key and value are one tensor (one packed projection), the query another
  const cross = new MultiheadAttention(6, 3, { generator: gen(4), batchFirst: true });
  checkModule(cross, (q, mem) => {
    return cross.forward(q, mem, mem, { keyPaddingMask: padding([2, 0], 4), attnMask: generateSquareSubsequentMask(4).to('float64') }).output;
  }, [x64([2, 4, 6], 5), x64([2, 4, 6], 6)]);
});

test('gradcheck64: MultiheadAttention with kdim/vdim (separate projections), unbatched, no bias', () => {
  const mha = new MultiheadAttention(4, 2, { kdim: 3, vdim: 5, generator: gen(7) });
  checkModule(mha, (q, k, v) => mha.forward(q, k, v, { keyPaddingMask: padding([1], 3) }).output,
    [x64([2, 1, 4], 8), x64([3, 1, 3], 9), x64([3, 1, 5], 10)]);
  const nb = new MultiheadAttention(4, 1, { bias: false, generator: gen(11) });
  checkModule(nb, (x, m) => nb.forward(x, m, m).output, [x64([3, 4], 12), x64([2, 4], 13)]);
});

test('gradcheck64: TransformerEncoderLayer and TransformerDecoderLayer, post-LN ReLU and pre-LN GELU', () => {
  for (const [normFirst, activation] of [[false, 'relu'], [true, 'gelu']] as const) {
    const o = { dimFeedforward: 5, dropout: 0, normFirst, activation, generator: gen(14) };
    const enc = new TransformerEncoderLayer(4, 2, o);
    checkModule(enc, (x) => enc.forward(x, { srcKeyPaddingMask: padding([0, 1], 3) }), [x64([3, 2, 4], 15)]);
    const dec = new TransformerDecoderLayer(4, 2, o);
    checkModule(dec, (t, m) => dec.forward(t, m, { tgtMask: generateSquareSubsequentMask(3), memoryKeyPaddingMask: padding([1, 0], 2) }),
      [x64([3, 2, 4], 16), x64([2, 2, 4], 17)]);
  }
});

test('gradcheck64: cached decoding steps (forwardStep, a beam reorder) through the new positions, the memory and the parameters', () => {
  const dec = new TransformerDecoderLayer(4, 2, { dimFeedforward: 5, dropout: 0, normFirst: true, generator: gen(18) });
  checkModule(dec, (t, m) => {
    const cache = new TransformerDecoderCache(1);
    const a = dec.forwardStep(F.narrow(t, 0, 0, 2), m, cache.layers[0]);
    const b = dec.forwardStep(F.narrow(t, 0, 2, 1), m, cache.layers[0]);
    // a beam step: rows reordered and repeated, then one more position
    const index = [1, 0, 1];
    cache.reorder(index);
    const m3 = F.indexSelect(m, 1, new Tensor(Int32Array.from(index), [3]));
    const c = dec.forwardStep(F.indexSelect(F.narrow(t, 0, 1, 1), 1, new Tensor(Int32Array.from([0, 1, 1]), [3])), m3, cache.layers[0]);
    return flat(a, b, c);
  }, [x64([3, 2, 4], 19), x64([2, 2, 4], 20)]);
});

test('gradcheck64: nn.Transformer (encoder and decoder stacks with final norms) and positional encodings', () => {
  const tf = new Transformer({ dModel: 4, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 2, dimFeedforward: 3, dropout: 0, batchFirst: true, generator: gen(21) });
  const pe = new SinusoidalPositionalEncoding(4, { maxLen: 8, batchFirst: true });
  pe.to('float64');
  checkModule(tf, (s, t) => {
    const cache = new TransformerDecoderCache(2);
    const full = tf.forward(pe.forward(s), pe.forward(t), { tgtMask: generateSquareSubsequentMask(2) });
    const memory = tf.encoder.forward(pe.forward(s));
    const step = tf.decoder.forwardStep(pe.forward(F.narrow(t, 1, 0, 1)), memory, cache);
    return flat(full, step);
  }, [x64([1, 3, 4], 22), x64([1, 2, 4], 23)]);
  const learned = new LearnedPositionalEncoding(5, 3, { generator: gen(24) });
  checkModule(learned, (x) => learned.forward(x, 2), [x64([2, 1, 3], 25)]);
});
