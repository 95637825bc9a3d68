import { getBackend } from '../../backend/registry.js';
import { Tensor } from '../../tensor/tensor.js';
import { normAxis } from '../../tensor/shape.js';
import { record } from '../engine.js';
import { empty } from '../helpers.js';
import { mapBinary, mapUnary } from './elementwise.js';
import { erf } from '../../backend/scalar-math.js';
import { contiguous, permute } from './view.js';

export function sigmoid(x: Tensor): Tensor {
  const out = mapUnary('sigmoid', x);
  return record(out, 'sigmoid', [x], (g) => [mapBinary('sigmoidBackward', 'sigmoid', g, out)]);
}

export function tanh(x: Tensor): Tensor {
  const out = mapUnary('tanh', x);
  return record(out, 'tanh', [x], (g) => [mapBinary('tanhBackward', 'tanh', g, out)]);
}

export function relu(x: Tensor): Tensor {
  const out = mapUnary('relu', x);
  return record(out, 'relu', [x], (g) => [mapBinary('reluBackward', 'relu', g, x)]);
}

export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  const out = mapUnary('leakyRelu', x, negativeSlope);
  return record(out, 'leakyRelu', [x], (g) => {
    const xv = x.values(), gv = g.values();
    const res = empty(x.shape);
    const rd = res.data as Float32Array;
    for (let i = 0; i < rd.length; i++) rd[i] = xv[i] > 0 ? gv[i] : gv[i] * negativeSlope;
    return [res];
  });
}

export function elu(x: Tensor, alpha = 1): Tensor {
  const out = mapUnary('elu', x, alpha);
  return record(out, 'elu', [x], (g) => {
    const xv = x.values(), gv = g.values(), ov = out.data;
    const res = empty(x.shape);
    const rd = res.data as Float32Array;
    for (let i = 0; i < rd.length; i++) rd[i] = xv[i] > 0 ? gv[i] : gv[i] * (ov[i] + alpha);
    return [res];
  });
}

/** Exact (erf) GELU, PyTorch's default. */
export function gelu(x: Tensor): Tensor {
  const out = mapUnary('gelu', x);
  return record(out, 'gelu', [x], (g) => {
    const xv = x.values(), gv = g.values();
    const res = empty(x.shape);
    const rd = res.data as Float32Array;
    const c = 1 / Math.sqrt(2 * Math.PI);
    for (let i = 0; i < rd.length; i++) {
      const v = xv[i];
      rd[i] = gv[i] * (0.5 * (1 + erf(v / Math.SQRT2)) + v * c * Math.exp(-0.5 * v * v));
    }
    return [res];
  });
}

/**
 * softplus(x) = log(1 + e^{βx}) / β, and x itself where βx > threshold (torch's defaults: β 1,
 * threshold 20).
 */
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  if (!(beta > 0)) throw new Error(`softplus: beta must be positive, got ${beta}`);
  const xv = x.values();
  let out: Tensor;
  if (beta === 1 && threshold === 20) out = mapUnary('softplus', x);
  else {
    out = empty(x.shape);
    const od = out.data as Float32Array;
    for (let i = 0; i < od.length; i++) {
      const bx = beta * xv[i];
      od[i] = bx > threshold ? xv[i] : Math.log1p(Math.exp(bx)) / beta;
    }
  }
  return record(out, 'softplus', [x], (g) => {
    // d softplus = sigmoid(βx), and 1 above the threshold where the function is the identity
    const gv = g.values();
    const res = empty(x.shape);
    const rd = res.data as Float32Array;
    for (let i = 0; i < rd.length; i++) {
      const bx = beta * xv[i];
      rd[i] = bx > threshold ? gv[i] : gv[i] / (1 + Math.exp(-bx));
    }
    return [res];
  });
}

function softmaxImpl(x: Tensor, dim: number, log: boolean): Tensor {
  const name = log ? 'logSoftmax' : 'softmax';
  if (x.ndim === 0) throw new Error(`${name}: expected at least 1 dimension`);
  const d = normAxis(name, dim, x.ndim);
  if (d !== x.ndim - 1) {
    // move the axis last, compute, move it back (recorded, so gradients flow through the permutes)
    const perm = x.shape.map((_, i) => i).filter((i) => i !== d).concat([d]);
    const inv = new Array<number>(perm.length);
    perm.forEach((p, i) => (inv[p] = i));
    return permute(softmaxImpl(contiguous(permute(x, perm)), -1, log), inv);
  }
  const cols = x.shape[d];
  const rows = cols === 0 ? 0 : x.size / cols;
  const out = empty(x.shape);
  getBackend().softmax(x.values() as Float32Array, rows, cols, out.data as Float32Array, log);
  return record(out, name, [x], (g) => {
    const gx = empty(x.shape);
    getBackend().softmaxBackward(out.data as Float32Array, g.values() as Float32Array, rows, cols, gx.data as Float32Array, log);
    return [gx];
  });
}

export function softmax(x: Tensor, dim = -1): Tensor {
  return softmaxImpl(x, dim, false);
}

export function logSoftmax(x: Tensor, dim = -1): Tensor {
  return softmaxImpl(x, dim, true);
}
