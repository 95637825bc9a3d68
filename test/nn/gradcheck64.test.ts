/**
 * Float64 gradient checks with PyTorch's tolerances (eps 1e-6, atol 1e-5, rtol 1e-3) of every
 * layer and loss, through inputs and every parameter (modules converted with .to('float64')).
 * The ops under them are checked one by one in test/autograd and test/vision.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as F from '../../src/autograd/ops/index.js';
import { gradcheck } from '../../src/autograd/gradcheck.js';
import {
  BatchNorm1d, BatchNorm2d, Bilinear, Conv2d, ConvTranspose2d, Embedding, GRU, GRUCell, LayerNorm, Linear, LSTM, LSTMCell, RNN, RNNCell,
  binaryCrossEntropy, binaryCrossEntropyWithLogits, crossEntropy, dropout, gaussianNoise, klDiv, l1Loss, mseLoss, nllLoss,
} from '../../src/nn/index.js';
import { rand, randn, tensor } from '../../src/tensor/creation.js';
import { Generator } from '../../src/tensor/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { checkModule } from './check-module.js';
import { unbindViews } from '../../src/autograd/ops/split-views.js';

const gen = (s: number) => new Generator(s);
const x64 = (shape: number[], seed: number, std = 1) => randn(shape, { generator: gen(seed), std, dtype: 'float64' });
const u64 = (shape: number[], lo: number, hi: number, seed: number) => rand(shape, { low: lo, high: hi, generator: gen(seed), dtype: 'float64' });
const flat = (...ts: (Tensor | null | undefined)[]) => F.concat(ts.filter((t): t is Tensor => !!t).map((t) => F.reshape(t, [-1])), 0);


test('gradcheck64: Linear, Bilinear, Embedding', () => {
  const lin = new Linear(3, 4, { generator: gen(1) });
  checkModule(lin, (x) => lin.forward(x), [x64([2, 5, 3], 2)]);
  const bil = new Bilinear(3, 2, 4, { generator: gen(3) });
  checkModule(bil, (a, b) => bil.forward(a, b), [x64([5, 3], 4), x64([5, 2], 5)]);
  const emb = new Embedding(6, 3, { generator: gen(6) });
  const idx = new Tensor(new Int32Array([0, 2, 5, 5, 1]), [5]);
  checkModule(emb, () => F.tanh(emb.forward(idx)), []);
  // paddingIdx: its row gets no gradient by definition (as torch), so it is not a finite difference
  const padded = new Embedding(6, 3, { generator: gen(6), paddingIdx: 2 }).to('float64');
  F.sum(F.tanh(padded.forward(idx))).backward();
  assert.deepEqual(Array.from(padded.weight.grad!.values().slice(6, 9)), [0, 0, 0]);
});

test('gradcheck64: RNNCell (tanh and relu), LSTMCell, GRUCell through input, state and parameters', () => {
  for (const nonlinearity of ['tanh', 'relu'] as const) {
    const cell = new RNNCell(3, 4, { generator: gen(7), nonlinearity });
    checkModule(cell, (x, h) => cell.forward(x, h), [x64([2, 3], 8), x64([2, 4], 9, 0.5)]);
  }
  const lstm = new LSTMCell(3, 4, { generator: gen(10) });
  checkModule(lstm, (x, h, c) => flat(...lstm.forward(x, [h, c])), [x64([2, 3], 11), x64([2, 4], 12, 0.5), x64([2, 4], 13, 0.5)]);
  const gru = new GRUCell(3, 4, { generator: gen(14) });
  checkModule(gru, (x, h) => gru.forward(x, h), [x64([2, 3], 15), x64([2, 4], 16, 0.5)]);
});

test('gradcheck64: multi-layer RNN, bidirectional LSTM, batch-first GRU over whole sequences', () => {
  const rnn = new RNN({ inputSize: 2, hiddenSize: 3, numLayers: 2, generator: gen(17) });
  checkModule(rnn, (x, h) => { const r = rnn.forward(x, h); return flat(r.output, r.h); }, [x64([4, 2, 2], 18), x64([2, 2, 3], 19, 0.5)]);
  const lstm = new LSTM({ inputSize: 2, hiddenSize: 2, bidirectional: true, generator: gen(20) });
  checkModule(lstm, (x) => { const r = lstm.forward(x); return flat(r.output, r.h, r.c); }, [x64([3, 2, 2], 21)]);
  const gru = new GRU({ inputSize: 2, hiddenSize: 3, batchFirst: true, generator: gen(22) });
  checkModule(gru, (x) => { const r = gru.forward(x); return flat(r.output, r.h); }, [x64([2, 3, 2], 23)]);
});

test('gradcheck64: LayerNorm, BatchNorm1d and BatchNorm2d in training and eval mode', () => {
  const ln = new LayerNorm([3, 4]);
  checkModule(ln, (x) => ln.forward(x), [x64([2, 3, 4], 24)]);
  for (const bn of [new BatchNorm1d(3), new BatchNorm2d(3)]) {
    const shape = bn instanceof BatchNorm2d ? [2, 3, 2, 3] : [4, 3, 2];
    // non-trivial affine parameters, so the check sees them act
    bn.weight!.data.set([0.5, 1.5, -1]);
    bn.bias!.data.set([0.1, -0.2, 0.3]);
    checkModule(bn, (x) => bn.forward(x), [x64(shape, 25)]);
    bn.eval();
    bn.running_var!.data.set([0.5, 2, 1.5]);
    checkModule(bn, (x) => bn.forward(x), [x64(shape, 26)]);
  }
});

test('gradcheck64: Conv2d and ConvTranspose2d modules (stride, padding, dilation, groups)', () => {
  const conv = new Conv2d(4, 2, 3, { stride: 2, padding: 1, dilation: 1, groups: 2, generator: gen(27) });
  checkModule(conv, (x) => conv.forward(x), [x64([2, 4, 5, 4], 28)]);
  const convT = new ConvTranspose2d(2, 4, [2, 3], { stride: 2, padding: 1, outputPadding: 1, groups: 2, generator: gen(29) });
  checkModule(convT, (x) => convT.forward(x), [x64([1, 2, 3, 3], 30)]);
});

test('gradcheck64: dropout and gaussian noise with fixed draws (the same generator seed on every call)', () => {
  const out = (x: Tensor) => dropout(x, 0.4, true, gen(31));
  const probe = out(x64([6, 5], 32));
  assert.ok(probe.values().some((v) => v === 0), 'some elements are dropped');
  gradcheck(out, [x64([6, 5], 32)]);
  gradcheck((x) => F.tanh(gaussianNoise(x, 0.3, true, gen(33))), [x64([6, 5], 34)]);
});

test('gradcheck64: crossEntropy and nllLoss (weights, ignoreIndex, label smoothing, reductions, [N, C, d])', () => {
  const t = new Tensor(new Int32Array([0, 3, -100, 2, 1]), [5]);
  const w = tensor([0.5, 1, 2, 1.5], { dtype: 'float64' });
  for (const reduction of ['mean', 'sum', 'none'] as const) {
    for (const labelSmoothing of [0, 0.2]) {
      gradcheck((x) => crossEntropy(x, t, { reduction, labelSmoothing }), [x64([5, 4], 33)]);
      gradcheck((x) => crossEntropy(x, t, { reduction, labelSmoothing, weight: w }), [x64([5, 4], 34)]);
    }
    gradcheck((x) => nllLoss(F.logSoftmax(x, 1), t, { reduction, weight: w }), [x64([5, 4], 35)]);
  }
  const t3 = new Tensor(new Int32Array([0, 2, 1, 2, 0, 1]), [2, 3]);
  gradcheck((x) => crossEntropy(x, t3, { labelSmoothing: 0.1 }), [x64([2, 3, 3], 36)]);
});

test('gradcheck64: mseLoss, l1Loss, binaryCrossEntropy, binaryCrossEntropyWithLogits, klDiv', () => {
  for (const reduction of ['mean', 'sum', 'none'] as const) {
    gradcheck((a, b) => mseLoss(a, b, reduction), [x64([3, 4], 37), x64([3, 4], 38)]);
    // l1 has a kink where input = target: inputs kept at least 0.5 apart
    const target = tensor([[1, -1, 1, -1], [-1, 1, -1, 1], [1, 1, -1, -1]], { dtype: 'float64' });
    gradcheck((a) => l1Loss(a, target, reduction), [u64([3, 4], -0.5, 0.5, 39)]);
    const p = u64([3, 4], 0.05, 0.95, 40);
    const y = u64([3, 4], 0, 1, 41);
    gradcheck((q, yy) => binaryCrossEntropy(q, yy, { reduction, weight: u64([4], 0.5, 1.5, 42) }), [p, y]);
    gradcheck((z, yy) => binaryCrossEntropyWithLogits(z, yy, { reduction, posWeight: u64([4], 0.5, 2, 43) }), [x64([3, 4], 44), y]);
  }
  for (const reduction of ['mean', 'sum', 'batchmean', 'none'] as const) {
    gradcheck((lp, q) => klDiv(lp, q, reduction), [F.logSoftmax(x64([3, 4], 45), 1).detach(), F.softmax(x64([3, 4], 46), 1).detach()]);
    gradcheck((lp, lq) => klDiv(lp, lq, reduction, true), [x64([3, 4], 47), x64([3, 4], 48)]);
  }
});

test('float64 values and gradients never round through float32 (split views, class weights, number operands)', () => {
  // 0.1, 0.2, 0.3 are not float32 numbers: any float32 buffer on the way would change them
  const x = tensor([[1, 2], [3, 4], [5, 6]], { dtype: 'float64' }).requiresGrad_();
  const pieces = unbindViews(x, 0);
  F.sum(F.add(F.add(F.mul(pieces[0], 0.1), F.mul(pieces[1], 0.2)), F.mul(pieces[2], 0.3))).backward();
  assert.deepEqual(Array.from(x.grad!.values()), [0.1, 0.1, 0.2, 0.2, 0.3, 0.3]);
  const logp = F.logSoftmax(x64([2, 3], 49), 1).detach().requiresGrad_();
  nllLoss(logp, new Tensor(new Int32Array([2, 0]), [2]), { weight: tensor([0.1, 0.2, 0.3], { dtype: 'float64' }), reduction: 'sum' }).backward();
  assert.deepEqual(Array.from(logp.grad!.values()), [0, 0, -0.3, -0.1, 0, 0]);
  const y = tensor([0.5, 2], { dtype: 'float64' });
  assert.deepEqual(Array.from(F.maximum(y, 0.7).values()), [0.7, 2]);
  assert.deepEqual(Array.from(F.where(F.gt(y, 1), y, 0.1).values()), [0.1, 2]);
  assert.deepEqual(Array.from(F.maskedFill(y, F.gt(y, 1), 0.3).values()), [0.5, 0.3]);
  assert.equal(F.maximum(tensor([0.5]), 0.7).dtype, 'float32', 'a number does not promote a float32 tensor');
});
