import type { Storage } from '../backend.js';

export function indexSelectKernel(x: Storage, outer: number, n: number, inner: number, index: Int32Array, out: Storage): void {
  const m = index.length;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const src = (o * n + index[j]) * inner;
      const dst = (o * m + j) * inner;
      for (let i = 0; i < inner; i++) out[dst + i] = x[src + i];
    }
  }
}

export function indexAddKernel(src: Float32Array, outer: number, n: number, inner: number, index: Int32Array, out: Float32Array): void {
  const m = index.length;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const s = (o * m + j) * inner;
      const d = (o * n + index[j]) * inner;
      for (let i = 0; i < inner; i++) out[d + i] += src[s + i];
    }
  }
}

export function gatherKernel(x: Storage, outer: number, n: number, inner: number, index: Int32Array, m: number, out: Storage): void {
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const at = (o * m + j) * inner;
      for (let i = 0; i < inner; i++) out[at + i] = x[(o * n + index[at + i]) * inner + i];
    }
  }
}

export function scatterAddKernel(src: Float32Array, outer: number, n: number, inner: number, index: Int32Array, m: number, out: Float32Array): void {
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const at = (o * m + j) * inner;
      for (let i = 0; i < inner; i++) out[(o * n + index[at + i]) * inner + i] += src[at + i];
    }
  }
}

/** Above this k a full sort per row beats keeping a sorted window of k candidates. */
const TOPK_SELECT_MAX = 32;

/** Sorted top-k per row; ties keep the lower index first, NaN counts as the largest value (as torch). */
export function topkKernel(
  x: Float32Array, rows: number, cols: number, k: number, largest: boolean, values: Float32Array, indices: Int32Array,
): void {
  if (k <= TOPK_SELECT_MAX) topkSelect(x, rows, cols, k, largest, values, indices);
  else topkSort(x, rows, cols, k, largest, values, indices);
}

/**
 * One pass per row keeping the best k so far in order: O(cols) for small k, where sorting every
 * row (beam search: k = 5 of 30 000 candidates) costs O(cols log cols) comparator calls.
 * Candidates arrive in index order and only a strictly better key moves one ahead of another,
 * so equal keys stay in index order, as the stable sort leaves them.
 */
function topkSelect(
  x: Float32Array, rows: number, cols: number, k: number, largest: boolean, values: Float32Array, indices: Int32Array,
): void {
  if (k === 0) return;
  const sign = largest ? 1 : -1;
  const keys = new Float64Array(k); // sign · key, so "better" is always "greater"
  const idx = new Int32Array(k);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let n = 0;
    for (let j = 0; j < cols; j++) {
      const v = x[o + j];
      const key = sign * (v !== v ? Infinity : v);
      if (n === k && !(key > keys[k - 1])) continue;
      let p = n < k ? n++ : k - 1;
      while (p > 0 && key > keys[p - 1]) {
        keys[p] = keys[p - 1];
        idx[p] = idx[p - 1];
        p--;
      }
      keys[p] = key;
      idx[p] = j;
    }
    for (let j = 0; j < k; j++) {
      values[r * k + j] = x[o + idx[j]];
      indices[r * k + j] = idx[j];
    }
  }
}

/** Sorted top-k per row by a stable sort of the whole row. */
function topkSort(
  x: Float32Array, rows: number, cols: number, k: number, largest: boolean, values: Float32Array, indices: Int32Array,
): void {
  const idx = new Array<number>(cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let j = 0; j < cols; j++) idx[j] = j;
    // NaN sorts as the largest value, as in torch.
    const key = (j: number) => { const v = x[o + j]; return Number.isNaN(v) ? Infinity : v; };
    idx.sort((p, q) => {
      const d = largest ? key(q) - key(p) : key(p) - key(q);
      return d !== 0 && !Number.isNaN(d) ? d : p - q;
    });
    for (let j = 0; j < k; j++) {
      values[r * k + j] = x[o + idx[j]];
      indices[r * k + j] = idx[j];
    }
  }
}
