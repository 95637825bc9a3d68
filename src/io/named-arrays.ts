// Plain named arrays: the unit that io/ reads and writes. Kept apart from the Tensor class so that
// files can be read and written without pulling in the tensor runtime (and so tools and tests can
// build them by hand).

/** Element types that io/ hands back and accepts for writing. */
export type ArrayDtype = 'float32' | 'int32';

/** One named array: a dtype, a row-major shape and its elements (length = product of shape). */
export interface NamedArray {
  dtype: ArrayDtype;
  shape: number[];
  data: Float32Array | Int32Array;
}

/** Arrays keyed by parameter path, e.g. `encoder.layers.0.self_attn.q_proj.weight`. */
export type NamedArrays = Record<string, NamedArray>;

/**
 * Number of elements of a shape (1 for a scalar `[]`, 0 if any dimension is 0).
 * Throws if a dimension is not a non-negative integer or the product is not a safe integer.
 */
export function numel(shape: readonly number[], context = 'numel'): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new Error(`${context}: shape [${shape.join(',')}] has dimension ${d}, expected a non-negative integer`);
    }
    n *= d;
    if (!Number.isSafeInteger(n)) {
      throw new Error(`${context}: shape [${shape.join(',')}] has more elements than 2^53-1`);
    }
  }
  return n;
}

/** Formats a shape the way error messages and reports print it: `[6000,512]`. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}
