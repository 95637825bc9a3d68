/**
 * The Transformer layers beyond parity: incremental decoding with the key/value cache equals the
 * full causal forward, the cache reorders rows, positional encodings, masks, clones and errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as F from '../../src/autograd/ops/index.js';
import { noGrad } from '../../src/autograd/grad-mode.js';
import type { Backend } from '../../src/backend/backend.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { nativeBackend } from '../../src/backend/native/index-node.js';
import { withBackend } from '../../src/backend/registry.js';
import {
  LayerNorm, LearnedPositionalEncoding, MultiheadAttention, SinusoidalPositionalEncoding, Transformer, TransformerDecoder,
  TransformerDecoderLayer, TransformerEncoder, TransformerEncoderLayer, generateSquareSubsequentMask, sinusoidalTable,
} from '../../src/nn/index.js';
import { randn } from '../../src/tensor/creation.js';
import { Generator } from '../../src/tensor/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';

const BACKENDS: Backend[] = nativeBackend ? [jsBackend, nativeBackend] : [jsBackend];

function closeTo(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= tol)) assert.fail(`${what}: element ${i}: ${got[i]} vs ${want[i]} (tolerance ${tol})`);
  }
}

for (const be of BACKENDS) {
  for (const [normFirst, batchFirst] of [[false, false], [true, true]] as const) {
    test(`cached step-by-step decoding equals the full causal forward within 1e-5 (${be.name}, ${normFirst ? 'pre' : 'post'}-LN, ${batchFirst ? 'batch-first' : 'time-major'})`, () => {
      withBackend(be, () => noGrad(() => {
        const g = new Generator(3);
        const E = 16, H = 4, N = 3, S = 7, T = 6;
        const layer = new TransformerDecoderLayer(E, H, { dimFeedforward: 32, normFirst, batchFirst, generator: g });
        const dec = new TransformerDecoder(layer, 2, normFirst ? new LayerNorm(E) : null).eval();
        // distinct weights per layer, as after training
        for (const p of dec.parameters()) for (let i = 0; i < p.size; i++) p.data[i] += 0.05 * g.normal();
        const tShape = batchFirst ? [N, T, E] : [T, N, E];
        const tgt = randn(tShape, { generator: g });
        const memory = randn(batchFirst ? [N, S, E] : [S, N, E], { generator: g });
        const pad = new Tensor(Int32Array.from([0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0]), [N, S]);
        const full = dec.forward(tgt, memory, { tgtMask: generateSquareSubsequentMask(T), memoryKeyPaddingMask: pad });
        const cache = dec.createCache();
        const tdim = batchFirst ? 1 : 0;
        const steps: Tensor[] = [];
        // positions one at a time, then the last two together (a multi-position step)
        for (let t = 0; t < T - 2; t++) steps.push(dec.forwardStep(F.narrow(tgt, tdim, t, 1), memory, cache, { memoryKeyPaddingMask: pad }));
        steps.push(dec.forwardStep(F.narrow(tgt, tdim, T - 2, 2), memory, cache, { memoryKeyPaddingMask: pad }));
        assert.equal(cache.length, T);
        closeTo(F.concat(steps, tdim).values(), full.values(), 1e-5, 'cached vs full');
      }));
    });
  }
}

test('TransformerDecoderCache.reorder picks and repeats batch rows (a beam step) so later steps follow the chosen rows', () => {
  noGrad(() => {
    const g = new Generator(5);
    const E = 8, N = 3, S = 4;
    const dec = new TransformerDecoder(new TransformerDecoderLayer(E, 2, { dimFeedforward: 16, generator: g }), 2).eval();
    const memory = randn([S, N, E], { generator: g });
    const tgt = randn([3, N, E], { generator: g });
    const cache = dec.createCache();
    dec.forwardStep(F.narrow(tgt, 0, 0, 1), memory, cache);
    dec.forwardStep(F.narrow(tgt, 0, 1, 1), memory, cache);
    const order = [2, 0, 0];
    cache.reorder(order);
    const last = F.narrow(tgt, 0, 2, 1);
    const lastPicked = F.indexSelect(last, 1, new Tensor(Int32Array.from(order), [3]));
    const got = dec.forwardStep(lastPicked, memory, cache); // memory unused: cross keys/values are cached
    const full = dec.forward(tgt, memory, { tgtMask: generateSquareSubsequentMask(3) });
    const want = F.indexSelect(F.narrow(full, 0, 2, 1), 1, new Tensor(Int32Array.from(order), [3]));
    closeTo(got.values(), want.values(), 1e-5, 'reordered step');
    assert.throws(() => cache.reorder([3]), /TransformerDecoderCache\.reorder: index 3 is outside the batch of 3/);
  });
});

test('MultiheadAttention.forward equals projectKeyValue + attend, and a fully padded query row is NaN as in torch', () => {
  noGrad(() => {
    const g = new Generator(1);
    const m = new MultiheadAttention(8, 2, { generator: g });
    const q = randn([3, 2, 8], { generator: g }), kv = randn([4, 2, 8], { generator: g });
    const a = m.forward(q, kv, kv).output.values();
    const b = m.attend(q, m.projectKeyValue(kv, kv)).output.values();
    assert.deepEqual(Array.from(a), Array.from(b));
    const pad = new Tensor(Int32Array.from([1, 1, 1, 1, 0, 0, 0, 0]), [2, 4]);
    const out = m.forward(q, kv, kv, { keyPaddingMask: pad }).output.values();
    assert.ok(Number.isNaN(out[0]) && !Number.isNaN(out[8]));
  });
});

test('MultiheadAttention weights: averaged [N, L, S] or per head [N, H, L, S], rows summing to 1', () => {
  const g = new Generator(2);
  const m = new MultiheadAttention(8, 2, { batchFirst: true, generator: g });
  const q = randn([2, 3, 8], { generator: g }), k = randn([2, 5, 8], { generator: g });
  const avg = m.forward(q, k, k).weights!;
  const per = m.forward(q, k, k, { averageAttnWeights: false }).weights!;
  assert.deepEqual(avg.shape, [2, 3, 5]);
  assert.deepEqual(per.shape, [2, 2, 3, 5]);
  closeTo(F.mean(per, 1).values(), avg.values(), 1e-7, 'mean of heads');
  closeTo(F.sum(avg, -1).values(), new Float32Array(6).fill(1), 1e-6, 'row sums');
  assert.equal(m.forward(q, k, k, { needWeights: false }).weights, null);
});

test('MultiheadAttention has torch\'s parameter names and shapes', () => {
  const same = new MultiheadAttention(8, 2);
  assert.deepEqual(same.namedParameters().map(([n, p]) => `${n}${JSON.stringify(p.shape)}`),
    ['in_proj_weight[24,8]', 'in_proj_bias[24]', 'out_proj.weight[8,8]', 'out_proj.bias[8]']);
  const diff = new MultiheadAttention(8, 2, { kdim: 5, vdim: 3, bias: false });
  assert.deepEqual(diff.namedParameters().map(([n, p]) => `${n}${JSON.stringify(p.shape)}`),
    ['q_proj_weight[8,8]', 'k_proj_weight[8,5]', 'v_proj_weight[8,3]', 'out_proj.weight[8,8]']);
  const tf = new Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 16 });
  const names = tf.namedParameters().map(([n]) => n);
  for (const k of ['encoder.layers.0.self_attn.in_proj_weight', 'encoder.layers.0.linear1.weight', 'encoder.layers.0.norm2.bias', 'encoder.norm.weight',
    'decoder.layers.0.multihead_attn.out_proj.weight', 'decoder.layers.0.norm3.weight', 'decoder.norm.bias']) assert.ok(names.includes(k), k);
  assert.equal(names.length, 12 + 2 + 18 + 2); // as torch: 12 per encoder layer, 18 per decoder layer, two final norms
});

test('TransformerEncoder copies its layer (same values, separate parameters); dropout makes training outputs differ from eval', () => {
  const layer = new TransformerEncoderLayer(8, 2, { dimFeedforward: 16, generator: new Generator(1) });
  const enc = new TransformerEncoder(layer, 2);
  const [a, b] = [enc.layers.at(0), enc.layers.at(1)];
  assert.deepEqual(Array.from(a.linear1.weight.data), Array.from(b.linear1.weight.data));
  assert.notEqual(a.linear1.weight, b.linear1.weight);
  const x = randn([4, 2, 8], { generator: new Generator(2) });
  const train = enc.forward(x).values();
  const ev = enc.eval().forward(x).values();
  assert.notDeepEqual(Array.from(train), Array.from(ev));
});

test('generateSquareSubsequentMask is torch\'s: -inf above the diagonal', () => {
  assert.deepEqual(Array.from(generateSquareSubsequentMask(3).data), [0, -Infinity, -Infinity, 0, 0, -Infinity, 0, 0, 0]);
  assert.equal(Transformer.generateSquareSubsequentMask(2).data[1], -Infinity);
});

test('sinusoidal positions follow the formula; offsets shift them; learned ones are trained parameters', () => {
  const t = sinusoidalTable(50, 6).data;
  for (const [p, i] of [[0, 0], [7, 2], [49, 4]]) {
    const a = p / Math.pow(10000, i / 6);
    assert.ok(Math.abs(t[p * 6 + i] - Math.sin(a)) < 1e-6 && Math.abs(t[p * 6 + i + 1] - Math.cos(a)) < 1e-6);
  }
  const pe = new SinusoidalPositionalEncoding(6, { maxLen: 50 });
  const x = randn([4, 2, 6], { generator: new Generator(1) });
  const y = pe.forward(x).values(), shifted = pe.forward(F.narrow(x, 0, 2, 2), 2).values();
  closeTo(shifted, y.subarray(2 * 12), 0, 'offset 2');
  assert.equal(pe.stateDict().pe, undefined, 'the table is not saved');
  const learned = new LearnedPositionalEncoding(10, 6, { batchFirst: true, generator: new Generator(2) });
  const xb = randn([2, 3, 6], { generator: new Generator(3) }).requiresGrad_();
  F.sum(learned.forward(xb)).backward();
  const gw = learned.weight.grad!.values();
  assert.equal(gw[0], 2); // row 0 added to both batch rows
  assert.equal(gw[3 * 6], 0); // row 3 unused
  assert.throws(() => pe.forward(x, 48), /SinusoidalPositionalEncoding: positions \[48, 52\) exceed maxLen 50/);
});

test('layers name the shapes and settings they cannot use', () => {
  assert.throws(() => new MultiheadAttention(10, 3), /MultiheadAttention: embedDim \(10\) must be a positive multiple of numHeads \(3\)/);
  const m = new MultiheadAttention(8, 2);
  const x = randn([3, 2, 8]);
  assert.throws(() => m.forward(randn([3, 2, 6]), x, x), /MultiheadAttention\(8, 2\): query must be \[T, N, 8\], got \[3, ?2, ?6\]/);
  assert.throws(() => m.forward(x, x, x, { attnMask: randn([3, 4]) }), /attnMask must be \[3, 3\] or \[4, 3, 3\], got \[3, ?4\]/);
  assert.throws(() => m.forward(x, x, x, { keyPaddingMask: randn([3, 3]) }), /keyPaddingMask must be \[2, 3\], got \[3, ?3\]/);
  assert.throws(() => new TransformerEncoderLayer(8, 2, { activation: 'tanh' as 'relu' }), /activation must be 'relu' or 'gelu', got 'tanh'/);
  assert.throws(() => new Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1 }).forward(randn([3, 2, 8]), randn([4, 3, 8])),
    /Transformer: src \[3, ?2, ?8\] and tgt \[4, ?3, ?8\] must have the same batch size/);
});

test('forwardStep keeps per-head cross-attention weights equal to the full computation\'s (for pictures of cached decoding)', () => {
  noGrad(() => {
    const g = new Generator(8);
    const E = 8, N = 2, S = 5, T = 3;
    const dec = new TransformerDecoder(new TransformerDecoderLayer(E, 2, { dimFeedforward: 16, generator: g }), 2).eval();
    const memory = randn([S, N, E], { generator: g }), tgt = randn([T, N, E], { generator: g });
    const full = dec.layers.at(0).crossAttentionWeights(tgt, memory, { tgtMask: generateSquareSubsequentMask(T), averageAttnWeights: false });
    assert.deepEqual(full.shape, [N, 2, T, S]);
    const cache = dec.createCache();
    for (let t = 0; t < T; t++) {
      dec.forwardStep(F.narrow(tgt, 0, t, 1), memory, cache, { needWeights: true });
      const w = cache.layers[0].crossWeights!;
      assert.deepEqual(w.shape, [N, 2, 1, S]);
      closeTo(w.values(), F.contiguous(F.narrow(full, 2, t, 1)).values(), 1e-6, `step ${t}`);
    }
    dec.forwardStep(F.narrow(tgt, 0, 0, 1), memory, dec.createCache());
    assert.equal(dec.createCache().layers[0].crossWeights, undefined);
  });
});

test('MultiheadAttention: the joint projection of self-attention (and of keys = values) equals separate projections, values and gradients, in every layout', () => {
  for (const be of BACKENDS) {
    withBackend(be, () => {
      for (const [batchFirst, shape] of [[false, [4, 3, 8]], [true, [3, 4, 8]], [false, [4, 8]]] as const) {
        const m = new MultiheadAttention(8, 2, { batchFirst, generator: new Generator(4) });
        const x0 = randn(shape.slice(), { generator: new Generator(5) });
        const run = (joint: boolean) => {
          m.zeroGrad();
          const x = x0.detach().requiresGrad_();
          // distinct tensor objects with the same values take the separate path
          const k = joint ? x : F.mul(x, 1), v = joint ? x : F.add(x, 0);
          const cross = m.forward(F.mul(x, 0.5), k, k, { needWeights: false }).output; // keys = values
          const self = m.forward(x, k, v, { attnMask: generateSquareSubsequentMask(batchFirst ? shape[1] : shape[0]) }).output;
          F.sum(F.mul(F.add(self, cross), randn(self.shape.slice(), { generator: new Generator(6) }))).backward();
          return [self.values(), cross.values(), x.grad!.values(), m.in_proj_weight!.grad!.values(), m.in_proj_bias!.grad!.values()];
        };
        const a = run(true), b = run(false);
        a.forEach((arr, i) => closeTo(arr, b[i], 1e-5, `${be.name} ${JSON.stringify(shape)} part ${i}`));
      }
    });
  }
});
