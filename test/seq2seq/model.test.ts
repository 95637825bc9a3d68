import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as F from '../../src/autograd/ops/index.js';
import { gradcheck } from '../../src/autograd/gradcheck.js';
import { Attention, paddingMask, sequenceLogProbs } from '../../src/models/seq2seq/index.js';
import { randn } from '../../src/tensor/creation.js';
import { manualSeed } from '../../src/tensor/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { tinyBatch, tinyModel, VARIANTS } from './helpers.js';

for (const v of VARIANTS) {
  test(`${v.name}: forward shapes and finite values`, () => {
    const m = tinyModel(v.config);
    const out = m.forward(tinyBatch());
    assert.deepEqual(out.logits.shape, [2, 4, 9]);
    for (const x of out.logits.values()) assert.ok(Number.isFinite(x));
    if (v.config.model === 'attention') {
      assert.deepEqual(out.attention!.shape, [2, 4, 4]);
      const a = out.attention!.values();
      for (let r = 0; r < 8; r++) {
        const row = Array.from(a.subarray(r * 4, r * 4 + 4));
        assert.ok(Math.abs(row.reduce((s, x) => s + x, 0) - 1) < 1e-5, 'attention rows sum to 1');
      }
    } else assert.equal(out.attention, null);
  });

  test(`${v.name}: padded source positions get zero attention and do not change outputs`, () => {
    const m = tinyModel(v.config);
    const b = tinyBatch();
    const out = m.forward(b);
    if (out.attention) {
      const a = out.attention.values();
      for (let t = 0; t < 4; t++) {
        assert.equal(a[(1 * 4 + t) * 4 + 2], 0);
        assert.equal(a[(1 * 4 + t) * 4 + 3], 0);
      }
    }
    const b2 = { ...b, src: Int32Array.from([4, 5, 6, 7, 8, 9, 10, 3]) }; // different tokens in the padding
    const out2 = m.forward(b2);
    assert.deepEqual(Array.from(out2.logits.values()), Array.from(out.logits.values()));
  });

  test(`${v.name}: teacher-forced log-probs equal step-by-step log-probs`, () => {
    const m = tinyModel(v.config);
    m.eval();
    const b = tinyBatch();
    const tf = sequenceLogProbs(m.forward(b).logits, b.tgtOut);
    const sm = m.stepModel(new Tensor(b.src, [2, 4]), b.srcLengths);
    let state = sm.start(2);
    const sums = [0, 0];
    for (let t = 0; t < 4; t++) {
      const r = sm.step(state, Int32Array.from([b.tgtIn[t], b.tgtIn[4 + t]]));
      for (let i = 0; i < 2; i++) {
        const y = b.tgtOut[i * 4 + t];
        if (y !== 0) sums[i] += r.logProbs[i * 9 + y];
      }
      state = r.state;
      if (v.config.model === 'attention') assert.deepEqual(state.attention!.shape, [2, 4]);
    }
    for (let i = 0; i < 2; i++) assert.ok(Math.abs(tf[i] - sums[i]) < 1e-4, `sentence ${i}: ${tf[i]} vs ${sums[i]}`);
  });

  test(`${v.name}: select reorders state rows and encoder memory`, () => {
    const m = tinyModel(v.config);
    const b = tinyBatch();
    const sm = m.stepModel(new Tensor(b.src, [2, 4]), b.srcLengths);
    const s0 = sm.step(sm.start(2), Int32Array.from([2, 2])).state;
    const swapped = sm.select(s0, Int32Array.from([1, 0, 1]));
    const next = sm.step(swapped, Int32Array.from([7, 4, 7])).logProbs;
    const ref = sm.step(s0, Int32Array.from([4, 7])).logProbs;
    const row = (x: Float32Array, r: number) => Array.from(x.subarray(r * 9, r * 9 + 9));
    assert.deepEqual(row(next, 0), row(ref, 1));
    assert.deepEqual(row(next, 1), row(ref, 0));
    assert.deepEqual(row(next, 2), row(ref, 1));
  });
}

test('encoder rejects bad lengths with a message naming them', () => {
  const m = tinyModel();
  assert.throws(() => m.forward({ ...tinyBatch(), srcLengths: Int32Array.from([5, 2]) }), /lengths must be in \[1, 4\], got \[5, 2\]/);
});

test('paddingMask marks positions at or past each length', () => {
  assert.deepEqual(Array.from(paddingMask([3, 1], 3).values()), [0, 0, 0, 0, 1, 1]);
});

for (const kind of ['bahdanau', 'luong-general', 'luong-dot'] as const) {
  test(`gradcheck: ${kind} attention, inputs and parameters`, () => {
    manualSeed(5);
    const att = new Attention(kind, 4, 4, 3);
    const mask = paddingMask([3, 2], 3);
    const q = randn([2, 4]).mul(0.5);
    const mem = randn([2, 3, 4]).mul(0.5);
    const f = (query: Tensor, memory: Tensor) => {
      const { context, weights } = att.forward(query, att.keys(memory), memory, mask);
      return F.concat([context, weights], 1); // (2, 4 + 3)
    };
    gradcheck(f, [q, mem]);
    // gradcheck perturbs its inputs in place, so passing a parameter checks the gradient of the weights.
    for (const p of att.parameters()) gradcheck(() => att.forward(q.detach(), att.keys(mem.detach()), mem.detach(), mask).context, [p]);
    assert.equal(att.parameters().length, kind === 'bahdanau' ? 4 : kind === 'luong-general' ? 1 : 0);
  });
}

for (const kind of ['luong-general', 'luong-dot'] as const) {
  test(`${kind}: attention over all steps at once equals step-by-step attention, and gradchecks`, () => {
    manualSeed(6);
    const att = new Attention(kind, 4, 4);
    const mask = paddingMask([3, 2], 3);
    const qs = randn([2, 5, 4]).mul(0.5);
    const mem = randn([2, 3, 4]).mul(0.5);
    const all = att.forwardAll(qs, att.keys(mem), mem, mask);
    assert.deepEqual(all.context.shape, [2, 5, 4]);
    assert.deepEqual(all.weights.shape, [2, 5, 3]);
    for (let t = 0; t < 5; t++) {
      const one = att.forward(F.contiguous(F.select(qs, 1, t)), att.keys(mem), mem, mask);
      const close = (x: Tensor, y: Tensor) => x.values().every((v, i) => Math.abs(v - y.values()[i]) < 1e-6);
      assert.ok(close(F.contiguous(F.select(all.context, 1, t)), one.context), `context at step ${t}`);
      assert.ok(close(F.contiguous(F.select(all.weights, 1, t)), one.weights), `weights at step ${t}`);
    }
    assert.equal(all.weights.values()[(1 * 5 + 4) * 3 + 2], 0, 'padding gets zero weight');
    gradcheck((q: Tensor, m: Tensor) => { const r = att.forwardAll(q, att.keys(m), m, mask); return F.concat([r.context, r.weights], 2); }, [qs, mem]);
    for (const p of att.parameters()) gradcheck(() => att.forwardAll(qs.detach(), att.keys(mem.detach()), mem.detach(), mask).context, [p]);
  });
}

test('Attention.forwardAll refuses additive attention and names bad query shapes', () => {
  const mem = randn([2, 3, 4]);
  const mask = paddingMask([3, 2], 3);
  assert.throws(() => new Attention('bahdanau', 4, 4).forwardAll(randn([2, 5, 4]), mem, mem, mask), /additive attention is computed step by step/);
  const g = new Attention('luong-general', 4, 4);
  assert.throws(() => g.forwardAll(randn([2, 4]), g.keys(mem), mem, mask), /queries must be \[2, T, 4\], got \[2,4\]/);
});
