import { Tensor } from '../../tensor/tensor.js';

export type TensorLike = Tensor | number;

/** A 0-d tensor for a JS number (float32 unless `dtype` says float64), so scalars broadcast like any tensor. */
export function scalar(v: number, dtype: 'float32' | 'float64' = 'float32'): Tensor {
  const d = dtype === 'float64' ? new Float64Array(1) : new Float32Array(1);
  d[0] = v;
  return new Tensor(d, []);
}

/**
 * `x` as a tensor. A number paired with a float64 tensor `like` becomes a float64 scalar (it
 * neither rounds through float32 nor changes the result's dtype, as torch treats Python numbers).
 */
export function asTensor(x: TensorLike, like?: TensorLike): Tensor {
  if (typeof x !== 'number') return x;
  return scalar(x, typeof like === 'object' && like.dtype === 'float64' ? 'float64' : 'float32');
}
