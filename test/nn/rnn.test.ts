import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as F from '../../src/autograd/ops/index.js';
import { backward } from '../../src/autograd/engine.js';
import { noGrad } from '../../src/autograd/grad-mode.js';
import { randn, zeros } from '../../src/tensor/creation.js';
import { Generator } from '../../src/tensor/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { GRU, LSTM, RNN } from '../../src/nn/layers/rnn.js';
import { GRUCell, LSTMCell, RNNCell } from '../../src/nn/layers/rnn-cells.js';
import { splitViews, unbindViews } from '../../src/autograd/ops/split-views.js';
import { assertClose } from '../helpers/fixtures.js';

const EXACT = { atol: 1e-6, rtol: 1e-5 };
const gen = (seed: number) => new Generator(seed);

test('parameter names, order and shapes follow PyTorch', () => {
  const m = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true });
  const names = m.namedParameters().map(([k, p]) => `${k}[${p.shape.join(',')}]`);
  const expected: string[] = [];
  for (const l of [0, 1]) {
    for (const sfx of ['', '_reverse']) {
      const inSize = l === 0 ? 3 : 8;
      expected.push(`weight_ih_l${l}${sfx}[16,${inSize}]`, `weight_hh_l${l}${sfx}[16,4]`, `bias_ih_l${l}${sfx}[16]`, `bias_hh_l${l}${sfx}[16]`);
    }
  }
  assert.deepEqual(names, expected);
  assert.deepEqual(Object.keys(new GRU({ inputSize: 2, hiddenSize: 5, bias: false }).stateDict()), ['weight_ih_l0', 'weight_hh_l0']);
  assert.deepEqual(new GRU({ inputSize: 2, hiddenSize: 5 }).stateDict().weight_ih_l0.shape, [15, 2]);
  assert.deepEqual(new RNN({ inputSize: 2, hiddenSize: 5 }).stateDict().weight_hh_l0.shape, [5, 5]);
  assert.deepEqual(new LSTMCell(3, 4).namedParameters().map(([k]) => k), ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh']);
  assert.deepEqual(new GRUCell(3, 4, { bias: false }).namedParameters().map(([k, p]) => `${k}[${p.shape.join(',')}]`), ['weight_ih[12,3]', 'weight_hh[12,4]']);
});

test('default init is U(-1/sqrt(H), 1/sqrt(H)) and reproducible from the generator', () => {
  const H = 16;
  const m = new LSTM({ inputSize: 5, hiddenSize: H, generator: gen(3) });
  const bound = 1 / Math.sqrt(H);
  for (const [name, p] of m.namedParameters()) {
    const v = p.values();
    let lo = Infinity, hi = -Infinity;
    for (const x of v) { lo = Math.min(lo, x); hi = Math.max(hi, x); }
    assert.ok(lo >= -bound && hi <= bound, `${name} within ±${bound}: [${lo}, ${hi}]`);
    assert.ok(hi - lo > 1.5 * bound, `${name} spreads over the range: [${lo}, ${hi}]`);
  }
  const again = new LSTM({ inputSize: 5, hiddenSize: H, generator: gen(3) });
  assert.deepEqual(again.stateDict().weight_hh_l0.values(), m.stateDict().weight_hh_l0.values());
  const cell = new RNNCell(5, H, { generator: gen(4) });
  assert.ok(cell.weight_ih.values().every((x) => Math.abs(x) <= bound));
});

test('output and state shapes: time-major, batch-first, bidirectional, unbatched', () => {
  const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, generator: gen(1) });
  const r = lstm.forward(randn([5, 2, 3], { generator: gen(2) }));
  assert.deepEqual([r.output.shape, r.h.shape, r.c.shape], [[5, 2, 8], [4, 2, 4], [4, 2, 4]]);

  const gru = new GRU({ inputSize: 3, hiddenSize: 4, batchFirst: true, generator: gen(1) });
  const g = gru.forward(randn([2, 5, 3], { generator: gen(2) }));
  assert.deepEqual([g.output.shape, g.h.shape], [[2, 5, 4], [1, 2, 4]]);

  const x = randn([5, 3], { generator: gen(5) });
  const u = lstm.forward(x);
  assert.deepEqual([u.output.shape, u.h.shape, u.c.shape], [[5, 8], [4, 4], [4, 4]]);
  const batched = lstm.forward(F.unsqueeze(x, 1));
  assertClose(u.output, F.squeeze(batched.output, 1), EXACT, 'unbatched output');
  assertClose(u.h, F.squeeze(batched.h, 1), EXACT, 'unbatched h');
});

test('batchFirst gives the transpose of the time-major result', () => {
  const opts = { inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true };
  const tm = new GRU({ ...opts, generator: gen(7) });
  const bf = new GRU({ ...opts, batchFirst: true });
  bf.loadStateDict(tm.stateDict());
  const x = randn([4, 3, 3], { generator: gen(8) }); // (T, B, in)
  const h0 = randn([4, 3, 4], { generator: gen(9) });
  const a = tm.forward(x, h0, { lengths: [4, 2, 3] });
  const b = bf.forward(F.contiguous(F.transpose(x, 0, 1)), h0, { lengths: [4, 2, 3] });
  assertClose(b.output, F.contiguous(F.transpose(a.output, 0, 1)), EXACT, 'output');
  assertClose(b.h, a.h, EXACT, 'h');
});

test('a one-layer LSTM equals its cell applied step by step', () => {
  const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, generator: gen(11) });
  const cell = new LSTMCell(3, 4);
  cell.loadStateDict({ weight_ih: lstm.stateDict().weight_ih_l0, weight_hh: lstm.stateDict().weight_hh_l0, bias_ih: lstm.stateDict().bias_ih_l0, bias_hh: lstm.stateDict().bias_hh_l0 });
  const x = randn([6, 2, 3], { generator: gen(12) });
  const h0 = randn([1, 2, 4], { generator: gen(13) }), c0 = randn([1, 2, 4], { generator: gen(14) });
  const r = lstm.forward(x, [h0, c0]);
  let state: [Tensor, Tensor] = [F.select(h0, 0, 0), F.select(c0, 0, 0)];
  for (let t = 0; t < 6; t++) {
    state = cell.forward(F.select(x, 0, t), state);
    assertClose(F.select(r.output, 0, t), state[0], EXACT, `output step ${t}`);
  }
  assertClose(F.select(r.c, 0, 0), state[1], EXACT, 'final c');
});

test('GRU and RNN equal their cells step by step; relu nonlinearity', () => {
  const x = randn([4, 2, 3], { generator: gen(21) });
  const gru = new GRU({ inputSize: 3, hiddenSize: 5, generator: gen(22) });
  const gcell = new GRUCell(3, 5);
  const sd = gru.stateDict();
  gcell.loadStateDict({ weight_ih: sd.weight_ih_l0, weight_hh: sd.weight_hh_l0, bias_ih: sd.bias_ih_l0, bias_hh: sd.bias_hh_l0 });
  const rnn = new RNN({ inputSize: 3, hiddenSize: 5, nonlinearity: 'relu', generator: gen(23) });
  const rcell = new RNNCell(3, 5, { nonlinearity: 'relu' });
  const rd = rnn.stateDict();
  rcell.loadStateDict({ weight_ih: rd.weight_ih_l0, weight_hh: rd.weight_hh_l0, bias_ih: rd.bias_ih_l0, bias_hh: rd.bias_hh_l0 });
  const go = gru.forward(x).output, ro = rnn.forward(x).output;
  let hg: Tensor | null = null, hr: Tensor | null = null;
  for (let t = 0; t < 4; t++) {
    hg = gcell.forward(F.select(x, 0, t), hg);
    hr = rcell.forward(F.select(x, 0, t), hr);
    assertClose(F.select(go, 0, t), hg, EXACT, `GRU step ${t}`);
    assertClose(F.select(ro, 0, t), hr, EXACT, `RNN step ${t}`);
  }
  assert.ok(ro.values().every((v) => v >= 0), 'relu outputs are non-negative');
  assert.ok(ro.values().some((v) => v > 0));
});

test('omitted state equals an explicit zero state', () => {
  const m = new LSTM({ inputSize: 2, hiddenSize: 3, numLayers: 2, generator: gen(31) });
  const x = randn([3, 2, 2], { generator: gen(32) });
  const a = m.forward(x), b = m.forward(x, [zeros([2, 2, 3]), zeros([2, 2, 3])]);
  assertClose(a.output, b.output, EXACT, 'output');
  const cell = new GRUCell(2, 3, { generator: gen(33) });
  const x2 = randn([2, 2], { generator: gen(34) });
  assertClose(cell.forward(x2), cell.forward(x2, zeros([2, 3])), EXACT, 'cell');
});

test('bad shapes and arguments are reported with the layer and the shapes', () => {
  const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2 });
  assert.throws(() => lstm.forward(zeros([5, 2, 7])), /LSTM\(3 -> 4, 2 layers\): input must be \[T, B, 3\].*got \[5,2,7\]/);
  assert.throws(() => lstm.forward(zeros([5, 2, 3]), [zeros([1, 2, 4]), zeros([2, 2, 4])]), /LSTM.*h0 must be \[2,2,4\].*got \[1,2,4\]/);
  assert.throws(() => lstm.forward(zeros([5, 2, 3]), [zeros([2, 2, 4]), zeros([2, 3, 4])]), /c0 must be \[2,2,4\].*got \[2,3,4\]/);
  const gru = new GRU({ inputSize: 3, hiddenSize: 4, batchFirst: true });
  assert.throws(() => gru.forward(zeros([2, 5])), /GRU\(3 -> 4, batchFirst\): input must be \[B, T, 3\].*got \[2,5\]/);
  assert.throws(() => gru.forward(zeros([2, 5, 3]), null, { lengths: [5] }), /lengths has 1 entries for a batch of 2/);
  assert.throws(() => gru.forward(zeros([2, 5, 3]), null, { lengths: [5, 6] }), /lengths must be integers in \[0, 5\].*got \[5, 6\]/);
  assert.throws(() => new GRU({ inputSize: 3, hiddenSize: 0 }), /GRU: hiddenSize must be a positive integer, got 0/);
  assert.throws(() => new RNN({ inputSize: 3, hiddenSize: 2, dropout: 1.5 }), /RNN: dropout must be in \[0, 1\], got 1.5/);
  assert.throws(() => new RNN({ inputSize: 3, hiddenSize: 2, nonlinearity: 'gelu' as 'relu' }), /nonlinearity must be 'tanh' or 'relu', got 'gelu'/);
  const cell = new LSTMCell(3, 4);
  assert.throws(() => cell.forward(zeros([2, 5])), /LSTMCell\(3, 4\): input must be \[batch, 3\], got \[2,5\]/);
  assert.throws(() => cell.forward(zeros([2, 3]), [zeros([2, 4]), zeros([3, 4])]), /LSTMCell\(3, 4\): c must be \[2, 4\] for input \[2,3\], got \[3,4\]/);
  assert.throws(() => new GRUCell(3, 4).forward(zeros([2, 3]), zeros([2, 5])), /GRUCell\(3, 4\): h must be \[2, 4\].*got \[2,5\]/);
});

test('dropout acts between layers in train mode only', () => {
  const opts = { inputSize: 3, hiddenSize: 8, numLayers: 2 };
  const withDrop = new GRU({ ...opts, dropout: 0.5, generator: gen(41) });
  const plain = new GRU(opts);
  plain.loadStateDict(withDrop.stateDict());
  const x = randn([4, 2, 3], { generator: gen(42) });
  const ref = plain.forward(x).output;
  const trained = withDrop.forward(x).output;
  assert.ok(trained.values().some((v, i) => Math.abs(v - ref.values()[i]) > 1e-4), 'train-mode dropout changes the output');
  withDrop.eval();
  assertClose(withDrop.forward(x).output, ref, EXACT, 'eval mode');
  const single = new LSTM({ inputSize: 3, hiddenSize: 4, dropout: 0.5, generator: gen(43) });
  const again = new LSTM({ inputSize: 3, hiddenSize: 4 });
  again.loadStateDict(single.stateDict());
  assertClose(single.forward(x).output, again.forward(x).output, EXACT, 'no dropout after the last layer');
});

test('inference under noGrad builds no graph', () => {
  const m = new LSTM({ inputSize: 3, hiddenSize: 4, generator: gen(51) });
  const r = noGrad(() => m.forward(randn([3, 2, 3], { generator: gen(52) }), null, { lengths: [3, 1] }));
  assert.equal(r.output.requiresGrad, false);
  assert.equal(r.h.gradFn, null);
});

test('splitViews: views share storage; gradients reach only the used pieces, across paths and passes', () => {
  const x = randn([3, 6], { generator: gen(61) }).requiresGrad_();
  const w = randn([3, 6], { generator: gen(62) });
  const parts = splitViews(x, 1, [2, 1, 3]);
  assert.equal(parts[0].data, x.data);
  // use two of the three pieces, one of them twice, through different paths
  const loss = F.add(F.sum(F.mul(parts[0], F.narrow(w, 1, 0, 2))), F.add(F.sum(F.mul(parts[2], F.narrow(w, 1, 3, 3))), F.sum(F.square(parts[2]))));
  backward(loss);
  const expected = x.values().map((v, i) => {
    const col = i % 6;
    if (col < 2) return w.values()[i];
    if (col === 2) return 0;
    return w.values()[i] + 2 * v;
  });
  assertClose(x.grad, new Tensor(expected, [3, 6]), EXACT, 'grad');

  const y = randn([4, 2], { generator: gen(63) }).requiresGrad_();
  const rows = unbindViews(y, 0);
  assert.deepEqual(rows.map((r) => r.shape), [[2], [2], [2], [2]]);
  const l2 = F.sum(F.mul(F.stack([rows[3], rows[1]]), 3));
  backward(l2, undefined, { retainGraph: true });
  backward(l2);
  assert.deepEqual(Array.from(y.grad!.values()), [0, 0, 6, 6, 0, 0, 6, 6]);
  assert.throws(() => splitViews(y, 0, [1, 2]), /splitViews: sizes \[1,2\] do not partition dimension 0 of \[4,2\]/);
});
