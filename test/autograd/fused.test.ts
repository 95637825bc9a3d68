import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as F from '../../src/autograd/ops/index.js';
import { gradcheck } from './check.js';
import { Generator } from '../../src/tensor/rng.js';
import { randn, tensor } from '../../src/tensor/creation.js';
import type { Tensor } from '../../src/tensor/tensor.js';

/** The LSTM cell written with primitives, the definition the fused op must reproduce. */
function lstmComposed(gates: Tensor, c: Tensor): { h: Tensor; c: Tensor } {
  const [i, f, g, o] = F.chunk(gates, 4, 1);
  const cn = F.add(F.mul(F.sigmoid(f), c), F.mul(F.sigmoid(i), F.tanh(g)));
  return { h: F.mul(F.sigmoid(o), F.tanh(cn)), c: cn };
}

test('fused lstmCell equals the composition in value and gradient', () => {
  const gen = new Generator(7);
  for (const [b, h] of [[1, 1], [3, 5], [4, 17]]) {
    const gates = randn([b, 4 * h], { generator: gen, std: 2 });
    const c = randn([b, h], { generator: gen });
    const up = randn([b, 2 * h], { generator: gen });
    const run = (fn: typeof lstmComposed) => {
      const g = gates.detach().requiresGrad_();
      const cc = c.detach().requiresGrad_();
      const r = fn(g, cc);
      const loss = F.sum(F.mul(F.concat([r.h, r.c], 1), up));
      loss.backward();
      return { h: r.h.values(), c: r.c.values(), dg: g.grad!.values(), dc: cc.grad!.values() };
    };
    const a = run(F.lstmCell);
    const e = run(lstmComposed);
    for (const k of ['h', 'c', 'dg', 'dc'] as const) {
      for (let i = 0; i < a[k].length; i++) {
        assert.ok(Math.abs(a[k][i] - e[k][i]) <= 1e-6 + 1e-5 * Math.abs(e[k][i]), `${k}[${i}] ${a[k][i]} vs ${e[k][i]} (b=${b}, h=${h})`);
      }
    }
  }
});

test('fused lstmCell passes a finite-difference gradient check through h and c', () => {
  const gen = new Generator(3);
  gradcheck((g, c) => {
    const r = F.lstmCell(g, c);
    return F.concat([r.h, F.mul(r.c, 0.5)], 1);
  }, [randn([2, 12], { generator: gen, dtype: 'float64' }), randn([2, 3], { generator: gen, dtype: 'float64' })]);
});

test('fused lstmCell rejects mismatched shapes', () => {
  assert.throws(() => F.lstmCell(randn([2, 8]), randn([2, 3])), /lstmCell: expected gates \[B, 4H\] and c \[B, H\], got \[2,8\] and \[2,3\]/);
});

/** Additive attention written with primitives, the definition the fused op must reproduce. */
function attentionComposed(q: Tensor, keys: Tensor, v: Tensor, memory: Tensor, padMask: Tensor | null): { context: Tensor; weights: Tensor } {
  const [B, S] = keys.shape;
  let scores = F.reshape(F.matmul(F.tanh(F.add(keys, F.unsqueeze(q, 1))), F.reshape(v, [-1, 1])), [B, S]);
  if (padMask) scores = F.maskedFill(scores, padMask, -Infinity);
  const weights = F.softmax(scores, 1);
  return { context: F.reshape(F.matmul(F.unsqueeze(weights, 1), memory), [B, memory.shape[2]]), weights };
}

test('fused additiveAttention equals the composition in value and gradient, with padding', () => {
  const gen = new Generator(11);
  for (const [B, S, A, M, vShape] of [[1, 1, 1, 1, [1]], [3, 5, 4, 6, [1, 4]], [4, 17, 33, 9, [33]]] as [number, number, number, number, number[]][]) {
    const q = randn([B, A], { generator: gen });
    const keysBase = randn([B, A, S], { generator: gen }); // keys as a transposed view: non-contiguous input
    const v = randn(vShape, { generator: gen });
    const memory = randn([B, S, M], { generator: gen });
    const mask = new Float32Array(B * S);
    for (let b = 0; b < B; b++) for (let s = S - b; s < S; s++) if (s > 0) mask[b * S + s] = 1; // row b: last b positions padded
    const padMask = F.reshape(tensor(Array.from(mask)), [B, S]);
    const up = randn([B, M], { generator: gen });
    const upW = randn([B, S], { generator: gen });
    const run = (fn: typeof attentionComposed) => {
      const ins = [q, keysBase, v, memory].map((t) => t.detach().requiresGrad_());
      const r = fn(ins[0], F.transpose(ins[1], 1, 2), ins[2], ins[3], padMask);
      F.add(F.sum(F.mul(r.context, up)), F.sum(F.mul(r.weights, upW))).backward(); // both outputs carry gradient
      return [r.context.values(), r.weights.values(), ...ins.map((t) => t.grad!.values())];
    };
    const got = run(F.additiveAttention);
    const want = run(attentionComposed);
    const names = ['context', 'weights', 'dq', 'dkeys', 'dv', 'dmemory'];
    for (let k = 0; k < names.length; k++) {
      assert.equal(got[k].length, want[k].length);
      for (let i = 0; i < want[k].length; i++) {
        assert.ok(Math.abs(got[k][i] - want[k][i]) <= 1e-5 + 1e-4 * Math.abs(want[k][i]), `${names[k]}[${i}] ${got[k][i]} vs ${want[k][i]} (B=${B}, S=${S}, A=${A})`);
      }
    }
    for (let i = 0; i < B * S; i++) if (mask[i]) assert.equal(got[1][i], 0, 'padded positions get zero weight');
  }
});

test('fused additiveAttention passes a finite-difference gradient check', () => {
  const gen = new Generator(5);
  const padMask = F.reshape(tensor([0, 0, 1, 0, 0, 0]), [2, 3]);
  gradcheck((q, keys, v, memory) => {
    const r = F.additiveAttention(q, keys, v, memory, padMask);
    return F.concat([r.context, F.mul(r.weights, 3)], 1);
  },
    [randn([2, 4], { generator: gen, dtype: 'float64' }), randn([2, 3, 4], { generator: gen, dtype: 'float64' }), randn([4], { generator: gen, dtype: 'float64' }),
      randn([2, 3, 5], { generator: gen, dtype: 'float64' })]);
});

test('fused additiveAttention names the shapes it rejects', () => {
  assert.throws(() => F.additiveAttention(randn([2, 4]), randn([2, 3, 5]), randn([4]), randn([2, 3, 6]), null),
    /additiveAttention: expected q \[B, A\], keys \[B, S, A\].*got q \[2,4\], keys \[2,3,5\]/);
});

test('fused additiveAttention over several steps sharing keys and memory sums their gradients like the composition', () => {
  const gen = new Generator(13);
  const [B, S, A, M, steps] = [3, 6, 5, 4, 5];
  const keys0 = randn([B, S, A], { generator: gen }), v0 = randn([A], { generator: gen }), mem0 = randn([B, S, M], { generator: gen });
  const qs = Array.from({ length: steps }, () => randn([B, A], { generator: gen }));
  const padMask = F.reshape(tensor([0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]), [B, S]);
  const run = (fn: typeof attentionComposed) => {
    const [keys, v, mem] = [keys0, v0, mem0].map((t) => t.detach().requiresGrad_());
    let loss: Tensor | null = null;
    for (let t = 0; t < steps; t++) {
      const r = fn(qs[t], keys, v, mem, padMask);
      const l = F.add(F.sum(F.mul(r.context, t + 1)), F.sum(F.mul(r.weights, r.weights)));
      loss = loss ? F.add(loss, l) : l;
    }
    loss!.backward();
    return [keys.grad!.values(), v.grad!.values(), mem.grad!.values()];
  };
  const got = run(F.additiveAttention), want = run(attentionComposed);
  for (let k = 0; k < 3; k++) {
    for (let i = 0; i < want[k].length; i++) assert.ok(Math.abs(got[k][i] - want[k][i]) <= 1e-5 + 1e-4 * Math.abs(want[k][i]), `grad ${k}[${i}] ${got[k][i]} vs ${want[k][i]}`);
  }
});
