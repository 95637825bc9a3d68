import * as F from '../../autograd/ops/index.js';
import { zeros } from '../../tensor/creation.js';
import type { Generator } from '../../tensor/rng.js';
import { fmtShape } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { Module } from '../module.js';
import type { Parameter } from '../parameter.js';
import { dropout } from './dropout.js';
import { linear } from './linear.js';
import { recurrentParameter } from './rnn-cells.js';
import { gruCellStep, lstmCellStep, rnnCellStep, type RNNNonlinearity } from './rnn-steps.js';
import { unbindViews } from '../../autograd/ops/split-views.js';

/** Configuration of RNN, LSTM and GRU; defaults as in PyTorch. */
export interface RNNOptions {
  inputSize: number;
  hiddenSize: number;
  /** Stacked layers; layer k > 0 reads layer k-1's output (default 1). */
  numLayers?: number;
  /** Adds bias_ih and bias_hh to every layer (default true). */
  bias?: boolean;
  /** Input and output are [B, T, features] instead of [T, B, features] (default false). States stay [L·D, B, H]. */
  batchFirst?: boolean;
  /** Dropout probability on each layer's output except the last, in train mode only (default 0). */
  dropout?: number;
  /** Adds a reverse-time direction per layer, outputs concatenated [forward | reverse] (default false). */
  bidirectional?: boolean;
  /** RNN only: 'tanh' (default) or 'relu'. */
  nonlinearity?: RNNNonlinearity;
  /** Source of the initial weights and of the dropout masks. */
  generator?: Generator;
}

/** Per-call options of the sequence layers. */
export interface RNNForwardOptions {
  /**
   * Valid length of each batch row (0..T) for right-padded batches. Gives PyTorch's packed-sequence
   * results: zero outputs past each length, final states taken at each row's last valid step, the
   * reverse direction starting at each row's own last valid step, no gradient into padding.
   */
  lengths?: Int32Array | readonly number[] | Tensor;
}

/** Result of RNN and GRU: output [T, B, D·H] (or [B, T, D·H]) and final hidden states h [L·D, B, H]. */
export interface RNNResult {
  output: Tensor;
  h: Tensor;
}

/** Result of LSTM: as RNNResult plus the final cell states c [L·D, B, H]. */
export interface LSTMResult extends RNNResult {
  c: Tensor;
}

type Mode = 'RNN' | 'LSTM' | 'GRU';

const GATES: Record<Mode, number> = { RNN: 1, LSTM: 4, GRU: 3 };

interface LayerWeights {
  wih: Parameter;
  whh: Parameter;
  bih: Parameter | null;
  bhh: Parameter | null;
}

/**
 * Shared machinery of the multi-layer recurrent layers. Parameters are named as PyTorch names
 * them (`weight_ih_l0`, `bias_hh_l1_reverse`, ...) in PyTorch's order, so state dicts travel both
 * ways. Each layer computes its input projection for all time steps in one matmul and loops over
 * time only for the recurrent product and the cell step.
 */
abstract class RNNBase extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  readonly generator: Generator | undefined;
  /** Nonlinearity of the plain RNN's step (unused by LSTM and GRU). */
  protected readonly act: RNNNonlinearity;

  constructor(private readonly mode: Mode, opts: RNNOptions) {
    super();
    const name = mode;
    const { inputSize, hiddenSize } = opts;
    const numLayers = opts.numLayers ?? 1;
    const p = opts.dropout ?? 0;
    if (!Number.isInteger(inputSize) || inputSize <= 0) throw new Error(`${name}: inputSize must be a positive integer, got ${inputSize}`);
    if (!Number.isInteger(hiddenSize) || hiddenSize <= 0) throw new Error(`${name}: hiddenSize must be a positive integer, got ${hiddenSize}`);
    if (!Number.isInteger(numLayers) || numLayers <= 0) throw new Error(`${name}: numLayers must be a positive integer, got ${numLayers}`);
    if (!(p >= 0 && p <= 1)) throw new Error(`${name}: dropout must be in [0, 1], got ${p}`);
    this.act = opts.nonlinearity ?? 'tanh';
    if (this.act !== 'tanh' && this.act !== 'relu') throw new Error(`${name}: nonlinearity must be 'tanh' or 'relu', got '${String(this.act)}'`);
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.numLayers = numLayers;
    this.bias = opts.bias !== false;
    this.batchFirst = opts.batchFirst ?? false;
    this.dropout = p;
    this.bidirectional = opts.bidirectional ?? false;
    this.generator = opts.generator;
    const G = GATES[mode] * hiddenSize;
    const D = this.numDirections;
    for (let l = 0; l < numLayers; l++) {
      const layerIn = l === 0 ? inputSize : hiddenSize * D;
      for (let d = 0; d < D; d++) {
        const sfx = RNNBase.suffix(l, d);
        this.registerParameter(`weight_ih${sfx}`, recurrentParameter([G, layerIn], hiddenSize, opts.generator));
        this.registerParameter(`weight_hh${sfx}`, recurrentParameter([G, hiddenSize], hiddenSize, opts.generator));
        if (this.bias) {
          this.registerParameter(`bias_ih${sfx}`, recurrentParameter([G], hiddenSize, opts.generator));
          this.registerParameter(`bias_hh${sfx}`, recurrentParameter([G], hiddenSize, opts.generator));
        }
      }
    }
  }

  /** 2 when bidirectional, else 1. */
  get numDirections(): number {
    return this.bidirectional ? 2 : 1;
  }

  private static suffix(layer: number, direction: number): string {
    return `_l${layer}${direction === 1 ? '_reverse' : ''}`;
  }

  /** The parameters of one layer and direction, looked up by name (so replaced parameters are seen). */
  private layerWeights(l: number, d: number): LayerWeights {
    const self = this as unknown as Record<string, Parameter | null>;
    const sfx = RNNBase.suffix(l, d);
    return { wih: self[`weight_ih${sfx}`]!, whh: self[`weight_hh${sfx}`]!, bih: self[`bias_ih${sfx}`] ?? null, bhh: self[`bias_hh${sfx}`] ?? null };
  }

  private describe(): string {
    const extras = [this.numLayers > 1 ? `${this.numLayers} layers` : '', this.bidirectional ? 'bidirectional' : '', this.batchFirst ? 'batchFirst' : '']
      .filter(Boolean).join(', ');
    return `${this.mode}(${this.inputSize} -> ${this.hiddenSize}${extras ? `, ${extras}` : ''})`;
  }

  /**
   * Runs all layers. Shapes: x [T, B, in] ([B, T, in] when batchFirst; [T, in] unbatched),
   * h0 / c0 [L·D, B, H] ([L·D, H] unbatched) -> output [T, B, D·H] (or [B, T, D·H]), h / c [L·D, B, H].
   */
  protected run(x: Tensor, h0: Tensor | null, c0: Tensor | null, opts: RNNForwardOptions): { output: Tensor; h: Tensor; c: Tensor | null } {
    const isLSTM = this.mode === 'LSTM';
    const L = this.numLayers, D = this.numDirections, H = this.hiddenSize;
    const timeFirstShape = this.batchFirst ? '[B, T, ' : '[T, B, ';
    if ((x.ndim !== 3 && x.ndim !== 2) || x.shape[x.ndim - 1] !== this.inputSize) {
      throw new Error(`${this.describe()}: input must be ${timeFirstShape}${this.inputSize}] (or [T, ${this.inputSize}] unbatched), got ${fmtShape(x.shape)}`);
    }
    const inputShape = x.shape;
    const unbatched = x.ndim === 2;
    if (unbatched) {
      if (opts.lengths !== undefined) throw new Error(`${this.describe()}: lengths need a batched input, got ${fmtShape(x.shape)}`);
      x = F.unsqueeze(x, this.batchFirst ? 0 : 1);
    }
    const tdim = this.batchFirst ? 1 : 0;
    const T = x.shape[tdim], B = x.shape[1 - tdim];
    const stateShape = unbatched ? [L * D, H] : [L * D, B, H];
    const checkState = (s: Tensor | null, what: string): Tensor[] | null => {
      if (!s) return null;
      if (s.ndim !== stateShape.length || s.shape.some((v, i) => v !== stateShape[i])) {
        throw new Error(`${this.describe()}: ${what} must be ${fmtShape(stateShape)} (numLayers·directions, ${unbatched ? '' : 'batch, '}hiddenSize) for input ${fmtShape(inputShape)}, got ${fmtShape(s.shape)}`);
      }
      return unbindViews(unbatched ? F.unsqueeze(s, 1) : s, 0);
    };
    const h0s = checkState(h0, 'h0');
    const c0s = isLSTM ? checkState(c0, 'c0') : null;
    const { masks, maxLen } = this.stepMasks(opts.lengths, T, B);

    const zeroState = zeros([B, H]);
    const hN: Tensor[] = [], cN: Tensor[] = [];
    let layerIn = x;
    for (let l = 0; l < L; l++) {
      const inSize = layerIn.shape[2];
      const flat = F.reshape(layerIn, [-1, inSize]); // (T·B, in), rows in layerIn's order
      const dirOuts: Tensor[] = [];
      for (let d = 0; d < D; d++) {
        const w = this.layerWeights(l, d);
        // LSTM and RNN add both biases before the nonlinearity, so b_hh joins the projection once
        // per sequence instead of once per step; GRU keeps b_hn apart (it is gated by r).
        const projBias = this.mode === 'GRU' || !w.bih || !w.bhh ? w.bih : F.add(w.bih, w.bhh);
        const xp = F.reshape(linear(flat, w.wih, projBias), [layerIn.shape[0], layerIn.shape[1], -1]); // (T, B, G·H) or (B, T, G·H)
        const xs = unbindViews(xp, tdim); // T × (B, G·H)
        const k = l * D + d;
        let h = h0s ? h0s[k] : zeroState;
        let c = c0s ? c0s[k] : zeroState;
        const outs: Tensor[] = new Array<Tensor>(T);
        for (let s = 0; s < T; s++) {
          const t = d === 1 ? T - 1 - s : s;
          if (t >= maxLen) { outs[t] = zeroState; continue; } // every row is padding here: state unchanged
          let hNew: Tensor;
          let cNew: Tensor | null = null;
          // x-projection + h·W_hhᵀ in one GEMM accumulating into a copy of the projection; W_hh's
          // gradient is then summed over steps by β = 1 GEMMs into one buffer
          if (this.mode === 'LSTM') ({ h: hNew, c: cNew } = lstmCellStep(linear(h, w.whh, xs[t]), c));
          else if (this.mode === 'GRU') hNew = gruCellStep(xs[t], linear(h, w.whh, w.bhh), h); // b_hh apart: r gates its n block
          else hNew = rnnCellStep(linear(h, w.whh, xs[t]), this.act);
          const m = masks[t]; // (B, 1), or null when every row is valid at t
          if (m) {
            outs[t] = F.mul(hNew, m);
            h = F.where(m, hNew, h);
            if (cNew) c = F.where(m, cNew, c);
          } else {
            outs[t] = hNew;
            h = hNew;
            if (cNew) c = cNew;
          }
        }
        dirOuts.push(F.stack(outs, tdim)); // (T, B, H) or (B, T, H)
        hN.push(h);
        if (isLSTM) cN.push(c);
      }
      const out = D === 1 ? dirOuts[0] : F.concat(dirOuts, 2); // (T, B, D·H) or (B, T, D·H)
      layerIn = l < L - 1 && this.dropout > 0 ? dropout(out, this.dropout, this.training, this.generator) : out;
    }
    let output = layerIn, h = F.stack(hN, 0), c = isLSTM ? F.stack(cN, 0) : null; // (L·D, B, H)
    if (unbatched) {
      output = F.squeeze(output, 1 - tdim);
      h = F.squeeze(h, 1);
      if (c) c = F.squeeze(c, 1);
    }
    return { output, h, c };
  }

  /** Validity masks per time step ([B, 1], 1 = valid; null where every row is valid) and the longest length. */
  private stepMasks(lengths: RNNForwardOptions['lengths'], T: number, B: number): { masks: (Tensor | null)[]; maxLen: number } {
    const masks = new Array<Tensor | null>(T).fill(null);
    if (lengths === undefined) return { masks, maxLen: T };
    const lens = lengths instanceof Tensor ? Array.from(lengths.values()) : Array.from(lengths);
    if (lens.length !== B) throw new Error(`${this.describe()}: lengths has ${lens.length} entries for a batch of ${B}`);
    for (const n of lens) {
      if (!Number.isInteger(n) || n < 0 || n > T) throw new Error(`${this.describe()}: lengths must be integers in [0, ${T}] (sequence length), got [${lens.join(', ')}]`);
    }
    const maxLen = Math.max(0, ...lens);
    const minLen = Math.min(...lens);
    for (let t = minLen; t < maxLen; t++) {
      const m = new Float32Array(B);
      for (let b = 0; b < B; b++) m[b] = t < lens[b] ? 1 : 0;
      masks[t] = new Tensor(m, [B, 1]);
    }
    return { masks, maxLen };
  }
}

/** Multi-layer Elman RNN: h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh), act tanh or relu. */
export class RNN extends RNNBase {
  constructor(opts: RNNOptions) {
    super('RNN', opts);
  }

  /** 'tanh' or 'relu'. */
  get nonlinearity(): RNNNonlinearity {
    return this.act;
  }

  /**
   * Shapes: x [T, B, in] ([B, T, in] when batchFirst), h0 [L·D, B, H] (zeros when omitted)
   * -> { output [T, B, D·H] (or [B, T, D·H]), h [L·D, B, H] }.
   */
  forward(x: Tensor, h0?: Tensor | null, opts: RNNForwardOptions = {}): RNNResult {
    const { output, h } = this.run(x, h0 ?? null, null, opts);
    return { output, h };
  }
}

/** Multi-layer LSTM, gates i, f, g, o as in PyTorch (see lstmCellStep). */
export class LSTM extends RNNBase {
  constructor(opts: Omit<RNNOptions, 'nonlinearity'>) {
    super('LSTM', opts);
  }

  /**
   * Shapes: x [T, B, in] ([B, T, in] when batchFirst), state [h0, c0] each [L·D, B, H] (zeros when
   * omitted) -> { output [T, B, D·H] (or [B, T, D·H]), h [L·D, B, H], c [L·D, B, H] }.
   */
  forward(x: Tensor, state?: readonly [Tensor, Tensor] | null, opts: RNNForwardOptions = {}): LSTMResult {
    const { output, h, c } = this.run(x, state?.[0] ?? null, state?.[1] ?? null, opts);
    return { output, h, c: c! };
  }
}

/** Multi-layer GRU, gates r, z, n as in PyTorch (see gruCellStep). */
export class GRU extends RNNBase {
  constructor(opts: Omit<RNNOptions, 'nonlinearity'>) {
    super('GRU', opts);
  }

  /**
   * Shapes: x [T, B, in] ([B, T, in] when batchFirst), h0 [L·D, B, H] (zeros when omitted)
   * -> { output [T, B, D·H] (or [B, T, D·H]), h [L·D, B, H] }.
   */
  forward(x: Tensor, h0?: Tensor | null, opts: RNNForwardOptions = {}): RNNResult {
    const { output, h } = this.run(x, h0 ?? null, null, opts);
    return { output, h };
  }
}
