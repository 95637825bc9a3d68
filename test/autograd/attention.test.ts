/**
 * scaledDotProductAttention: the reference kernel against the composition of primitives (values
 * and gradients, masks of both kinds, causal, strided head views), the native kernel against the
 * reference in float32, float64 gradient checks on both backends (under the native one they also
 * compare its float32 values and gradients with the reference's), and its error messages.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as F from '../../src/autograd/ops/index.js';
import { gradcheck } from './check.js';
import type { Backend } from '../../src/backend/backend.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { nativeBackend } from '../../src/backend/native/index-node.js';
import { withBackend } from '../../src/backend/registry.js';
import { Generator } from '../../src/tensor/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { rnd } from './helpers.js';

/** float32 operands: what the native kernel computes with (float64 ones go to the reference kernels). */
const rnd32 = (shape: number[], seed: number) => rnd(shape, seed).to('float32');

const BACKENDS: Backend[] = nativeBackend ? [jsBackend, nativeBackend] : [jsBackend];

/** The definition, written with primitives: softmax(q kᵀ scale + mask) v. */
function composed(q: Tensor, k: Tensor, v: Tensor, opts: F.AttentionOptions = {}): Tensor {
  const E = q.shape[q.ndim - 1];
  let s = F.mul(F.matmul(q, F.transpose(k, -2, -1)), opts.scale ?? 1 / Math.sqrt(E));
  const L = q.shape[q.ndim - 2], S = k.shape[k.ndim - 2];
  if (opts.mask) {
    const m = opts.mask.dtype === 'int32' ? F.mul(F.ne(opts.mask, 0), -1e30) : opts.mask;
    s = F.add(s, m);
  }
  if (opts.causal) {
    const c = new Float32Array(L * S);
    for (let i = 0; i < L; i++) for (let j = i + 1; j < S; j++) c[i * S + j] = -1e30;
    s = F.add(s, new Tensor(c, [L, S]));
  }
  return F.matmul(F.softmax(s, -1), v);
}

function close(got: ArrayLike<number>, want: ArrayLike<number>, what: string, atol = 1e-5, rtol = 1e-4): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    const ok = Number.isNaN(want[i]) ? Number.isNaN(got[i]) : Math.abs(got[i] - want[i]) <= atol + rtol * Math.abs(want[i]);
    if (!ok) assert.fail(`${what}: element ${i}: got ${got[i]}, expected ${want[i]}`);
  }
}

/** Runs f on fresh leaves, back-propagates a fixed upstream, returns output and input grads. */
function valueAndGrads(f: (q: Tensor, k: Tensor, v: Tensor) => Tensor, q0: Tensor, k0: Tensor, v0: Tensor) {
  const [q, k, v] = [q0, k0, v0].map((t) => {
    const c = new Tensor(t.data.slice(), t.shape.slice(), t.strides.slice(), t.offset);
    c.requiresGrad = true;
    return c;
  });
  const out = f(q, k, v);
  const up = rnd(out.shape.slice(), 99).to(out.dtype);
  F.sum(F.mul(out, up)).backward();
  return { out: out.values(), dq: q.grad!.values(), dk: k.grad!.values(), dv: v.grad!.values() };
}

/** Int32 key-padding mask [N, 1, 1, S] with the last `pad[n]` keys of sequence n masked. */
function padMask(pad: number[], S: number): Tensor {
  const m = new Int32Array(pad.length * S);
  pad.forEach((p, n) => { for (let j = S - p; j < S; j++) m[n * S + j] = 1; });
  return new Tensor(m, [pad.length, 1, 1, S]);
}

interface Case { name: string; q: number[]; k: number[]; v: number[]; opts: () => F.AttentionOptions }

const CASES: Case[] = [
  { name: 'plain 2-d', q: [3, 4], k: [5, 4], v: [5, 6], opts: () => ({}) },
  { name: 'batched, scale', q: [2, 3, 4, 8], k: [2, 3, 7, 8], v: [2, 3, 7, 5], opts: () => ({ scale: 0.3 }) },
  { name: 'causal', q: [2, 6, 4], k: [2, 6, 4], v: [2, 6, 4], opts: () => ({ causal: true }) },
  { name: 'bool key padding', q: [3, 2, 4, 8], k: [3, 2, 5, 8], v: [3, 2, 5, 8], opts: () => ({ mask: padMask([0, 2, 4], 5) }) },
  {
    name: 'float additive [L, S] + causal', q: [2, 5, 3], k: [2, 5, 3], v: [2, 5, 2],
    opts: () => ({ mask: rnd([5, 5], 4), causal: true }),
  },
];

test('reference kernel equals the composition (values and gradients)', () => {
  withBackend(jsBackend, () => {
    for (const c of CASES) {
      const q = rnd(c.q, 1), k = rnd(c.k, 2), v = rnd(c.v, 3);
      const a = valueAndGrads((x, y, z) => F.scaledDotProductAttention(x, y, z, c.opts()), q, k, v);
      const e = valueAndGrads((x, y, z) => composed(x, y, z, c.opts()), q, k, v);
      for (const key of ['out', 'dq', 'dk', 'dv'] as const) close(a[key], e[key], `${c.name} ${key}`);
    }
  });
});

test('heads read in place from a [N, L, H, Dh] projection give the same values and gradients as contiguous ones', () => {
  withBackend(jsBackend, () => {
    const N = 2, L = 4, S = 5, H = 3, D = 4;
    const base = (shape: number[], seed: number) => F.permute(rnd(shape, seed), [0, 2, 1, 3]); // [N, H, ·, D] strided
    const q = base([N, L, H, D], 1), k = base([N, S, H, D], 2), v = base([N, S, H, D], 3);
    assert.ok(!q.isContiguous());
    const a = valueAndGrads((x, y, z) => F.scaledDotProductAttention(x, y, z), q, k, v);
    const e = valueAndGrads((x, y, z) => composed(x, y, z), q, k, v);
    for (const key of ['out', 'dq', 'dk', 'dv'] as const) close(a[key], e[key], `strided ${key}`);
    // the output keeps the projection's order: permuting back to [N, L, H, D] is contiguous
    const out = F.scaledDotProductAttention(q, k, v);
    assert.ok(F.permute(out, [0, 2, 1, 3]).isContiguous());
  });
});

test('weights: rows sum to one, masked entries are zero, dropout zeroes and rescales them', () => {
  const q = rnd([2, 3, 4], 1), k = rnd([2, 5, 4], 2), v = rnd([2, 5, 4], 3);
  const mask = new Tensor(Int32Array.from([0, 0, 1, 0, 1]), [5]);
  const { weights } = F.scaledDotProductAttentionWithWeights(q, k, v, { mask });
  assert.deepEqual(weights.shape, [2, 3, 5]);
  const w = weights.values();
  for (let r = 0; r < 6; r++) {
    let s = 0;
    for (let j = 0; j < 5; j++) s += w[r * 5 + j];
    assert.ok(Math.abs(s - 1) < 1e-6, `row ${r} sums to ${s}`);
    assert.equal(w[r * 5 + 2], 0);
    assert.equal(w[r * 5 + 4], 0);
  }
  const d = F.scaledDotProductAttentionWithWeights(q, k, v, { mask, dropout: 0.5, generator: new Generator(3) }).weights.values();
  let zeroed = 0;
  for (let i = 0; i < w.length; i++) {
    if (d[i] === 0 && w[i] !== 0) zeroed++;
    else close([d[i]], [2 * w[i]], `dropped weight ${i}`);
  }
  assert.ok(zeroed > 0, 'dropout zeroed nothing');
});

test('a fully masked row gives NaN as torch does', () => {
  const mask = new Tensor(Int32Array.from([1, 1, 0, 0]), [2, 2]);
  for (const make of [rnd32, rnd]) {
    const q = make([2, 3], 1), k = make([2, 3], 2), v = make([2, 3], 3);
    for (const be of BACKENDS) {
      const out = withBackend(be, () => F.scaledDotProductAttention(q, k, v, { mask }));
      assert.equal(out.dtype, q.dtype);
      const o = out.values();
      assert.ok(Number.isNaN(o[0]) && !Number.isNaN(o[3]), `${be.name} ${q.dtype}: ${Array.from(o)}`);
    }
  }
});

test('native kernel equals the reference (forward, weights, gradients, dropout with the same seed)', { skip: nativeBackend ? false : 'native backend not available' }, () => {
  const cases: Case[] = [
    ...CASES,
    { name: 'W2 shape', q: [8, 4, 20, 64], k: [8, 4, 20, 64], v: [8, 4, 20, 64], opts: () => ({ causal: true }) },
    { name: 'odd sizes + dropout', q: [3, 2, 9, 13], k: [3, 2, 11, 13], v: [3, 2, 11, 7], opts: () => ({ dropout: 0.3, generator: new Generator(5) }) },
    { name: 'key padding + dropout', q: [3, 2, 4, 17], k: [3, 2, 5, 17], v: [3, 2, 5, 9], opts: () => ({ mask: padMask([1, 0, 3], 5), dropout: 0.2, generator: new Generator(6) }) },
  ];
  for (const c of cases) {
    const q = rnd32(c.q, 1), k = rnd32(c.k, 2), v = rnd32(c.v, 3);
    const f = (x: Tensor, y: Tensor, z: Tensor) => F.scaledDotProductAttention(x, y, z, c.opts());
    const r = withBackend(jsBackend, () => valueAndGrads(f, q, k, v));
    const n = withBackend(nativeBackend!, () => valueAndGrads(f, q, k, v));
    for (const key of ['out', 'dq', 'dk', 'dv'] as const) close(n[key], r[key], `${c.name} ${key}`, 1e-5, 1e-4);
    const wr = withBackend(jsBackend, () => F.scaledDotProductAttentionWithWeights(q, k, v, c.opts()).weights.values());
    const wn = withBackend(nativeBackend!, () => F.scaledDotProductAttentionWithWeights(q, k, v, c.opts()).weights.values());
    close(wn, wr, `${c.name} weights`, 1e-6, 1e-5);
  }
});

test('float64 attention and layer norm under the native backend run on the reference kernels, bit for bit', { skip: nativeBackend ? false : 'native backend not available' }, () => {
  // q float64, k and v float32 (promoted), a float mask, dropout: every operand reaches the kernel
  // inside an argument object, which the float64 route must look into
  const run = () => {
    const q = rnd([2, 3, 6, 8], 1).requiresGrad_(), k = rnd32([2, 3, 7, 8], 2).requiresGrad_(), v = rnd32([2, 3, 7, 5], 3).requiresGrad_();
    const r = F.scaledDotProductAttentionWithWeights(q, k, v, { mask: rnd32([6, 7], 4), causal: true, dropout: 0.2, generator: new Generator(8) });
    const y = F.layerNorm(r.output, [5], rnd32([5], 5), rnd([5], 6));
    F.sum(F.mul(y, rnd(y.shape.slice(), 7))).backward();
    return [r.output, r.weights, y, q.grad!, k.grad!, v.grad!];
  };
  const nat = withBackend(nativeBackend!, run);
  const ref = withBackend(jsBackend, run);
  assert.deepEqual(nat.map((t) => t.dtype), ['float64', 'float64', 'float64', 'float64', 'float32', 'float32']);
  nat.forEach((t, i) => assert.deepEqual(Array.from(t.values()), Array.from(ref[i].values()), `tensor ${i}`));
});

for (const be of BACKENDS) {
  test(`gradcheck of scaledDotProductAttention on ${be.name} (masks, causal, dropout, strided heads)`, () => {
    withBackend(be, () => {
      const fs: [string, number[][], (q: Tensor, k: Tensor, v: Tensor) => Tensor][] = [
        ['plain', [[2, 3, 4], [2, 5, 4], [2, 5, 3]], (q, k, v) => F.scaledDotProductAttention(q, k, v)],
        ['causal + float mask', [[2, 4, 3], [2, 4, 3], [2, 4, 2]], (q, k, v) => F.scaledDotProductAttention(q, k, v, { causal: true, mask: rnd([4, 4], 7) })],
        ['bool padding', [[3, 1, 2, 4], [3, 1, 5, 4], [3, 1, 5, 2]], (q, k, v) => F.scaledDotProductAttention(q, k, v, { mask: padMask([0, 1, 3], 5) })],
        ['dropout (fixed seed)', [[2, 3, 4], [2, 5, 4], [2, 5, 3]], (q, k, v) => F.scaledDotProductAttention(q, k, v, { dropout: 0.3, generator: new Generator(11) })],
        ['strided heads', [[2, 3, 2, 4], [2, 4, 2, 4], [2, 4, 2, 4]],
          (q, k, v) => F.scaledDotProductAttention(F.permute(q, [0, 2, 1, 3]), F.permute(k, [0, 2, 1, 3]), F.permute(v, [0, 2, 1, 3]))],
      ];
      fs.forEach(([name, shapes, f], i) => {
        const inputs = shapes.map((s, j) => rnd(s, 10 * i + j));
        assert.doesNotThrow(() => gradcheck(f, inputs), `${be.name} ${name}`);
      });
    });
  });
}

test('scaledDotProductAttention names the shapes it cannot use', () => {
  assert.throws(() => F.scaledDotProductAttention(rnd([2, 3, 4], 1), rnd([2, 5, 3], 2), rnd([2, 5, 3], 3)),
    /scaledDotProductAttention: expected q \[\.\.\., L, E\].*got q \[2, ?3, ?4\], k \[2, ?5, ?3\]/);
  assert.throws(() => F.scaledDotProductAttention(rnd([3, 4], 1), rnd([5, 4], 2), rnd([5, 4], 3), { mask: rnd([3, 4], 4) }),
    /mask \[3, ?4\] does not broadcast to the scores \[3, ?5\]/);
  assert.throws(() => F.scaledDotProductAttention(rnd([3, 4], 1), rnd([5, 4], 2), rnd([5, 4], 3), { dropout: 1 }), /dropout must be in \[0, 1\), got 1/);
});

test('the native attention and layer-norm kernels refuse operands that do not fit their arrays', { skip: nativeBackend ? false : 'native backend not available' }, async () => {
  const { nativeAddon } = await import('../../src/backend/native/index-node.js');
  const a = nativeAddon!;
  const dims = Int32Array.from([2, 3, 4, 5, 5, 0, 5, 5, 5, 0, 0, 5]); // batch 2, l 3, s 4, e = ev = 5
  const f = (n: number) => new Float32Array(n);
  const off = (step: number) => Int32Array.from([0, step]);
  // k's second matrix starts past the end of its array
  assert.throws(() => a.sdpa(dims, 1, f(30), off(15), f(40), off(21), f(40), off(20), null, null, null, f(24), f(30), off(15)),
    /sdpa: operands out of bounds/);
  assert.doesNotThrow(() => a.sdpa(dims, 1, f(30), off(15), f(40), off(20), f(40), off(20), null, null, null, f(24), f(30), off(15)));
  assert.throws(() => a.layerNorm(f(10), 3, 4, null, null, 1e-5, f(12), f(3), f(3)), /layerNorm: rows=3 cols=4 exceed the arrays/);
});

test('packed: q, k, v as untracked views of one projection send one gradient to it, equal to tracked views', () => {
  for (const [be, make] of BACKENDS.flatMap((b) => [[b, rnd32], [b, rnd]] as const)) {
    withBackend(be, () => {
      const L = 4, N = 2, H = 2, D = 3, E = H * D;
      const base = make([L, N, 3 * E], 1);
      const up = make([N, H, L, D], 2);
      // tracked: narrow + reshape + permute through the graph
      const a = base.detach().requiresGrad_();
      const part = (i: number) => F.permute(F.reshape(F.narrow(a, 2, i * E, E), [L, N, H, D]), [1, 2, 0, 3]);
      F.sum(F.mul(F.scaledDotProductAttention(part(0), part(1), part(2), { causal: true }), up)).backward();
      // packed: plain views, the op routes their gradient to `b`
      const b = base.detach().requiresGrad_();
      const view = (i: number) => new Tensor(b.data, [N, H, L, D], [3 * E, D, N * 3 * E, 1], i * E);
      const out = F.scaledDotProductAttention(view(0), view(1), view(2), { causal: true, packed: b });
      F.sum(F.mul(out, up)).backward();
      assert.equal(b.grad!.dtype, base.dtype);
      close(b.grad!.values(), a.grad!.values(), `${be.name} ${base.dtype} packed gradient`, 1e-6, 1e-5);
    });
  }
  assert.throws(() => F.scaledDotProductAttention(rnd([2, 3], 1), rnd([2, 3], 2), rnd([2, 3], 3), { packed: rnd([4], 4) }),
    /packed \[4\] must be contiguous and hold some of q, k, v/);
});
