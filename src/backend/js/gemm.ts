import type { GemmArgs } from '../backend.js';

/**
 * Reference batched GEMM. Loop orders are chosen so the innermost loop walks memory with
 * stride 1 where the layout allows; accumulation is in float64 registers then stored as float32.
 */
export function gemmKernel(g: GemmArgs): void {
  const { m, n, k, alpha, beta, a, b, c, lda, ldb, ldc, transA, transB } = g;
  const row = new Float64Array(n);
  for (let bt = 0; bt < g.batch; bt++) {
    const aO = g.aOffset + bt * g.strideA;
    const bO = g.bOffset + bt * g.strideB;
    const cO = g.cOffset + bt * g.strideC;
    for (let i = 0; i < m; i++) {
      row.fill(0);
      if (!transB) {
        for (let p = 0; p < k; p++) {
          const av = transA ? a[aO + p * lda + i] : a[aO + i * lda + p];
          if (av === 0) continue;
          const bRow = bO + p * ldb;
          for (let j = 0; j < n; j++) row[j] += av * b[bRow + j];
        }
      } else {
        for (let j = 0; j < n; j++) {
          const bRow = bO + j * ldb;
          let s = 0;
          if (transA) for (let p = 0; p < k; p++) s += a[aO + p * lda + i] * b[bRow + p];
          else {
            const aRow = aO + i * lda;
            for (let p = 0; p < k; p++) s += a[aRow + p] * b[bRow + p];
          }
          row[j] = s;
        }
      }
      const cRow = cO + i * ldc;
      if (beta === 0) for (let j = 0; j < n; j++) c[cRow + j] = alpha * row[j];
      else for (let j = 0; j < n; j++) c[cRow + j] = alpha * row[j] + beta * c[cRow + j];
    }
  }
}
