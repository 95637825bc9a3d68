/** Shape arithmetic shared by every op: sizes, strides, broadcasting, axis normalisation. */

export type Shape = readonly number[];

export function numel(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major (C-order) strides for a contiguous tensor of `shape`. */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export function fmtShape(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** NumPy broadcasting of two shapes; throws naming `op` and both shapes when incompatible. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`${op}: shapes ${fmtShape(a)} and ${fmtShape(b)} cannot be broadcast together (dimension ${i}: ${da} vs ${db})`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Normalises a possibly negative axis, with a clear error for out-of-range values. */
export function normAxis(op: string, axis: number, ndim: number): number {
  if (!Number.isInteger(axis)) throw new Error(`${op}: axis must be an integer, got ${axis}`);
  const a = axis < 0 ? axis + ndim : axis;
  if (a < 0 || a >= ndim) {
    throw new Error(`${op}: axis ${axis} is out of range for a tensor with ${ndim} dimension${ndim === 1 ? '' : 's'}`);
  }
  return a;
}

/** Normalises, deduplicates and sorts a list of axes; `undefined` means all axes. */
export function normAxes(op: string, axes: number | readonly number[] | undefined, ndim: number): number[] {
  if (axes === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof axes === 'number' ? [axes] : axes;
  const seen = new Set<number>();
  for (const a of list) {
    const n = normAxis(op, a, ndim);
    if (seen.has(n)) throw new Error(`${op}: axis ${a} appears more than once in ${JSON.stringify(list)}`);
    seen.add(n);
  }
  return [...seen].sort((x, y) => x - y);
}

export function checkShape(op: string, shape: readonly number[]): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`${op}: invalid shape ${fmtShape(shape)} (sizes must be non-negative integers)`);
  }
}
