/** Layer normalisation over the last axis, the reference kernels (oracle of native/layernorm.c). Sums in double. */

export function layerNormKernel(
  x: Float32Array, rows: number, cols: number, weight: Float32Array | null, bias: Float32Array | null, eps: number,
  out: Float32Array, mean: Float32Array, rstd: Float32Array,
): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let s = 0;
    for (let j = 0; j < cols; j++) s += x[o + j];
    const m = s / cols;
    let v = 0;
    for (let j = 0; j < cols; j++) {
      const d = x[o + j] - m;
      v += d * d;
    }
    const rs = 1 / Math.sqrt(v / cols + eps);
    mean[r] = m;
    rstd[r] = rs;
    for (let j = 0; j < cols; j++) {
      let y = (x[o + j] - m) * rs;
      if (weight) y *= weight[j];
      if (bias) y += bias[j];
      out[o + j] = y;
    }
  }
}

/**
 * With x̂ = (x - mean)·rstd and g = dy·weight: dx = rstd·(g - mean(g) - x̂·mean(g·x̂)),
 * dWeight = Σ_rows dy·x̂, dBias = Σ_rows dy.
 */
export function layerNormBackwardKernel(
  dy: Float32Array, x: Float32Array, rows: number, cols: number, weight: Float32Array | null, mean: Float32Array, rstd: Float32Array,
  dx: Float32Array, dWeight: Float32Array | null, dBias: Float32Array | null,
): void {
  const dw = dWeight ? new Float64Array(cols) : null;
  const db = dBias ? new Float64Array(cols) : null;
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    const m = mean[r], rs = rstd[r];
    let sg = 0, sgx = 0;
    for (let j = 0; j < cols; j++) {
      const xh = (x[o + j] - m) * rs;
      const g = weight ? dy[o + j] * weight[j] : dy[o + j];
      sg += g;
      sgx += g * xh;
      if (dw) dw[j] += dy[o + j] * xh;
      if (db) db[j] += dy[o + j];
    }
    const a = sg / cols, b = sgx / cols;
    for (let j = 0; j < cols; j++) {
      const xh = (x[o + j] - m) * rs;
      const g = weight ? dy[o + j] * weight[j] : dy[o + j];
      dx[o + j] = rs * (g - a - xh * b);
    }
  }
  if (dw) for (let j = 0; j < cols; j++) dWeight![j] = dw[j];
  if (db) for (let j = 0; j < cols; j++) dBias![j] = db[j];
}
