import * as F from '../../autograd/ops/index.js';
import { Tensor } from '../../tensor/tensor.js';
import { Module } from '../module.js';

export class ReLU extends Module { forward(x: Tensor): Tensor { return F.relu(x); } }
export class Sigmoid extends Module { forward(x: Tensor): Tensor { return F.sigmoid(x); } }
export class Tanh extends Module { forward(x: Tensor): Tensor { return F.tanh(x); } }
export class GELU extends Module { forward(x: Tensor): Tensor { return F.gelu(x); } }
export class Identity extends Module { forward(x: Tensor): Tensor { return x; } }

export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) { super(); }
  forward(x: Tensor): Tensor { return F.leakyRelu(x, this.negativeSlope); }
}

/** log(1 + e^{βx}) / β, linear where βx > threshold (torch.nn.Softplus). */
export class Softplus extends Module {
  constructor(readonly beta = 1, readonly threshold = 20) { super(); }
  forward(x: Tensor): Tensor { return F.softplus(x, this.beta, this.threshold); }
}

export class ELU extends Module {
  constructor(readonly alpha = 1) { super(); }
  forward(x: Tensor): Tensor { return F.elu(x, this.alpha); }
}

export class Softmax extends Module {
  constructor(readonly dim = -1) { super(); }
  forward(x: Tensor): Tensor { return F.softmax(x, this.dim); }
}

export class LogSoftmax extends Module {
  constructor(readonly dim = -1) { super(); }
  forward(x: Tensor): Tensor { return F.logSoftmax(x, this.dim); }
}

/** Flattens dims startDim..endDim (default: all but the batch dim). */
export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) { super(); }
  forward(x: Tensor): Tensor { return F.flatten(x, this.startDim, this.endDim); }
}
