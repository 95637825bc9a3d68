/** Op codes shared with native/elementwise.h: the position in each list is the C enum value. */
import type { BinaryOp, ReduceOp, UnaryOp } from '../backend.js';

const UNARY_ORDER: readonly UnaryOp[] = [
  'neg', 'exp', 'log', 'sqrt', 'rsqrt', 'abs', 'sign', 'sigmoid', 'tanh', 'relu',
  'gelu', 'softplus', 'sin', 'cos', 'reciprocal', 'square', 'floor', 'ceil', 'round',
  'erf', 'log1p', 'expm1', 'powScalar', 'addScalar', 'mulScalar', 'leakyRelu', 'elu',
  'clampMin', 'clampMax', 'rsubScalar', 'rdivScalar', 'gtScalar', 'geScalar',
  'ltScalar', 'leScalar', 'eqScalar', 'neScalar',
];

const BINARY_ORDER: readonly BinaryOp[] = [
  'add', 'sub', 'mul', 'div', 'pow', 'minimum', 'maximum', 'eq', 'ne', 'lt', 'le',
  'gt', 'ge', 'reluBackward', 'sigmoidBackward', 'tanhBackward',
];

/** C op code of each unary op. */
export const UNARY_CODE: ReadonlyMap<UnaryOp, number> = new Map(UNARY_ORDER.map((op, i) => [op, i]));
/** C op code of each binary op. */
export const BINARY_CODE: ReadonlyMap<BinaryOp, number> = new Map(BINARY_ORDER.map((op, i) => [op, i]));
/** The C kernels' rank limit (ATT_MAX_DIMS); higher ranks use the reference kernels. */
export const NATIVE_MAX_DIMS = 16;

const REDUCE_ORDER: readonly ReduceOp[] = ['sum', 'max', 'min', 'prod', 'argmax', 'argmin', 'logsumexp'];
/** C op code of each reduction (native/reduce.h). */
export const REDUCE_CODE: ReadonlyMap<ReduceOp, number> = new Map(REDUCE_ORDER.map((op, i) => [op, i]));
