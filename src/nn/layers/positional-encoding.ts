import * as F from '../../autograd/ops/index.js';
import { zeros } from '../../tensor/creation.js';
import type { Generator } from '../../tensor/rng.js';
import { Tensor } from '../../tensor/tensor.js';
import { fmtShape } from '../../tensor/shape.js';
import { normal_ } from '../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { dropout } from './dropout.js';

/**
 * The sinusoids of "Attention Is All You Need": [n, d] with
 * pe[p, 2i] = sin(p / 10000^(2i/d)), pe[p, 2i+1] = cos(p / 10000^(2i/d)).
 */
export function sinusoidalTable(n: number, d: number): Tensor {
  if (!(Number.isInteger(n) && n >= 0 && Number.isInteger(d) && d > 0)) throw new Error(`sinusoidalTable: expected non-negative length and positive width, got ${n} x ${d}`);
  const pe = new Float32Array(n * d);
  for (let i = 0; i < d; i += 2) {
    const div = Math.exp(i * (-Math.log(10000) / d));
    for (let p = 0; p < n; p++) {
      pe[p * d + i] = Math.sin(p * div);
      if (i + 1 < d) pe[p * d + i + 1] = Math.cos(p * div);
    }
  }
  return new Tensor(pe, [n, d]);
}

export interface PositionalEncodingOptions {
  /** longest sequence (default 5000) */
  maxLen?: number;
  /** dropout applied to the sum in training (default 0) */
  dropout?: number;
  /** x is [N, L, E] instead of [L, N, E] (default false) */
  batchFirst?: boolean;
  generator?: Generator;
}

/** Adds table rows [offset, offset + L) to x [L, N, E] / [N, L, E] / [L, E]. */
function addPositions(name: string, x: Tensor, table: Tensor, offset: number, batchFirst: boolean): Tensor {
  const [maxLen, d] = table.shape;
  const L = x.ndim === 3 && batchFirst ? x.shape[1] : x.shape[0];
  if ((x.ndim !== 2 && x.ndim !== 3) || x.shape[x.ndim - 1] !== d) {
    throw new Error(`${name}: expected input [L, N, ${d}], [N, L, ${d}] (batchFirst) or [L, ${d}], got ${fmtShape(x.shape)}`);
  }
  if (!(Number.isInteger(offset) && offset >= 0 && offset + L <= maxLen)) {
    throw new Error(`${name}: positions [${offset}, ${offset + L}) exceed maxLen ${maxLen}`);
  }
  let rows = F.narrow(table, 0, offset, L); // [L, E]
  if (x.ndim === 3 && !batchFirst) rows = F.reshape(rows, [L, 1, d]);
  return F.add(x, rows);
}

/**
 * Fixed sinusoidal positions added to the input (a non-persistent buffer `pe` [maxLen, dModel]:
 * it is recomputed, not saved). `offset` shifts the positions, for incremental decoding.
 */
export class SinusoidalPositionalEncoding extends Module {
  declare pe: Tensor;
  readonly batchFirst: boolean;
  readonly p: number;
  readonly generator?: Generator;

  constructor(readonly dModel: number, opts: PositionalEncodingOptions = {}) {
    super();
    this.registerBuffer('pe', sinusoidalTable(opts.maxLen ?? 5000, dModel), false);
    this.batchFirst = opts.batchFirst ?? false;
    this.p = opts.dropout ?? 0;
    this.generator = opts.generator;
  }

  forward(x: Tensor, offset = 0): Tensor {
    return dropout(addPositions('SinusoidalPositionalEncoding', x, this.pe, offset, this.batchFirst), this.p, this.training, this.generator);
  }
}

/** Trained position vectors `weight` [maxLen, dModel] (init N(0, 0.02²)) added to the input. */
export class LearnedPositionalEncoding extends Module {
  weight: Parameter;
  readonly batchFirst: boolean;
  readonly p: number;
  readonly generator?: Generator;

  constructor(readonly maxLen: number, readonly dModel: number, opts: Omit<PositionalEncodingOptions, 'maxLen'> = {}) {
    super();
    this.weight = new Parameter(normal_(zeros([maxLen, dModel]), 0, 0.02, opts.generator));
    this.batchFirst = opts.batchFirst ?? false;
    this.p = opts.dropout ?? 0;
    this.generator = opts.generator;
  }

  forward(x: Tensor, offset = 0): Tensor {
    return dropout(addPositions('LearnedPositionalEncoding', x, this.weight, offset, this.batchFirst), this.p, this.training, this.generator);
  }
}
