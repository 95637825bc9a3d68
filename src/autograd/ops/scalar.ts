import { Tensor } from '../../tensor/tensor.js';

export type TensorLike = Tensor | number;

/** A 0-d float32 tensor for a JS number, so scalars broadcast like any tensor. */
export function scalar(v: number): Tensor {
  const d = new Float32Array(1);
  d[0] = v;
  return new Tensor(d, []);
}

export function asTensor(x: TensorLike): Tensor {
  return typeof x === 'number' ? scalar(x) : x;
}
