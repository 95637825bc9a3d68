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

/** Sorted top-k per row; a stable sort so equal values keep ascending index order. */
export function topkKernel(
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
