import { sigmoid } from '../scalar-math.js';

/**
 * Fused LSTM cell on gate pre-activations [B, 4H] (PyTorch order i, f, g, o) and c [B, H].
 * Writes h' and c' into hc [B, 2H] (h' in the first H columns, c' in the last H) and keeps the
 * activations i, f, g, o, tanh(c') in saved [B, 5H] for the backward pass.
 */
export function lstmCellKernel(gates: Float32Array, c: Float32Array, b: number, h: number, hc: Float32Array, saved: Float32Array): void {
  for (let r = 0; r < b; r++) {
    const g0 = r * 4 * h, c0 = r * h, o0 = r * 2 * h, s0 = r * 5 * h;
    for (let j = 0; j < h; j++) {
      const i = sigmoid(gates[g0 + j]);
      const f = sigmoid(gates[g0 + h + j]);
      const g = Math.tanh(gates[g0 + 2 * h + j]);
      const o = sigmoid(gates[g0 + 3 * h + j]);
      const cn = f * c[c0 + j] + i * g;
      const tc = Math.tanh(cn);
      hc[o0 + j] = o * tc;
      hc[o0 + h + j] = cn;
      saved[s0 + j] = i;
      saved[s0 + h + j] = f;
      saved[s0 + 2 * h + j] = g;
      saved[s0 + 3 * h + j] = o;
      saved[s0 + 4 * h + j] = tc;
    }
  }
}

/** Backward of lstmCellKernel: from dhc [B, 2H] (dh' | dc') to dgates [B, 4H] and dc [B, H]. */
export function lstmCellBackwardKernel(
  dhc: Float32Array, c: Float32Array, saved: Float32Array, b: number, h: number, dgates: Float32Array, dc: Float32Array,
): void {
  for (let r = 0; r < b; r++) {
    const g0 = r * 4 * h, c0 = r * h, o0 = r * 2 * h, s0 = r * 5 * h;
    for (let j = 0; j < h; j++) {
      const i = saved[s0 + j], f = saved[s0 + h + j], g = saved[s0 + 2 * h + j], o = saved[s0 + 3 * h + j];
      const tc = saved[s0 + 4 * h + j];
      const dh = dhc[o0 + j];
      const dcTotal = dhc[o0 + h + j] + dh * o * (1 - tc * tc);
      dgates[g0 + j] = dcTotal * g * i * (1 - i);
      dgates[g0 + h + j] = dcTotal * c[c0 + j] * f * (1 - f);
      dgates[g0 + 2 * h + j] = dcTotal * i * (1 - g * g);
      dgates[g0 + 3 * h + j] = dh * tc * o * (1 - o);
      dc[c0 + j] = dcTotal * f;
    }
  }
}
