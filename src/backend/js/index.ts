import type { Backend, DType } from '../backend.js';
import { adamKernel } from './adam.js';
import { sgdKernel } from './sgd.js';
import { crossEntropyBackwardKernel, crossEntropyKernel } from './cross-entropy.js';
import {
  avgPool2dBackwardKernel, avgPool2dKernel, col2imKernel, im2colKernel, maxPool2dBackwardKernel, maxPool2dKernel,
} from './conv.js';
import { binaryKernel, copyKernel, unaryKernel, whereKernel } from './elementwise.js';
import { gemmKernel } from './gemm.js';
import { gatherKernel, indexAddKernel, indexSelectKernel, scatterAddKernel, topkKernel } from './indexing.js';
import { cumsumKernel, reduceKernel } from './reduce.js';
import { softmaxBackwardKernel, softmaxKernel } from './softmax.js';
import { lstmCellBackwardKernel, lstmCellKernel } from './lstm.js';
import { sdpaBackwardKernel, sdpaKernel } from './attention.js';
import { layerNormBackwardKernel, layerNormKernel } from './layer-norm.js';

const SQ_CHUNK = 32768;

/** Σ x², as the native kernel orders it: four double accumulators per chunk, chunks in order. */
function sumSquaresKernel(x: Float32Array): number {
  let total = 0;
  for (let s = 0; s < x.length; s += SQ_CHUNK) {
    const e = Math.min(x.length, s + SQ_CHUNK);
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0, i = s;
    for (; i + 4 <= e; i += 4) {
      a0 += x[i] * x[i];
      a1 += x[i + 1] * x[i + 1];
      a2 += x[i + 2] * x[i + 2];
      a3 += x[i + 3] * x[i + 3];
    }
    for (; i < e; i++) a0 += x[i] * x[i];
    total += (a0 + a1) + (a2 + a3);
  }
  return total;
}

/** The reference backend: plain TypeScript loops, browser-safe, the oracle for every other backend. */
export const jsBackend: Backend = {
  name: 'js',
  alloc: (dtype: DType, size: number) => (dtype === 'int32' ? new Int32Array(size) : new Float32Array(size)),
  copy: copyKernel,
  fill: (out, value) => { out.fill(value); },
  unary: unaryKernel,
  binary: binaryKernel,
  where: whereKernel,
  reduce: reduceKernel,
  sumSquares: sumSquaresKernel,
  cumsum: cumsumKernel,
  gemm: gemmKernel,
  softmax: softmaxKernel,
  softmaxBackward: softmaxBackwardKernel,
  sdpa: sdpaKernel,
  sdpaBackward: sdpaBackwardKernel,
  layerNorm: layerNormKernel,
  layerNormBackward: layerNormBackwardKernel,
  indexSelect: indexSelectKernel,
  indexAdd: indexAddKernel,
  gather: gatherKernel,
  scatterAdd: scatterAddKernel,
  im2col: im2colKernel,
  col2im: col2imKernel,
  maxPool2d: maxPool2dKernel,
  maxPool2dBackward: maxPool2dBackwardKernel,
  avgPool2d: avgPool2dKernel,
  avgPool2dBackward: avgPool2dBackwardKernel,
  topk: topkKernel,
  adam: adamKernel,
  sgd: sgdKernel,
  crossEntropy: crossEntropyKernel,
  crossEntropyBackward: crossEntropyBackwardKernel,
  lstmCell: lstmCellKernel,
  lstmCellBackward: lstmCellBackwardKernel,
};
