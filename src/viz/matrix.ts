/** Matrix inputs accepted by the heatmaps: nested rows, or flat data with a `[rows, cols]` shape (e.g. a tensor). */

/** A 2-D array of numbers: nested rows, or flat row-major data with its shape. */
export type MatrixLike =
  | ReadonlyArray<ArrayLike<number>>
  | { readonly data: ArrayLike<number>; readonly shape: readonly number[] };

/** A validated dense matrix, row-major. */
export interface Matrix {
  rows: number;
  cols: number;
  get(r: number, c: number): number;
}

/** Validate `m` and view it as a {@link Matrix}; `fn` names the caller in error messages. */
export function toMatrix(m: MatrixLike, fn: string): Matrix {
  if ('shape' in m && 'data' in m && !Array.isArray(m)) {
    const shape = m.shape;
    if (shape.length !== 2) throw new Error(`${fn}: expected a 2-D matrix, got shape [${shape.join(',')}]`);
    const [rows, cols] = shape as [number, number];
    if (m.data.length !== rows * cols) {
      throw new Error(`${fn}: data length ${m.data.length} does not match shape [${rows},${cols}]`);
    }
    const data = m.data;
    return { rows, cols, get: (r, c) => data[r * cols + c]! };
  }
  const nested = m as ReadonlyArray<ArrayLike<number>>;
  const rows = nested.length;
  const cols = rows > 0 ? nested[0]!.length : 0;
  nested.forEach((row, i) => {
    if (row.length !== cols) throw new Error(`${fn}: row ${i} has ${row.length} values, row 0 has ${cols}`);
  });
  return { rows, cols, get: (r, c) => nested[r]![c]! };
}

/** Smallest and largest finite value of `m` (`[0, 0]` when there is none). */
export function finiteRange(m: Matrix): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let r = 0; r < m.rows; r++) {
    for (let c = 0; c < m.cols; c++) {
      const v = m.get(r, c);
      if (Number.isFinite(v)) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
  }
  return lo <= hi ? [lo, hi] : [0, 0];
}

/**
 * Default colour domain: attention weights are non-negative, so anchor at zero to keep "no
 * attention" dark; signed data uses its own range.
 */
export function defaultDomain(m: Matrix): [number, number] {
  const [lo, hi] = finiteRange(m);
  return lo >= 0 ? [0, hi > 0 ? hi : 1] : [lo, hi];
}
