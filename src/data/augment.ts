/** Simple image augmentation for flattened square images (MNIST): random small shifts. */
import { defaultGenerator, type Generator } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { fmtShape } from '../tensor/shape.js';

/**
 * Shifts each image of x [B, side·side] by a random whole number of pixels in
 * [−maxShift, maxShift] along each axis, filling with 0 (background). Returns a new tensor.
 */
export function randomShift(x: Tensor, maxShift: number, side = 28, g: Generator = defaultGenerator): Tensor {
  if (x.ndim !== 2 || x.shape[1] !== side * side) throw new Error(`randomShift: expected [B, ${side * side}], got ${fmtShape(x.shape)}`);
  if (!(Number.isInteger(maxShift) && maxShift >= 0 && maxShift < side)) throw new Error(`randomShift: maxShift must be an integer in 0..${side - 1}, got ${maxShift}`);
  const src = x.values();
  const out = new Float32Array(src.length);
  const n = x.shape[0], d = side * side;
  for (let b = 0; b < n; b++) {
    const dy = g.randint(-maxShift, maxShift + 1), dx = g.randint(-maxShift, maxShift + 1);
    for (let r = 0; r < side; r++) {
      const sr = r - dy;
      if (sr < 0 || sr >= side) continue;
      for (let c = 0; c < side; c++) {
        const sc = c - dx;
        if (sc >= 0 && sc < side) out[b * d + r * side + c] = src[b * d + sr * side + sc];
      }
    }
  }
  return new Tensor(out, x.shape.slice());
}
