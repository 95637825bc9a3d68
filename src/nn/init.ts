/**
 * Initialisers, in place on a tensor's storage, drawing from an explicit generator (default: the
 * global seeded one). Formulas follow torch.nn.init, so the same scheme gives the same
 * distributions (values differ from torch's because the generators differ).
 */
import { defaultGenerator, type Generator } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { fmtShape } from '../tensor/shape.js';

export type Nonlinearity = 'linear' | 'conv2d' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';

function dense(op: string, t: Tensor): Float32Array {
  if (!t.isDense() || t.dtype !== 'float32') throw new Error(`${op}: expects a dense float32 tensor (got shape ${fmtShape(t.shape)}, ${t.dtype})`);
  return t.data as Float32Array;
}

/** torch.nn.init.calculate_gain */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear': case 'conv2d': case 'sigmoid': return 1;
    case 'tanh': return 5 / 3;
    case 'relu': return Math.SQRT2;
    case 'leaky_relu': { const s = param ?? 0.01; return Math.sqrt(2 / (1 + s * s)); }
    case 'selu': return 3 / 4;
  }
}

/** fan_in and fan_out as torch computes them: dims 1 and 0 times the receptive field size. */
export function fanInOut(t: Tensor): { fanIn: number; fanOut: number } {
  if (t.ndim < 2) throw new Error(`fanInOut: needs at least 2 dimensions, got ${fmtShape(t.shape)}`);
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: t.shape[1] * receptive, fanOut: t.shape[0] * receptive };
}

export function uniform_(t: Tensor, low = 0, high = 1, g: Generator = defaultGenerator): Tensor {
  const d = dense('uniform_', t);
  for (let i = 0; i < d.length; i++) d[i] = low + (high - low) * g.random();
  return t;
}

export function normal_(t: Tensor, mean = 0, std = 1, g: Generator = defaultGenerator): Tensor {
  const d = dense('normal_', t);
  for (let i = 0; i < d.length; i++) d[i] = mean + std * g.normal();
  return t;
}

export function constant_(t: Tensor, value: number): Tensor {
  dense('constant_', t).fill(value);
  return t;
}

export const zeros_ = (t: Tensor) => constant_(t, 0);
export const ones_ = (t: Tensor) => constant_(t, 1);

export function xavierUniform_(t: Tensor, gain = 1, g: Generator = defaultGenerator): Tensor {
  const { fanIn, fanOut } = fanInOut(t);
  const a = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, -a, a, g);
}

export function xavierNormal_(t: Tensor, gain = 1, g: Generator = defaultGenerator): Tensor {
  const { fanIn, fanOut } = fanInOut(t);
  return normal_(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), g);
}

export interface KaimingOptions {
  a?: number;
  mode?: 'fan_in' | 'fan_out';
  nonlinearity?: Nonlinearity;
  generator?: Generator;
}

export function kaimingUniform_(t: Tensor, o: KaimingOptions = {}): Tensor {
  const { fanIn, fanOut } = fanInOut(t);
  const fan = (o.mode ?? 'fan_in') === 'fan_in' ? fanIn : fanOut;
  const gain = calculateGain(o.nonlinearity ?? 'leaky_relu', o.a ?? 0);
  const bound = Math.sqrt(3) * gain / Math.sqrt(fan);
  return uniform_(t, -bound, bound, o.generator);
}

export function kaimingNormal_(t: Tensor, o: KaimingOptions = {}): Tensor {
  const { fanIn, fanOut } = fanInOut(t);
  const fan = (o.mode ?? 'fan_in') === 'fan_in' ? fanIn : fanOut;
  const gain = calculateGain(o.nonlinearity ?? 'leaky_relu', o.a ?? 0);
  return normal_(t, 0, gain / Math.sqrt(fan), o.generator);
}

/**
 * (Semi-)orthogonal matrix via modified Gram–Schmidt on a Gaussian matrix, with the sign
 * correction torch applies (so the distribution is Haar-uniform). Rows are orthonormal when
 * rows <= cols, columns otherwise.
 */
export function orthogonal_(t: Tensor, gain = 1, g: Generator = defaultGenerator): Tensor {
  if (t.ndim < 2) throw new Error(`orthogonal_: needs at least 2 dimensions, got ${fmtShape(t.shape)}`);
  const rows = t.shape[0];
  const cols = t.size / rows;
  const transposed = rows < cols;
  const n = transposed ? cols : rows; // long side
  const k = transposed ? rows : cols; // short side: number of orthonormal vectors
  // k vectors of length n
  const q = new Float64Array(k * n);
  for (let i = 0; i < q.length; i++) q[i] = g.normal();
  for (let j = 0; j < k; j++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let p = 0; p < j; p++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += q[j * n + i] * q[p * n + i];
        for (let i = 0; i < n; i++) q[j * n + i] -= dot * q[p * n + i];
      }
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += q[j * n + i] * q[j * n + i];
    norm = Math.sqrt(norm);
    for (let i = 0; i < n; i++) q[j * n + i] /= norm;
  }
  const d = dense('orthogonal_', t);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      d[r * cols + c] = gain * (transposed ? q[r * n + c] : q[c * n + r]);
    }
  }
  return t;
}
