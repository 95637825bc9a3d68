/** Row-wise softmax / log-softmax with max subtraction (exact for large logits). */
export function softmaxKernel(x: Float32Array, rows: number, cols: number, out: Float32Array, log: boolean): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let m = -Infinity;
    for (let j = 0; j < cols; j++) if (x[o + j] > m) m = x[o + j];
    if (m === -Infinity) m = 0; // a fully masked row: softmax is NaN as in torch, log-softmax -inf
    let s = 0;
    for (let j = 0; j < cols; j++) s += Math.exp(x[o + j] - m);
    if (log) {
      const lse = m + Math.log(s);
      for (let j = 0; j < cols; j++) out[o + j] = x[o + j] - lse;
    } else {
      const inv = 1 / s;
      for (let j = 0; j < cols; j++) out[o + j] = Math.exp(x[o + j] - m) * inv;
    }
  }
}

export function softmaxBackwardKernel(
  y: Float32Array, dy: Float32Array, rows: number, cols: number, out: Float32Array, log: boolean,
): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    if (log) {
      // d/dx log_softmax: dy - softmax * sum(dy)
      let s = 0;
      for (let j = 0; j < cols; j++) s += dy[o + j];
      for (let j = 0; j < cols; j++) out[o + j] = dy[o + j] - Math.exp(y[o + j]) * s;
    } else {
      let s = 0;
      for (let j = 0; j < cols; j++) s += dy[o + j] * y[o + j];
      for (let j = 0; j < cols; j++) out[o + j] = y[o + j] * (dy[o + j] - s);
    }
  }
}
