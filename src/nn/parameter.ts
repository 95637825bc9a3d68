import { Tensor } from '../tensor/tensor.js';

/** A leaf tensor that a Module owns and an optimizer updates. Shares storage with `data`. */
export class Parameter extends Tensor {
  constructor(data: Tensor, requiresGrad = true) {
    if (!data.isDense()) data = new Tensor(data.values().slice(), data.shape.slice());
    super(data.data, data.shape.slice());
    this.requiresGrad = requiresGrad;
  }
}
