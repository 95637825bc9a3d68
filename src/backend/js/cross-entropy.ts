/**
 * Fused softmax cross-entropy with label smoothing over contiguous logits [rows, cols]; the
 * oracle for the native kernels. Targets are already checked (in [0, cols) or ignoreIndex).
 */

/**
 * loss[r] = (1-ε)(lse - x_t) + ε(lse - mean_c x_c), lse[r] = log Σ_c e^{x_c} (0 on ignored rows).
 * The differences are formed as (m - x) + log s, both non-negative, so a confident row's small
 * loss keeps its relative precision instead of cancelling in lse - x_t.
 */
export function crossEntropyKernel(
  x: Float32Array, rows: number, cols: number, targets: Int32Array, ignoreIndex: number, eps: number,
  loss: Float32Array, lse: Float32Array,
): void {
  for (let r = 0; r < rows; r++) {
    const t = targets[r];
    if (t === ignoreIndex) {
      loss[r] = 0;
      lse[r] = 0;
      continue;
    }
    const o = r * cols;
    let m = -Infinity;
    for (let j = 0; j < cols; j++) if (x[o + j] > m) m = x[o + j];
    if (m === -Infinity) m = 0; // a fully masked row: lse = -inf and the loss NaN, as the composed ops give
    let s = 0;
    for (let j = 0; j < cols; j++) s += Math.exp(x[o + j] - m);
    const logs = Math.log(s);
    lse[r] = m + logs;
    let l = (m - x[o + t]) + logs;
    // ε = 0 must not touch Σx: an infinite logit would turn the unused term into NaN
    if (eps !== 0) {
      let sx = 0;
      for (let j = 0; j < cols; j++) sx += x[o + j];
      l = (1 - eps) * l + eps * ((m - sx / cols) + logs);
    }
    loss[r] = l;
  }
}

/** out[r, c] = g[r] · (e^{x_c - lse} - (1-ε)[c = t] - ε/C); zero rows where the target is ignored. */
export function crossEntropyBackwardKernel(
  x: Float32Array, rows: number, cols: number, targets: Int32Array, ignoreIndex: number, eps: number,
  lse: Float32Array, g: Float32Array, out: Float32Array,
): void {
  const u = eps / cols;
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    const t = targets[r];
    if (t === ignoreIndex) {
      out.fill(0, o, o + cols);
      continue;
    }
    const l = lse[r], gr = g[r];
    for (let j = 0; j < cols; j++) out[o + j] = (Math.exp(x[o + j] - l) - u) * gr;
    out[o + t] = (Math.exp(x[o + t] - l) - (1 - eps) - u) * gr;
  }
}
