/**
 * Layers and activations against PyTorch (test/fixtures/torch, types "module" and
 * "activation"): outputs, gradients of inputs and parameters, and BatchNorm's running statistics,
 * all within |a-b| <= 1e-5 + 1e-4·|b|.
 */
import assert from 'node:assert/strict';
import * as F from '../../src/autograd/ops/index.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import type { Module } from '../../src/nn/module.js';
import { Bilinear, Linear } from '../../src/nn/layers/linear.js';
import { Embedding } from '../../src/nn/layers/embedding.js';
import { BatchNorm1d, BatchNorm2d, LayerNorm } from '../../src/nn/layers/normalization.js';
import { ELU, GELU, LeakyReLU, LogSoftmax, Softmax, Softplus } from '../../src/nn/layers/activations.js';
import { FORWARD_TOL, assertClose, checkParity, fixtureTest, leaf, need, stripPrefix, type Fixture } from '../helpers/fixtures.js';

const num = (fx: Fixture, k: string) => fx.config.args![k] as number;

/** Loads `param.*` and `buffer.*` into the module (strict: every key must match). */
function load(fx: Fixture, m: Module): void {
  m.loadStateDict({ ...stripPrefix(fx.tensors, 'param.'), ...stripPrefix(fx.tensors, 'buffer.') });
  if (fx.config.mode === 'eval') m.eval();
  else m.train();
}

function checkModule(fx: Fixture, m: Module, inputNames: string[], run: (...xs: Tensor[]) => Tensor): void {
  load(fx, m);
  const inputs: Record<string, Tensor> = {};
  for (const n of inputNames) {
    const t = need(fx, n);
    inputs[n] = t.dtype === 'int32' ? t : leaf(t, true);
  }
  const out = run(...inputNames.map((n) => inputs[n]));
  checkParity(fx, { outputs: { output: out }, inputs, module: m, forwardTol: FORWARD_TOL, gradTol: FORWARD_TOL });
}

for (const name of ['linear', 'linear_3d']) {
  fixtureTest(name, (fx) => {
    const m = new Linear(num(fx, 'in_features'), num(fx, 'out_features'), { bias: fx.config.args!.bias as boolean });
    checkModule(fx, m, ['input'], (x) => m.forward(x));
  });
}

fixtureTest('bilinear', (fx) => {
  const m = new Bilinear(num(fx, 'in1_features'), num(fx, 'in2_features'), num(fx, 'out_features'));
  checkModule(fx, m, ['input1', 'input2'], (a, b) => m.forward(a, b));
});

fixtureTest('embedding', (fx) => {
  const m = new Embedding(num(fx, 'num_embeddings'), num(fx, 'embedding_dim'), { paddingIdx: num(fx, 'padding_idx') });
  assert.equal(need(fx, 'input').dtype, 'int32');
  checkModule(fx, m, ['input'], (x) => m.forward(x));
  // the padding row receives no gradient
  const d = num(fx, 'embedding_dim'), p = num(fx, 'padding_idx');
  assert.deepEqual([...m.weight.grad!.values().subarray(p * d, (p + 1) * d)], new Array(d).fill(0));
});

fixtureTest('layernorm', (fx) => {
  const m = new LayerNorm(fx.config.args!.normalized_shape as number[], num(fx, 'eps'), fx.config.args!.elementwise_affine as boolean);
  checkModule(fx, m, ['input'], (x) => m.forward(x));
});

for (const name of ['batchnorm1d_train', 'batchnorm1d_eval', 'batchnorm2d_train', 'batchnorm2d_eval']) {
  fixtureTest(name, (fx) => {
    const Cls = name.startsWith('batchnorm1d') ? BatchNorm1d : BatchNorm2d;
    const a = fx.config.args!;
    const m = new Cls(num(fx, 'num_features'), num(fx, 'eps'), num(fx, 'momentum'), a.affine as boolean, a.track_running_stats as boolean);
    checkModule(fx, m, ['input'], (x) => m.forward(x));
    const after = stripPrefix(fx.tensors, fx.config.mode === 'train' ? 'buffer_after.' : 'buffer.');
    assert.deepEqual(Object.keys(after).sort(), ['num_batches_tracked', 'running_mean', 'running_var']);
    assertClose(m.running_mean, after.running_mean, FORWARD_TOL, `${name} running_mean`);
    assertClose(m.running_var, after.running_var, FORWARD_TOL, `${name} running_var`);
    assert.equal(m.num_batches_tracked!.item(), after.num_batches_tracked.item(), `${name} num_batches_tracked`);
    if (fx.config.mode === 'train') assert.notDeepEqual([...after.running_mean.values()], [...need(fx, 'buffer.running_mean').values()]);
  });
}

/** Activation modules built from the case's `args`. */
function activation(fx: Fixture): Module & { forward(x: Tensor): Tensor } {
  const a = fx.config.args ?? {};
  switch (String(fx.config.function)) {
    case 'torch.nn.functional.gelu':
      assert.equal(a.approximate, 'none');
      return new GELU();
    case 'torch.nn.functional.elu': return new ELU(a.alpha as number);
    case 'torch.nn.functional.leaky_relu': return new LeakyReLU(a.negative_slope as number);
    case 'torch.nn.functional.softplus': return new Softplus(a.beta as number, a.threshold as number);
    case 'torch.nn.functional.softmax': return new Softmax(a.dim as number);
    case 'torch.nn.functional.log_softmax': return new LogSoftmax(a.dim as number);
    default: throw new Error(`${fx.config.case}: no activation for ${String(fx.config.function)}`);
  }
}

for (const name of ['gelu', 'elu', 'leaky_relu', 'softplus', 'softmax', 'log_softmax', 'softmax_dim1_3d', 'log_softmax_dim1_3d']) {
  fixtureTest(name, (fx) => {
    assert.equal(fx.config.type, 'activation');
    const m = activation(fx);
    const x = leaf(need(fx, 'input'), true);
    checkParity(fx, { outputs: { output: m.forward(x) }, inputs: { input: x }, forwardTol: FORWARD_TOL, gradTol: FORWARD_TOL });
  });
}

fixtureTest('softplus', (fx) => {
  // the case has inputs on both sides of the threshold, so both branches were compared above
  const x = need(fx, 'input').values();
  const beta = num(fx, 'beta'), threshold = num(fx, 'threshold');
  assert.ok([...x].some((v) => beta * v > threshold) && [...x].some((v) => beta * v <= threshold));
  assert.throws(() => F.softplus(need(fx, 'input'), 0), /softplus: beta must be positive, got 0/);
}, 'softplus fixture covers both sides of the threshold');
