export * from './elementwise.js';
export * from './activation.js';
export * from './reduce.js';
export * from './moments.js';
export * from './view.js';
export * from './join.js';
export * from './indexing.js';
export * from './matmul.js';
export * from './conv.js';
export * from './pool.js';
export * from './conv-pool.js';
export * from './fused.js';
export * from './cross-entropy.js';
export * from './split-views.js';
export { scalar, asTensor, type TensorLike } from './scalar.js';
// Tensor methods (x.add(y), loss.backward() ...) are installed whenever the ops are loaded.
import '../methods.js';
export * from './attention.js';
export * from './layer-norm.js';
