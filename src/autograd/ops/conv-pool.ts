/**
 * A CNN block as one op: maxPool2d(relu(conv2d(x, weight, bias))), computed a few images at a
 * time so the full-resolution convolution output never exists as a tensor.
 *
 * Composed, the block writes and reads the conv output (for 84x84 images, batch 64 and 32
 * channels that is 58 MB) in six separate passes: allocation, bias broadcast, GEMM, ReLU, pooling,
 * and again in the backward pass (ReLU mask, pooling scatter, bias sum). Here each chunk's conv
 * output lives in one cache-sized buffer between its GEMM and its pooling, and only the pooled
 * output and its argmax are kept. The backward pass rebuilds the chunk's conv gradient from the
 * argmax and runs the conv backward on it while it is still in cache.
 *
 * Two exact rewrites make the block cheaper than the composition without changing its result:
 *  - relu and max commute (ReLU is monotone), so ReLU runs on the pooled output; its gradient
 *    mask (pooled > 0) is the mask of the window's maximum, which is where the gradient goes;
 *  - a per-channel bias is constant over each pooling window, so it is added after pooling:
 *    max(a + b, c + b) = max(a, c) + b also after float rounding (rounding is monotone).
 * The only difference from the composition: when two conv values of a window differ but round
 * to the same float once the bias is added, the composition sends the gradient to the first of
 * them and this op to the larger one.
 */
import { getBackend } from '../../backend/registry.js';
import type { View } from '../../backend/backend.js';
import { Tensor } from '../../tensor/tensor.js';
import { fmtShape } from '../../tensor/shape.js';
import { record } from '../engine.js';
import { empty, expandedView, requireFloat, floatType } from '../helpers.js';
import { allocLike, conv2dGeometry, convForward, convInputGrad, convWeightGrad, type Conv2dOptions, type Geo } from './conv.js';
import { poolGeometry, type MaxPool2dOptions } from './pool.js';
import { fmtPair, pair, withBatch, type IntPair } from './vision-args.js';

/** Floats per chunk buffer (columns or conv output): about 1 MB, so a chunk stays in the L2 cache. */
const CHUNK_FLOATS = 1 << 18;

function contiguousView(data: Float32Array, shape: number[]): View {
  return { data, shape, strides: [shape[1] * shape[2], shape[2], 1], offset: 0 };
}

/**
 * maxPool2d(relu(conv2d(x, weight, bias, conv)), poolKernel, pool) in one op (see the file
 * comment for how and why). Same arguments, checks and result as the composition.
 *
 * Shapes: x [N, Cin, H, W] (or unbatched [Cin, H, W]), weight [Cout, Cin/groups, kH, kW],
 * bias [Cout] -> [N, Cout, Hp, Wp], the pooled size of conv2d's output.
 */
export function conv2dReluMaxPool2d(
  x: Tensor, weight: Tensor, bias: Tensor | null | undefined, conv: Conv2dOptions, poolKernel: IntPair, pool: MaxPool2dOptions = {},
): Tensor {
  const op = 'conv2dReluMaxPool2d';
  requireFloat(op, x);
  requireFloat(op, weight, 'weight');
  if (weight.ndim !== 4) throw new Error(`${op}: weight must be 4-D [Cout, Cin/groups, kH, kW], got ${fmtShape(weight.shape)}`);
  const d = pair(op, 'pool dilation', pool.dilation ?? 1, 1);
  if (d[0] !== 1 || d[1] !== 1) throw new Error(`${op}: pool dilation ${fmtPair(d)} is not supported (only 1)`);
  return withBatch(op, x, (x4) => block(op, x4, weight, bias ?? null, conv, poolKernel, pool));
}

function block(op: string, x: Tensor, weight: Tensor, bias: Tensor | null, conv: Conv2dOptions, poolKernel: IntPair, pool: MaxPool2dOptions): Tensor {
  const g = conv2dGeometry(op, x, weight, bias, conv);
  const gp = poolGeometry(op, [g.n, g.cOut, g.outH, g.outW], poolKernel, pool.stride, pool.padding ?? 0, pool.ceilMode ?? false);
  const be = getBackend();
  const { n, cOut, L } = g;
  const lp = gp.outH * gp.outW;
  const rows = g.cIn * g.kh * g.kw;
  const inSize = g.cIn * g.h * g.w, convSize = cOut * L, poolSize = cOut * lp;
  const per = Math.max(1, Math.min(n, Math.floor(CHUNK_FLOATS / Math.max(g.pointwise ? 0 : rows * L, convSize))));
  const xv = x.values() as Float32Array;
  const wv = weight.values() as Float32Array;
  const out = empty([n, cOut, gp.outH, gp.outW], floatType(x, weight, bias));
  const od = out.data as Float32Array;
  const argmax = be.alloc('int32', out.size) as Int32Array;
  const cols = g.pointwise ? null : allocLike(xv, per * rows * L);
  const convBuf = allocLike(od, per * convSize);
  const biasValues = bias ? new Tensor(bias.values(), [1, cOut, 1]) : null;

  /** Runs fn on each chunk: its first image, conv geometry, pool geometry and image slice. */
  const chunks = (fn: (s: number, gc: Geo, xs: Float32Array) => void): void => {
    for (let s = 0; s < n; s += per) {
      const gc = { ...g, n: Math.min(per, n - s) };
      fn(s, gc, xv.subarray(s * inSize, (s + gc.n) * inSize));
    }
  };
  const columns = (gc: Geo, xs: Float32Array): Float32Array => {
    if (!cols) return xs;
    be.im2col(xs, gc, cols);
    return cols;
  };

  chunks((s, gc, xs) => {
    const nc = gc.n;
    const y = convBuf.subarray(0, nc * convSize);
    convForward(columns(gc, xs), wv, gc, y, 0);
    const o = od.subarray(s * poolSize, (s + nc) * poolSize);
    be.maxPool2d(y, { ...gp, n: nc }, o, argmax.subarray(s * poolSize, (s + nc) * poolSize));
    const ov = contiguousView(o, [nc, cOut, lp]);
    if (biasValues) be.binary('add', ov, expandedView(biasValues, [nc, cOut, lp]), o);
    be.unary('relu', ov, o);
  });

  const inputs = bias ? [x, weight, bias] : [x, weight];
  return record(out, op, inputs, (grad) => {
    const dyv = grad.values() as Float32Array; // (N, Cout, Hp·Wp)
    const dx = x.requiresGrad ? empty(x.shape, floatType(x)) : null;
    const dw = weight.requiresGrad ? allocLike(dyv, cOut * g.K) : null;
    const perImageDb = bias && bias.requiresGrad ? allocLike(dyv, n * cOut) : null;
    const dyMasked = allocLike(dyv, per * poolSize);
    const dConv = dx || dw ? allocLike(dyv, per * convSize) : null;
    const scratch = dx && !g.pointwise ? allocLike(dyv, per * rows * L) : undefined;
    chunks((s, gc, xs) => {
      const nc = gc.n;
      const shape = [nc, cOut, lp];
      const dm = dyMasked.subarray(0, nc * poolSize);
      be.binary('reluBackward', contiguousView(dyv.subarray(s * poolSize, (s + nc) * poolSize), shape),
        contiguousView(od.subarray(s * poolSize, (s + nc) * poolSize), shape), dm);
      // each window's gradient lands on exactly one conv output, so the bias gradient is the pooled one's sum
      if (perImageDb) be.reduce('sum', dm, nc * cOut, lp, 1, perImageDb.subarray(s * cOut, (s + nc) * cOut));
      if (!dConv) return;
      const dy = dConv.subarray(0, nc * convSize);
      be.fill(dy, 0);
      be.maxPool2dBackward(dm, argmax.subarray(s * poolSize, (s + nc) * poolSize), { ...gp, n: nc }, dy);
      if (dx) convInputGrad(dy, wv, gc, (dx.data as Float32Array).subarray(s * inSize, (s + nc) * inSize), scratch);
      if (dw) convWeightGrad(dy, columns(gc, xs), gc, dw, s > 0);
    });
    let db: Tensor | null = null;
    if (perImageDb) {
      db = new Tensor(allocLike(dyv, cOut), [cOut]);
      be.reduce('sum', perImageDb, 1, n, cOut, db.data);
    }
    return [dx, dw ? new Tensor(dw, weight.shape.slice()) : null, db];
  });
}
