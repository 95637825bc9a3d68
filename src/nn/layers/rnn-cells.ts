import * as F from '../../autograd/ops/index.js';
import { zeros } from '../../tensor/creation.js';
import type { Generator } from '../../tensor/rng.js';
import { fmtShape } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { uniform_ } from '../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { linear } from './linear.js';
import { gruCellStep, lstmCellStep, rnnCellStep, type RNNNonlinearity } from './rnn-steps.js';

export interface RNNCellOptions {
  /** Adds bias_ih and bias_hh (default true). */
  bias?: boolean;
  /** RNNCell only: 'tanh' (default) or 'relu'. */
  nonlinearity?: RNNNonlinearity;
  generator?: Generator;
}

/** A parameter of `shape` drawn from U(-1/√H, 1/√H), PyTorch's default for recurrent layers. */
export function recurrentParameter(shape: readonly number[], hiddenSize: number, generator?: Generator): Parameter {
  const bound = hiddenSize > 0 ? 1 / Math.sqrt(hiddenSize) : 0;
  return new Parameter(uniform_(zeros(shape), -bound, bound, generator));
}

/**
 * Weights shared by the three cells: weight_ih [G·H, in], weight_hh [G·H, H], bias_ih, bias_hh
 * [G·H], G gate blocks stacked in PyTorch order.
 */
abstract class CellBase extends Module {
  weight_ih: Parameter;
  weight_hh: Parameter;
  bias_ih: Parameter | null;
  bias_hh: Parameter | null;

  constructor(readonly inputSize: number, readonly hiddenSize: number, gates: number, opts: RNNCellOptions) {
    super();
    const g = opts.generator;
    this.weight_ih = recurrentParameter([gates * hiddenSize, inputSize], hiddenSize, g);
    this.weight_hh = recurrentParameter([gates * hiddenSize, hiddenSize], hiddenSize, g);
    const bias = opts.bias !== false;
    this.bias_ih = bias ? recurrentParameter([gates * hiddenSize], hiddenSize, g) : null;
    this.bias_hh = bias ? recurrentParameter([gates * hiddenSize], hiddenSize, g) : null;
  }

  /** Validates x [B, in] and a state tensor [B, H] (zeros when absent); returns the state. */
  protected prepare(x: Tensor, state: Tensor | null | undefined, stateName: string): Tensor {
    const name = this.constructor.name;
    if (x.ndim !== 2 || x.shape[1] !== this.inputSize) {
      throw new Error(`${name}(${this.inputSize}, ${this.hiddenSize}): input must be [batch, ${this.inputSize}], got ${fmtShape(x.shape)}`);
    }
    if (!state) return zeros([x.shape[0], this.hiddenSize]);
    if (state.ndim !== 2 || state.shape[0] !== x.shape[0] || state.shape[1] !== this.hiddenSize) {
      throw new Error(`${name}(${this.inputSize}, ${this.hiddenSize}): ${stateName} must be [${x.shape[0]}, ${this.hiddenSize}] for input ${fmtShape(x.shape)}, got ${fmtShape(state.shape)}`);
    }
    return state;
  }

  /**
   * W_ih x + W_hh h + (b_ih + b_hh): the second product accumulates into the first, so a cell
   * stepped through time adds no separate (B, G·H) sums and its weight gradients are summed in place.
   */
  protected preActivation(x: Tensor, h: Tensor): Tensor {
    const bias = this.bias_ih && this.bias_hh ? F.add(this.bias_ih, this.bias_hh) : (this.bias_ih ?? this.bias_hh);
    return linear(h, this.weight_hh, linear(x, this.weight_ih, bias));
  }
}

/** Elman cell: h' = act(W_ih x + b_ih + W_hh h + b_hh), act tanh or relu. */
export class RNNCell extends CellBase {
  readonly nonlinearity: RNNNonlinearity;

  constructor(inputSize: number, hiddenSize: number, opts: RNNCellOptions = {}) {
    super(inputSize, hiddenSize, 1, opts);
    this.nonlinearity = opts.nonlinearity ?? 'tanh';
    if (this.nonlinearity !== 'tanh' && this.nonlinearity !== 'relu') throw new Error(`RNNCell: nonlinearity must be 'tanh' or 'relu', got '${String(this.nonlinearity)}'`);
  }

  /** Shapes: x [B, in], h [B, H] (zeros when omitted) -> h' [B, H]. */
  forward(x: Tensor, h?: Tensor | null): Tensor {
    const h0 = this.prepare(x, h, 'h');
    return rnnCellStep(this.preActivation(x, h0), this.nonlinearity);
  }
}

/** LSTM cell, gates i, f, g, o (see lstmCellStep). */
export class LSTMCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, opts: Omit<RNNCellOptions, 'nonlinearity'> = {}) {
    super(inputSize, hiddenSize, 4, opts);
  }

  /** Shapes: x [B, in], state [h [B, H], c [B, H]] (zeros when omitted) -> [h' [B, H], c' [B, H]]. */
  forward(x: Tensor, state?: readonly [Tensor, Tensor] | null): [Tensor, Tensor] {
    const h0 = this.prepare(x, state?.[0], 'h');
    const c0 = this.prepare(x, state?.[1], 'c');
    const { h, c } = lstmCellStep(this.preActivation(x, h0), c0); // gates (B, 4H)
    return [h, c];
  }
}

/** GRU cell, gates r, z, n (see gruCellStep). */
export class GRUCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, opts: Omit<RNNCellOptions, 'nonlinearity'> = {}) {
    super(inputSize, hiddenSize, 3, opts);
  }

  /** Shapes: x [B, in], h [B, H] (zeros when omitted) -> h' [B, H]. */
  forward(x: Tensor, h?: Tensor | null): Tensor {
    const h0 = this.prepare(x, h, 'h');
    return gruCellStep(linear(x, this.weight_ih, this.bias_ih), linear(h0, this.weight_hh, this.bias_hh), h0);
  }
}
