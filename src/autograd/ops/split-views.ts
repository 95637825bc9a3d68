import { record } from '../engine.js';
import { isGradEnabled } from '../grad-mode.js';
import { Tensor } from '../../tensor/tensor.js';
import { fmtShape, normAxis, numel } from '../../tensor/shape.js';

/**
 * Splits `x` along `dim` into views of the given sizes (no copy), like split(), but with a backward
 * whose cost is linear in the number of pieces.
 *
 * Why not split()/select(): each narrow/select view pads its gradient to the full input shape, so
 * unbinding T time steps costs O(T²) memory and time in backward. Here the pieces write their
 * gradients into one shared buffer; a hub op between `x` and the pieces hands that buffer to `x`.
 * The engine runs the hub after every piece (it is their common input), so the buffer is complete
 * by then. Only the first piece to run returns a (free, stride-0) placeholder gradient to the hub,
 * so the engine never adds full-size gradients together.
 *
 * With `squeeze`, every size must be 1 and the split dimension is removed (unbind).
 */
export function splitViews(x: Tensor, dim: number, sizes: readonly number[], squeeze = false): Tensor[] {
  const d = normAxis('splitViews', dim, x.ndim);
  const n = x.shape[d];
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total !== n || sizes.some((s) => !Number.isInteger(s) || s < 0)) {
    throw new Error(`splitViews: sizes ${fmtShape(sizes)} do not partition dimension ${dim} of ${fmtShape(x.shape)}`);
  }
  if (squeeze && sizes.some((s) => s !== 1)) throw new Error(`splitViews: squeeze needs pieces of size 1, got ${fmtShape(sizes)}`);

  const starts: number[] = [];
  let at = 0;
  for (const s of sizes) { starts.push(at); at += s; }
  const pieceView = (src: Tensor, k: number): Tensor => {
    const shape = src.shape.slice();
    const strides = src.strides.slice();
    const offset = src.offset + starts[k] * src.strides[d];
    if (squeeze) { shape.splice(d, 1); strides.splice(d, 1); } else shape[d] = sizes[k];
    return new Tensor(src.data, shape, strides, offset);
  };
  if (!x.requiresGrad || !isGradEnabled()) return sizes.map((_, k) => pieceView(x, k));

  const outer = numel(x.shape.slice(0, d));
  const inner = numel(x.shape.slice(d + 1));
  let sink: Float32Array | null = null;
  let handedOver = false;
  const hub = record(new Tensor(x.data, x.shape, x.strides, x.offset), 'splitViews', [x], () => {
    const g = sink ?? new Float32Array(x.size);
    sink = null;
    handedOver = false;
    return [new Tensor(g, x.shape.slice())];
  });
  const placeholder = () => new Tensor(new Float32Array(1), x.shape.slice(), x.shape.map(() => 0), 0);
  return sizes.map((len, k) => record(pieceView(hub, k), 'splitViews', [hub], (g) => {
    sink ??= new Float32Array(x.size);
    const gv = g.values();
    const block = len * inner;
    const base = starts[k] * inner;
    for (let o = 0; o < outer; o++) sink.set(gv.subarray(o * block, (o + 1) * block), o * n * inner + base);
    if (handedOver) return [null];
    handedOver = true;
    return [placeholder()];
  }));
}

/** splitViews into `chunks` equal pieces (dimension must divide evenly). */
export function chunkViews(x: Tensor, chunks: number, dim: number): Tensor[] {
  const d = normAxis('chunkViews', dim, x.ndim);
  if (x.shape[d] % chunks !== 0) throw new Error(`chunkViews: dimension ${dim} of ${fmtShape(x.shape)} does not split into ${chunks} equal pieces`);
  return splitViews(x, d, new Array<number>(chunks).fill(x.shape[d] / chunks));
}

/** The slices of `x` along `dim`, that dimension removed, as views with a linear-cost backward. */
export function unbindViews(x: Tensor, dim: number): Tensor[] {
  const d = normAxis('unbindViews', dim, x.ndim);
  return splitViews(x, d, new Array<number>(x.shape[d]).fill(1), true);
}
