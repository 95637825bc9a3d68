/**
 * Scaled dot-product attention, the reference kernels (the oracle of the native sdpa.c).
 * One query row at a time: its scores, mask and softmax live in one row buffer of length s, so
 * the [l, s] scores are never a separate pass; only the weights are kept for the backward pass.
 * Sums run in double.
 */
import type { SdpaArgs, SdpaGrads } from '../backend.js';

/** Scores of query row i of matrix b into `row` (masked entries -inf); returns the row max. */
function scoreRow(a: SdpaArgs, b: number, i: number, row: Float64Array): number {
  const { q, k, e, s, scale, mask } = a;
  const qi = a.qOff[b] + i * a.qRow;
  const kb = a.kOff[b];
  const mb = mask ? a.maskOff![b] + i * a.maskRow : 0;
  let m = -Infinity;
  for (let j = 0; j < s; j++) {
    let v: number;
    if (a.causal && j > i) v = -Infinity;
    else {
      const kj = kb + j * a.kRow;
      let d = 0;
      for (let c = 0; c < e; c++) d += q[qi + c] * k[kj + c];
      v = d * scale;
      if (mask) v += mask[mb + j * a.maskCol];
    }
    row[j] = v;
    if (v > m) m = v;
  }
  return m;
}

export function sdpaKernel(a: SdpaArgs, out: Float32Array, outOff: Int32Array, outRow: number): void {
  const { batch, l, s, ev, v, drop, weights } = a;
  const row = new Float64Array(s);
  const acc = new Float64Array(ev);
  for (let b = 0; b < batch; b++) {
    const vb = a.vOff[b];
    for (let i = 0; i < l; i++) {
      let m = scoreRow(a, b, i, row);
      if (m === -Infinity) m = 0; // every key masked: 0/0 = NaN weights, as torch's softmax
      let sum = 0;
      for (let j = 0; j < s; j++) {
        row[j] = Math.exp(row[j] - m);
        sum += row[j];
      }
      const w0 = (b * l + i) * s;
      acc.fill(0);
      for (let j = 0; j < s; j++) {
        const p = row[j] / sum;
        weights[w0 + j] = p;
        const pd = drop ? p * drop[w0 + j] : p;
        if (pd === 0) continue;
        const vj = vb + j * a.vRow;
        for (let c = 0; c < ev; c++) acc[c] += pd * v[vj + c];
      }
      const oi = outOff[b] + i * outRow;
      for (let c = 0; c < ev; c++) out[oi + c] = acc[c];
    }
  }
}

/**
 * With P the weights, D the dropout multipliers and Pd = P ⊙ D:
 *   dV = Pdᵀ·dO,  dP = (dO·Vᵀ) ⊙ D,  dS = P ⊙ (dP - rowsum(P ⊙ dP)),  dQ = scale·dS·K,  dK = scale·dSᵀ·Q.
 */
export function sdpaBackwardKernel(a: SdpaArgs, g: SdpaGrads): void {
  const { batch, l, s, e, ev, q, k, v, drop, weights, scale } = a;
  const dS = new Float64Array(s);
  const dqAcc = new Float64Array(e);
  const dkAcc = new Float64Array(s * e);
  const dvAcc = new Float64Array(s * ev);
  for (let b = 0; b < batch; b++) {
    dkAcc.fill(0);
    dvAcc.fill(0);
    const qb = a.qOff[b], kb = a.kOff[b], vb = a.vOff[b];
    for (let i = 0; i < l; i++) {
      const w0 = (b * l + i) * s;
      const go = g.dOutOff[b] + i * g.dOutRow;
      let dot = 0;
      for (let j = 0; j < s; j++) {
        const p = weights[w0 + j];
        const dd = drop ? drop[w0 + j] : 1;
        const pd = p * dd;
        const vj = vb + j * a.vRow;
        let dpd = 0;
        for (let c = 0; c < ev; c++) {
          dpd += g.dOut[go + c] * v[vj + c];
          dvAcc[j * ev + c] += pd * g.dOut[go + c];
        }
        const dp = dpd * dd;
        dS[j] = dp;
        dot += p * dp;
      }
      dqAcc.fill(0);
      const qi = qb + i * a.qRow;
      for (let j = 0; j < s; j++) {
        const ds = weights[w0 + j] * (dS[j] - dot) * scale;
        if (ds === 0) continue;
        const kj = kb + j * a.kRow;
        for (let c = 0; c < e; c++) {
          dqAcc[c] += ds * k[kj + c];
          dkAcc[j * e + c] += ds * q[qi + c];
        }
      }
      const dqi = g.dqOff[b] + i * g.dqRow;
      for (let c = 0; c < e; c++) g.dq[dqi + c] = dqAcc[c];
    }
    for (let j = 0; j < s; j++) {
      const dkj = g.dkOff[b] + j * g.dkRow, dvj = g.dvOff[b] + j * g.dvRow;
      for (let c = 0; c < e; c++) g.dk[dkj + c] = dkAcc[j * e + c];
      for (let c = 0; c < ev; c++) g.dv[dvj + c] = dvAcc[j * ev + c];
    }
  }
}
