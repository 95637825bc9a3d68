// PyTorch parity of the recurrent layers. Forward values: elementwise |a-b| <= 1e-5 + 1e-4·|b|;
// gradients: |a-b| <= 1e-4 + 1e-3·|b| (the fixtures README's tolerances for recurrent cases).
import assert from 'node:assert/strict';
import { GRU, LSTM, RNN } from '../../src/nn/layers/rnn.js';
import { GRUCell, LSTMCell, RNNCell } from '../../src/nn/layers/rnn-cells.js';
import type { Module } from '../../src/nn/module.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { checkParity, fixtureTest, leaf, need, stripPrefix, type Fixture } from '../helpers/fixtures.js';

interface SeqArgs {
  input_size: number;
  hidden_size: number;
  num_layers: number;
  bias: boolean;
  batch_first: boolean;
  dropout: number;
  bidirectional: boolean;
  nonlinearity?: 'tanh' | 'relu';
}

function seqOptions(fx: Fixture) {
  const a = fx.config.args as unknown as SeqArgs;
  return {
    inputSize: a.input_size, hiddenSize: a.hidden_size, numLayers: a.num_layers, bias: a.bias,
    batchFirst: a.batch_first, dropout: a.dropout, bidirectional: a.bidirectional,
  };
}

function load(fx: Fixture, m: Module): void {
  m.loadStateDict(stripPrefix(fx.tensors, 'param.'));
}

/** Leaf copies of the case's inputs that require gradients, by fixture name. */
function inputs(fx: Fixture, names: string[]): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const n of names) if (fx.tensors[n]) out[n] = leaf(fx.tensors[n], true);
  return out;
}

function lengthsOf(fx: Fixture): { lengths?: Int32Array } {
  const l = fx.tensors.lengths;
  return l ? { lengths: l.values() as Int32Array } : {};
}

for (const name of ['lstm_1layer', 'lstm_2layer_bidir']) {
  fixtureTest(name, (fx) => {
    const m = new LSTM(seqOptions(fx));
    load(fx, m);
    const ins = inputs(fx, ['input', 'h0', 'c0']);
    const state = ins.h0 ? ([ins.h0, ins.c0] as [Tensor, Tensor]) : null;
    const r = m.forward(ins.input, state, lengthsOf(fx));
    checkParity(fx, { outputs: { output: r.output, 'output.h_n': r.h, 'output.c_n': r.c }, inputs: ins, module: m });
  });
}

for (const name of ['gru_1layer', 'gru_2layer_bidir_packed']) {
  fixtureTest(name, (fx) => {
    const m = new GRU(seqOptions(fx));
    load(fx, m);
    const ins = inputs(fx, ['input', 'h0']);
    const r = m.forward(ins.input, ins.h0, lengthsOf(fx));
    checkParity(fx, { outputs: { output: r.output, 'output.h_n': r.h }, inputs: ins, module: m });
  });
}

fixtureTest('rnn_tanh', (fx) => {
  const m = new RNN({ ...seqOptions(fx), nonlinearity: (fx.config.args as unknown as SeqArgs).nonlinearity });
  assert.equal(m.nonlinearity, 'tanh');
  load(fx, m);
  const ins = inputs(fx, ['input', 'h0']);
  const r = m.forward(ins.input, ins.h0);
  checkParity(fx, { outputs: { output: r.output, 'output.h_n': r.h }, inputs: ins, module: m });
});

interface CellArgs { input_size: number; hidden_size: number; bias: boolean; nonlinearity?: 'tanh' | 'relu' }

fixtureTest('lstm_cell', (fx) => {
  const a = fx.config.args as unknown as CellArgs;
  const m = new LSTMCell(a.input_size, a.hidden_size, { bias: a.bias });
  load(fx, m);
  const ins = inputs(fx, ['input', 'h0', 'c0']);
  const [h, c] = m.forward(ins.input, [ins.h0, ins.c0]);
  checkParity(fx, { outputs: { 'output.h': h, 'output.c': c }, inputs: ins, module: m });
});

fixtureTest('gru_cell', (fx) => {
  const a = fx.config.args as unknown as CellArgs;
  const m = new GRUCell(a.input_size, a.hidden_size, { bias: a.bias });
  load(fx, m);
  const ins = inputs(fx, ['input', 'h0']);
  checkParity(fx, { outputs: { output: m.forward(ins.input, ins.h0) }, inputs: ins, module: m });
});

fixtureTest('rnn_cell', (fx) => {
  const a = fx.config.args as unknown as CellArgs;
  const m = new RNNCell(a.input_size, a.hidden_size, { bias: a.bias, nonlinearity: a.nonlinearity });
  load(fx, m);
  const ins = inputs(fx, ['input', 'h0']);
  checkParity(fx, { outputs: { output: m.forward(ins.input, ins.h0) }, inputs: ins, module: m });
});

fixtureTest('gru_2layer_bidir_packed', (fx) => {
  // The padded input values must not matter: scramble them and expect the same results.
  const m = new GRU(seqOptions(fx));
  load(fx, m);
  const x = leaf(need(fx, 'input'), true);
  const lens = need(fx, 'lengths').values();
  const [B, T] = x.shape;
  const xv = x.data as Float32Array;
  for (let b = 0; b < B; b++) for (let t = lens[b]; t < T; t++) for (let i = 0; i < x.shape[2]; i++) xv[(b * T + t) * x.shape[2] + i] = 1e3 * (i + 1);
  const ins = { input: x, h0: leaf(need(fx, 'h0'), true) };
  const r = m.forward(ins.input, ins.h0, { lengths: Array.from(lens) });
  checkParity(fx, { outputs: { output: r.output, 'output.h_n': r.h }, inputs: ins, module: m });
}, 'torch parity: gru_2layer_bidir_packed ignores the values in the padding');
