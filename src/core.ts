/**
 * The browser-safe core of attentive: tensors, autograd, the reference backend, layers,
 * optimizers, decoding and metrics. Imports nothing from Node.
 */
export { VERSION } from './version.js';
export type { Backend, DType, Storage, View } from './backend/backend.js';
export { jsBackend } from './backend/js/index.js';
export { getBackend, setBackend, withBackend } from './backend/registry.js';
export { Tensor, type GradNode, type NestedArray } from './tensor/tensor.js';
export * from './tensor/creation.js';
export { Generator, manualSeed, defaultGenerator } from './tensor/rng.js';
export * as F from './autograd/ops/index.js';
export * from './autograd/index.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export * as decode from './decode/index.js';
export * as metrics from './metrics/index.js';
export * as safetensors from './io/safetensors.js';
export { weightsOf, loadWeightsInto, optimizerToArrays, optimizerFromArrays } from './io/module-state.js';
export * as text from './text/index.js';
export * as data from './data/index.js';
export * as viz from './viz/index.js';
export * as models from './models/index.js';
