// Padded batches with per-row lengths must behave exactly like running each row alone on its
// unpadded prefix (PyTorch's packed-sequence semantics), and their gradients must be right.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as F from '../../src/autograd/ops/index.js';
import { backward } from '../../src/autograd/engine.js';
import { gradcheck } from '../../src/autograd/gradcheck.js';
import { randn } from '../../src/tensor/creation.js';
import { Generator } from '../../src/tensor/rng.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { GRU, LSTM, RNN } from '../../src/nn/layers/rnn.js';
import { assertClose } from '../helpers/fixtures.js';

const TOL = { atol: 1e-6, rtol: 1e-5 };
const gen = (seed: number) => new Generator(seed);

type AnyRNN = LSTM | GRU | RNN;

function run(m: AnyRNN, x: Tensor, h0: Tensor | null, c0: Tensor | null, lengths?: number[]) {
  const opts = lengths ? { lengths } : {};
  if (m instanceof LSTM) return m.forward(x, h0 && c0 ? [h0, c0] : null, opts);
  return { ...m.forward(x, h0, opts), c: null as Tensor | null };
}

function checkAgainstRowByRow(m: AnyRNN, lengths: number[], withState: boolean, seed: number): void {
  const B = lengths.length, T = Math.max(...lengths) + 1; // one extra all-padding step
  const D = m.numDirections, L = m.numLayers, H = m.hiddenSize;
  const tdim = m.batchFirst ? 1 : 0, bdim = 1 - tdim;
  const x = randn(m.batchFirst ? [B, T, m.inputSize] : [T, B, m.inputSize], { generator: gen(seed) });
  const h0 = withState ? randn([L * D, B, H], { generator: gen(seed + 1) }) : null;
  const c0 = withState && m instanceof LSTM ? randn([L * D, B, H], { generator: gen(seed + 2) }) : null;
  const r = run(m, x, h0, c0, lengths);
  for (let b = 0; b < B; b++) {
    const n = lengths[b];
    const row = (t: Tensor | null, dim: number) => (t ? F.narrow(t, dim, b, 1) : null);
    const outRow = row(r.output, bdim)!;
    if (n > 0) {
      const alone = run(m, F.narrow(row(x, bdim)!, tdim, 0, n), row(h0, 1), row(c0, 1));
      assertClose(F.narrow(outRow, tdim, 0, n), alone.output, TOL, `row ${b} output`);
      assertClose(row(r.h, 1), alone.h, TOL, `row ${b} h`);
      if (alone.c) assertClose(row(r.c, 1), alone.c, TOL, `row ${b} c`);
    } else {
      // an empty sequence keeps its initial state
      if (h0) assertClose(row(r.h, 1), row(h0, 1)!, TOL, `row ${b} h (empty)`);
    }
    const pad = F.narrow(outRow, tdim, n, T - n);
    assert.ok(pad.values().every((v) => v === 0), `row ${b}: outputs past length ${n} are zero`);
  }
}

test('LSTM with lengths equals row-by-row runs (2 layers, bidirectional, time-major, h0/c0)', () => {
  checkAgainstRowByRow(new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, generator: gen(1) }), [4, 1, 3, 2], true, 10);
});

test('LSTM with lengths equals row-by-row runs (batch-first, zero state, unsorted, an empty row)', () => {
  checkAgainstRowByRow(new LSTM({ inputSize: 2, hiddenSize: 3, bidirectional: true, batchFirst: true, generator: gen(2) }), [2, 5, 0, 3], false, 20);
});

test('GRU and RNN with lengths equal row-by-row runs', () => {
  checkAgainstRowByRow(new GRU({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, batchFirst: true, generator: gen(3) }), [3, 5, 1], true, 30);
  checkAgainstRowByRow(new RNN({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, generator: gen(4) }), [2, 4, 4], true, 40);
});

test('no gradient reaches padded inputs', () => {
  const m = new GRU({ inputSize: 2, hiddenSize: 3, bidirectional: true, batchFirst: true, generator: gen(5) });
  const x = randn([2, 4, 2], { generator: gen(6) }).requiresGrad_();
  const r = m.forward(x, null, { lengths: [4, 2] });
  backward(F.add(F.sum(F.square(r.output)), F.sum(r.h)));
  const g = x.grad!.values();
  for (let t = 0; t < 4; t++) {
    for (let i = 0; i < 2; i++) {
      const v0 = g[(0 * 4 + t) * 2 + i], v1 = g[(1 * 4 + t) * 2 + i];
      assert.notEqual(v0, 0, `row 0 step ${t} is valid`);
      if (t < 2) assert.notEqual(v1, 0, `row 1 step ${t} is valid`);
      else assert.equal(v1, 0, `row 1 step ${t} is padding`);
    }
  }
});

/** Flattens every result tensor into one vector, so gradcheck sees outputs and final states. */
const flat = (...ts: (Tensor | null)[]) => F.concat(ts.filter((t): t is Tensor => t !== null).map((t) => F.reshape(t, [-1])), 0);

test('gradcheck: tiny bidirectional LSTM with lengths (input, h0, c0, every parameter)', () => {
  const m = new LSTM({ inputSize: 2, hiddenSize: 2, bidirectional: true, generator: gen(7) }).to('float64');
  const x = randn([3, 2, 2], { generator: gen(8), dtype: 'float64' });
  const h0 = randn([2, 2, 2], { generator: gen(9), std: 0.5, dtype: 'float64' });
  const c0 = randn([2, 2, 2], { generator: gen(10), std: 0.5, dtype: 'float64' });
  const params = m.parameters();
  gradcheck((xi, hi, ci) => {
    const r = m.forward(xi, [hi, ci], { lengths: [3, 2] });
    return flat(r.output, r.h, r.c);
  }, [x, h0, c0, ...params]);
  assert.ok(params.every((p) => p.grad !== null));
});

test('gradcheck: tiny 2-layer batch-first GRU with lengths (input, h0, every parameter)', () => {
  const m = new GRU({ inputSize: 2, hiddenSize: 2, numLayers: 2, batchFirst: true, generator: gen(11) }).to('float64');
  const x = randn([2, 3, 2], { generator: gen(12), dtype: 'float64' });
  const h0 = randn([2, 2, 2], { generator: gen(13), std: 0.5, dtype: 'float64' });
  gradcheck((xi, hi) => {
    const r = m.forward(xi, hi, { lengths: [1, 3] });
    return flat(r.output, r.h);
  }, [x, h0, ...m.parameters()]);
});
