import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as F from '../../src/autograd/ops/index.js';
import { gradcheck } from '../../src/autograd/gradcheck.js';
import { Generator } from '../../src/tensor/rng.js';
import { randn } from '../../src/tensor/creation.js';
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
  }, [randn([2, 12], { generator: gen }), randn([2, 3], { generator: gen })]);
});

test('fused lstmCell rejects mismatched shapes', () => {
  assert.throws(() => F.lstmCell(randn([2, 8]), randn([2, 3])), /lstmCell: expected gates \[B, 4H\] and c \[B, H\], got \[2,8\] and \[2,3\]/);
});
