import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as F from '../../src/autograd/ops/index.js';
import { backward } from '../../src/autograd/engine.js';
import { ones, randn, tensor, zeros } from '../../src/tensor/creation.js';
import { Generator } from '../../src/tensor/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { Module } from '../../src/nn/module.js';
import { Parameter } from '../../src/nn/parameter.js';
import * as init from '../../src/nn/init.js';
import { Linear } from '../../src/nn/layers/linear.js';
import { Embedding } from '../../src/nn/layers/embedding.js';
import { Dropout, dropout } from '../../src/nn/layers/dropout.js';
import { ModuleList, Sequential } from '../../src/nn/layers/containers.js';
import { ReLU } from '../../src/nn/layers/activations.js';
import { BatchNorm1d, LayerNorm } from '../../src/nn/layers/normalization.js';

class Block extends Module {
  proj: Linear;
  norm: LayerNorm;
  drop: Dropout;
  constructor(g: Generator) {
    super();
    this.proj = new Linear(4, 4, { generator: g });
    this.norm = new LayerNorm(4);
    this.drop = new Dropout(0.1);
  }
  forward(x: Tensor): Tensor {
    return this.drop.forward(this.norm.forward(this.proj.forward(x)));
  }
}

class Net extends Module {
  embed: Embedding;
  layers: ModuleList<Block>;
  head: Sequential;
  scale: Parameter;
  constructor(g = new Generator(1)) {
    super();
    this.embed = new Embedding(10, 4, { generator: g });
    this.layers = new ModuleList([new Block(g), new Block(g)]);
    this.head = new Sequential(new Linear(4, 3, { generator: g }), new ReLU(), new Linear(3, 2, { bias: false, generator: g }));
    this.scale = new Parameter(ones([1]));
  }
  forward(idx: Tensor): Tensor {
    let h = this.embed.forward(idx);
    for (const b of this.layers) h = b.forward(h);
    return F.mul(this.head.forward(h) as Tensor, this.scale);
  }
}

const EXPECTED_NAMES = [
  'embed.weight',
  'layers.0.proj.weight', 'layers.0.proj.bias', 'layers.0.norm.weight', 'layers.0.norm.bias',
  'layers.1.proj.weight', 'layers.1.proj.bias', 'layers.1.norm.weight', 'layers.1.norm.bias',
  'head.0.weight', 'head.0.bias', 'head.2.weight',
  'scale',
];

test('parameters are discovered with dotted names in definition order', () => {
  const net = new Net();
  assert.deepEqual(net.namedParameters().map(([k]) => k).sort(), [...EXPECTED_NAMES].sort());
  // own parameters come first, then children depth-first
  assert.deepEqual(net.namedParameters().map(([k]) => k), ['scale', ...EXPECTED_NAMES.filter((n) => n !== 'scale')]);
  assert.deepEqual(new Sequential(new Linear(2, 3), new Linear(3, 1)).namedParameters().map(([k]) => k), ['0.weight', '0.bias', '1.weight', '1.bias']);
  assert.equal(net.numParameters(), 40 + 2 * (16 + 4 + 4 + 4) + (12 + 3) + 6 + 1);
  assert.deepEqual(net.namedModules().map(([k]) => k), [
    '', 'embed', 'layers', 'layers.0', 'layers.0.proj', 'layers.0.norm', 'layers.0.drop',
    'layers.1', 'layers.1.proj', 'layers.1.norm', 'layers.1.drop', 'head', 'head.0', 'head.1', 'head.2',
  ]);
  // a parameter shared by two modules is listed once
  const a = new Linear(2, 2), b = new Linear(2, 2);
  b.weight = a.weight;
  const both = new Sequential(a, b);
  assert.equal(both.parameters().length, 3);
  assert.equal(both.numParameters(), 4 + 2 + 2);
  assert.equal(net.layers.at(-1), net.layers.at(1));
  assert.throws(() => net.layers.at(2), /ModuleList: index 2 out of range \(length 2\)/);
});

test('train() and eval() reach every descendant', () => {
  const net = new Net();
  assert.ok(net.modules().every((m) => m.training));
  net.eval();
  assert.ok(net.modules().every((m) => !m.training));
  net.layers.at(0).train();
  assert.equal(net.layers.at(0).drop.training, true);
  assert.equal(net.layers.at(1).drop.training, false);
  net.train();
  assert.ok(net.modules().every((m) => m.training));
});

test('stateDict/loadStateDict round trip, buffers included, copies values', () => {
  const src = new Sequential(new Linear(3, 4, { generator: new Generator(1) }), new BatchNorm1d(4));
  const dst = new Sequential(new Linear(3, 4, { generator: new Generator(2) }), new BatchNorm1d(4));
  (src.at(1) as BatchNorm1d).running_mean!.data.set([1, 2, 3, 4]);
  const sd = src.stateDict();
  assert.deepEqual(Object.keys(sd), ['0.weight', '0.bias', '1.weight', '1.bias', '1.running_mean', '1.running_var', '1.num_batches_tracked']);
  const res = dst.loadStateDict(sd);
  assert.deepEqual(res, { missing: [], unexpected: [] });
  for (const [k, v] of Object.entries(dst.stateDict())) assert.deepEqual([...v.values()], [...sd[k].values()], k);
  // values are copied, not aliased
  (src.at(0) as Linear).weight.data[0] = 123;
  assert.notEqual((dst.at(0) as Linear).weight.data[0], 123);
});

test('strict loadStateDict lists missing, unexpected and mismatched keys together', () => {
  const net = new Sequential(new Linear(3, 4), new Linear(4, 2));
  const sd = { ...net.stateDict() };
  delete sd['1.bias'];
  sd['2.weight'] = zeros([1]);
  sd['0.weight'] = zeros([4, 4]);
  let msg = '';
  try {
    net.loadStateDict(sd);
  } catch (e) {
    msg = (e as Error).message;
  }
  assert.match(msg, /^loadStateDict: /);
  assert.match(msg, /0\.weight: expected \[4,3\], got \[4,4\]/);
  assert.match(msg, /missing keys: 1\.bias/);
  assert.match(msg, /unexpected keys: 2\.weight/);
  // a failed load changes nothing
  const before = [...(net.at(0) as Linear).bias!.data];
  sd['0.bias'] = ones([4]);
  assert.throws(() => net.loadStateDict(sd));
  assert.deepEqual([...(net.at(0) as Linear).bias!.data], before);
  // non-strict: mismatched shapes still throw, missing/unexpected are reported
  const ok = { ...net.stateDict() };
  delete ok['1.bias'];
  ok.extra = zeros([1]);
  assert.deepEqual(net.loadStateDict(ok, false), { missing: ['1.bias'], unexpected: ['extra'] });
  assert.throws(() => net.loadStateDict({ '0.weight': zeros([2]) }, false), /0\.weight: expected \[4,3\], got \[2\]/);
  const bn = new BatchNorm1d(2);
  const bsd = { ...bn.stateDict(), num_batches_tracked: zeros([]) };
  assert.throws(() => bn.loadStateDict(bsd), /num_batches_tracked: expected dtype int32, got float32/);
});

test('forward pre-hooks and hooks: called, can replace, removable', () => {
  const lin = new Linear(2, 2, { generator: new Generator(3) });
  const x = tensor([[1, 2]]);
  const plain = lin.forward(x);
  const calls: string[] = [];
  const removePre = lin.registerForwardPreHook((m, inputs) => {
    calls.push('pre');
    assert.equal(m, lin);
    return [F.mul(inputs[0] as Tensor, 2)];
  });
  const removePost = lin.registerForwardHook((m, inputs, out) => {
    calls.push('post');
    assert.deepEqual((inputs[0] as Tensor).toArray(), [[2, 4]], 'the hook sees the replaced inputs');
    return F.add(out as Tensor, 100);
  });
  const y = lin.forward(x);
  assert.deepEqual(calls, ['pre', 'post']);
  const w = lin.weight.toArray() as number[][], b = lin.bias!.toArray() as number[];
  for (let o = 0; o < 2; o++) {
    const want = 2 * (w[o][0] * 1 + w[o][1] * 2) + b[o] + 100;
    assert.ok(Math.abs((y.toArray() as number[][])[0][o] - want) < 1e-5);
  }
  // a hook returning undefined leaves the output alone
  const removeObserve = lin.registerForwardHook(() => { calls.push('observe'); });
  removePre();
  removePost();
  calls.length = 0;
  assert.deepEqual(lin.forward(x).toArray(), plain.toArray());
  assert.deepEqual(calls, ['observe']);
  removeObserve();
  calls.length = 0;
  lin.forward(x);
  assert.deepEqual(calls, []);
  // hooks fire when the module is called from inside a container
  const seq = new Sequential(lin);
  let seen = 0;
  lin.registerForwardHook(() => { seen++; });
  seq.forward(x);
  assert.equal(seen, 1);
});

test('zeroGrad clears gradients of every parameter', () => {
  const net = new Net();
  const out = net.forward(tensor([[1, 2, 3]], { dtype: 'int32' }));
  backward(F.sum(out));
  assert.ok(net.parameters().some((p) => p.grad !== null));
  net.zeroGrad();
  assert.ok(net.parameters().every((p) => p.grad === null));
});

function stats(t: Tensor): { mean: number; std: number; min: number; max: number } {
  const v = t.values();
  let s = 0, min = Infinity, max = -Infinity;
  for (const x of v) { s += x; min = Math.min(min, x); max = Math.max(max, x); }
  const mean = s / v.length;
  let ss = 0;
  for (const x of v) ss += (x - mean) ** 2;
  return { mean, std: Math.sqrt(ss / (v.length - 1)), min, max };
}

test('orthogonal_ gives orthonormal rows (wide) or columns (tall), scaled by gain', () => {
  for (const [r, c] of [[5, 12], [12, 5], [7, 7]]) {
    const w = init.orthogonal_(zeros([r, c]), 1, new Generator(r * 100 + c));
    const wt = F.matmul(w, F.transpose(w)); // [r, r]
    const tw = F.matmul(F.transpose(w), w); // [c, c]
    const gram = r <= c ? wt : tw;
    const k = Math.min(r, c);
    const g = gram.toArray() as number[][];
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) assert.ok(Math.abs(g[i][j] - (i === j ? 1 : 0)) < 1e-5, `[${r},${c}] gram[${i}][${j}] = ${g[i][j]}`);
  }
  const w = init.orthogonal_(zeros([3, 3]), 2, new Generator(1));
  const g = F.matmul(w, F.transpose(w)).toArray() as number[][];
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(g[i][i] - 4) < 1e-4);
  // a 3-D tensor is flattened to [rows, rest]
  const w3 = init.orthogonal_(zeros([2, 3, 4]), 1, new Generator(2));
  const m = F.reshape(w3, [2, 12]);
  const g3 = F.matmul(m, F.transpose(m)).toArray() as number[][];
  assert.ok(Math.abs(g3[0][1]) < 1e-5 && Math.abs(g3[1][1] - 1) < 1e-5);
});

test('xavier and kaiming: bounds and empirical std match the formulas', () => {
  const shape = [200, 300]; // fan_out 200, fan_in 300; 60000 values
  const n = 60000;
  // sample std of n draws has relative SE about 1/sqrt(2n) (normal) and is tighter for uniform;
  // 5 SE = 1.5%: a wrong formula (e.g. fan_in instead of fan_in+fan_out) is off by far more.
  const relTol = 5 / Math.sqrt(2 * n);
  const xa = Math.sqrt(6 / 500);
  const xu = stats(init.xavierUniform_(zeros(shape), 1, new Generator(1)));
  assert.ok(xu.min >= -xa && xu.max < xa, `xavier uniform range [${xu.min}, ${xu.max}] vs ±${xa}`);
  assert.ok(xu.max > 0.99 * xa && xu.min < -0.99 * xa, 'xavier uniform fills its range');
  assert.ok(Math.abs(xu.std / (xa / Math.sqrt(3)) - 1) < relTol, `xavier uniform std ${xu.std}`);
  const xn = stats(init.xavierNormal_(zeros(shape), 2, new Generator(2)));
  assert.ok(Math.abs(xn.std / (2 * Math.sqrt(2 / 500)) - 1) < relTol, `xavier normal std ${xn.std}`);
  // kaiming uniform, relu, fan_in: bound sqrt(3)·sqrt(2)/sqrt(300)
  const kb = Math.sqrt(3) * Math.SQRT2 / Math.sqrt(300);
  const ku = stats(init.kaimingUniform_(zeros(shape), { nonlinearity: 'relu', generator: new Generator(3) }));
  assert.ok(ku.min >= -kb && ku.max < kb && ku.max > 0.99 * kb);
  assert.ok(Math.abs(ku.std / (kb / Math.sqrt(3)) - 1) < relTol, `kaiming uniform std ${ku.std}`);
  // kaiming normal, fan_out, leaky_relu a=0.2: std = sqrt(2/(1+0.04))/sqrt(200)
  const kn = stats(init.kaimingNormal_(zeros(shape), { mode: 'fan_out', a: 0.2, generator: new Generator(4) }));
  assert.ok(Math.abs(kn.std / (Math.sqrt(2 / 1.04) / Math.sqrt(200)) - 1) < relTol, `kaiming normal std ${kn.std}`);
  assert.ok(Math.abs(kn.mean) < 5 * kn.std / Math.sqrt(n));
  // fan computation includes the receptive field (conv weights)
  assert.deepEqual(init.fanInOut(zeros([8, 3, 5, 5])), { fanIn: 75, fanOut: 200 });
  assert.throws(() => init.fanInOut(zeros([4])), /fanInOut: needs at least 2 dimensions, got \[4\]/);
  assert.equal(init.calculateGain('tanh'), 5 / 3);
  assert.equal(init.calculateGain('leaky_relu', 0), Math.SQRT2);
});

test('PyTorch default init ranges for Linear and Embedding', () => {
  const lin = new Linear(64, 500, { generator: new Generator(9) });
  const bound = 1 / 8;
  const w = stats(lin.weight), b = stats(lin.bias!);
  assert.ok(w.min >= -bound && w.max < bound && w.max > 0.98 * bound && w.min < -0.98 * bound, `Linear weight range [${w.min}, ${w.max}]`);
  assert.ok(b.min >= -bound && b.max < bound && b.max > 0.9 * bound, `Linear bias range [${b.min}, ${b.max}]`);
  assert.ok(Math.abs(w.std / (bound / Math.sqrt(3)) - 1) < 0.02);
  const emb = new Embedding(1000, 32, { paddingIdx: 3, generator: new Generator(10) });
  const e = stats(emb.weight);
  assert.ok(Math.abs(e.std - 1) < 0.02 && Math.abs(e.mean) < 0.02, `Embedding N(0,1): mean ${e.mean} std ${e.std}`);
  assert.deepEqual([...emb.weight.data.subarray(3 * 32, 4 * 32)], new Array(32).fill(0), 'padding row is zero');
  assert.throws(() => new Embedding(5, 2, { paddingIdx: 5 }), /Embedding: paddingIdx 5 is out of range for 5 embeddings/);
  // same generator seed, same weights
  assert.deepEqual([...new Linear(3, 2, { generator: new Generator(4) }).weight.data], [...new Linear(3, 2, { generator: new Generator(4) }).weight.data]);
});

test('Dropout: identity in eval, mask rate and 1/(1-p) scaling in train, seeded', () => {
  const x = randn([200, 100], { generator: new Generator(1) });
  const d = new Dropout(0.3, new Generator(5));
  d.eval();
  assert.equal(d.forward(x), x);
  d.train();
  const y = d.forward(x);
  const xv = x.values(), yv = y.values();
  let dropped = 0;
  for (let i = 0; i < xv.length; i++) {
    if (yv[i] === 0) dropped++;
    else assert.ok(Math.abs(yv[i] - xv[i] / 0.7) <= 1e-6 * Math.abs(xv[i] / 0.7), `kept value ${i} scaled by 1/(1-p)`);
  }
  // 20000 Bernoulli(0.3) draws: SE sqrt(0.21/20000) = 0.0032
  assert.ok(Math.abs(dropped / xv.length - 0.3) < 5 * Math.sqrt(0.21 / 20000), `drop rate ${dropped / xv.length}`);
  const a = dropout(x, 0.5, true, new Generator(8)).values();
  const b = dropout(x, 0.5, true, new Generator(8)).values();
  assert.deepEqual([...a], [...b]);
  assert.notDeepEqual([...a], [...dropout(x, 0.5, true, new Generator(9)).values()]);
  assert.ok([...dropout(x, 1, true).values()].every((v) => v === 0));
  assert.equal(dropout(x, 0, true), x);
  assert.throws(() => new Dropout(1.5), /Dropout: probability must be in \[0, 1\], got 1\.5/);
  // the gradient goes through the same mask
  const leafX = randn([4, 5], { generator: new Generator(2) }).requiresGrad_();
  const out = dropout(leafX, 0.5, true, new Generator(3));
  backward(F.sum(out));
  const ov = out.values(), gv = leafX.grad!.values();
  for (let i = 0; i < ov.length; i++) assert.equal(gv[i], ov[i] === 0 ? 0 : 2);
});
