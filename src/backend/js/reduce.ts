import type { ReduceOp, Storage } from '../backend.js';

/** Reduces the middle axis of [outer, r, inner]. NaN propagates through max/min as in torch. */
export function reduceKernel(op: ReduceOp, x: Storage, outer: number, r: number, inner: number, out: Storage): void {
  for (let o = 0; o < outer; o++) {
    const base = o * r * inner;
    for (let i = 0; i < inner; i++) {
      const at = base + i;
      let acc: number;
      switch (op) {
        case 'sum': {
          acc = 0;
          for (let j = 0; j < r; j++) acc += x[at + j * inner];
          break;
        }
        case 'prod': {
          acc = 1;
          for (let j = 0; j < r; j++) acc *= x[at + j * inner];
          break;
        }
        case 'max':
        case 'min': {
          const isMax = op === 'max';
          acc = x[at];
          for (let j = 1; j < r; j++) {
            const v = x[at + j * inner];
            if (Number.isNaN(v)) { acc = v; break; }
            if (isMax ? v > acc : v < acc) acc = v;
          }
          break;
        }
        case 'argmax':
        case 'argmin': {
          const isMax = op === 'argmax';
          let best = x[at];
          let bi = 0;
          for (let j = 1; j < r; j++) {
            const v = x[at + j * inner];
            if (Number.isNaN(best)) break;
            if (Number.isNaN(v) || (isMax ? v > best : v < best)) { best = v; bi = j; }
          }
          acc = bi;
          break;
        }
        case 'logsumexp': {
          let m = -Infinity;
          for (let j = 0; j < r; j++) { const v = x[at + j * inner]; if (v > m) m = v; }
          if (m === -Infinity || m === Infinity) { acc = m; break; }
          let s = 0;
          for (let j = 0; j < r; j++) s += Math.exp(x[at + j * inner] - m);
          acc = m + Math.log(s);
          break;
        }
        default:
          throw new Error(`reduce: unknown op '${op as string}'`);
      }
      out[o * inner + i] = acc;
    }
  }
}

export function cumsumKernel(x: Float32Array, outer: number, r: number, inner: number, out: Float32Array): void {
  for (let o = 0; o < outer; o++) {
    const base = o * r * inner;
    for (let i = 0; i < inner; i++) {
      let acc = 0;
      for (let j = 0; j < r; j++) {
        const k = base + j * inner + i;
        acc += x[k];
        out[k] = acc;
      }
    }
  }
}
