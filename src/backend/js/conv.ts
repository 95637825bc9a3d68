import type { Conv2dGeometry, Pool2dGeometry } from '../backend.js';

/** [n, cIn, h, w] -> [n, cIn·kh·kw, outH·outW]; zero padding; dilation supported. */
export function im2colKernel(x: Float32Array, g: Conv2dGeometry, out: Float32Array): void {
  const { n, cIn, h, w, kh, kw, strideH, strideW, padH, padW, dilationH, dilationW, outH, outW } = g;
  const L = outH * outW;
  const rowsPerImage = cIn * kh * kw;
  for (let b = 0; b < n; b++) {
    for (let c = 0; c < cIn; c++) {
      const xBase = (b * cIn + c) * h * w;
      for (let ki = 0; ki < kh; ki++) {
        for (let kj = 0; kj < kw; kj++) {
          const rowIdx = (c * kh + ki) * kw + kj;
          const dst = (b * rowsPerImage + rowIdx) * L;
          for (let oy = 0; oy < outH; oy++) {
            const iy = oy * strideH - padH + ki * dilationH;
            for (let ox = 0; ox < outW; ox++) {
              const ix = ox * strideW - padW + kj * dilationW;
              out[dst + oy * outW + ox] = iy >= 0 && iy < h && ix >= 0 && ix < w ? x[xBase + iy * w + ix] : 0;
            }
          }
        }
      }
    }
  }
}

export function col2imKernel(cols: Float32Array, g: Conv2dGeometry, out: Float32Array): void {
  const { n, cIn, h, w, kh, kw, strideH, strideW, padH, padW, dilationH, dilationW, outH, outW } = g;
  const L = outH * outW;
  const rowsPerImage = cIn * kh * kw;
  for (let b = 0; b < n; b++) {
    for (let c = 0; c < cIn; c++) {
      const xBase = (b * cIn + c) * h * w;
      for (let ki = 0; ki < kh; ki++) {
        for (let kj = 0; kj < kw; kj++) {
          const rowIdx = (c * kh + ki) * kw + kj;
          const src = (b * rowsPerImage + rowIdx) * L;
          for (let oy = 0; oy < outH; oy++) {
            const iy = oy * strideH - padH + ki * dilationH;
            if (iy < 0 || iy >= h) continue;
            for (let ox = 0; ox < outW; ox++) {
              const ix = ox * strideW - padW + kj * dilationW;
              if (ix >= 0 && ix < w) out[xBase + iy * w + ix] += cols[src + oy * outW + ox];
            }
          }
        }
      }
    }
  }
}

export function maxPool2dKernel(x: Float32Array, g: Pool2dGeometry, out: Float32Array, argmax: Int32Array): void {
  const { n, c, h, w, kh, kw, strideH, strideW, padH, padW, outH, outW } = g;
  for (let p = 0; p < n * c; p++) {
    const xb = p * h * w;
    const ob = p * outH * outW;
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        let best = -Infinity;
        let bi = -1;
        for (let ki = 0; ki < kh; ki++) {
          const iy = oy * strideH - padH + ki;
          if (iy < 0 || iy >= h) continue;
          for (let kj = 0; kj < kw; kj++) {
            const ix = ox * strideW - padW + kj;
            if (ix < 0 || ix >= w) continue;
            const v = x[xb + iy * w + ix];
            if (v > best || Number.isNaN(v) || bi < 0) { best = v; bi = iy * w + ix; if (Number.isNaN(v)) break; }
          }
        }
        out[ob + oy * outW + ox] = best;
        argmax[ob + oy * outW + ox] = bi;
      }
    }
  }
}

export function maxPool2dBackwardKernel(dy: Float32Array, argmax: Int32Array, g: Pool2dGeometry, dx: Float32Array): void {
  const { n, c, h, w, outH, outW } = g;
  for (let p = 0; p < n * c; p++) {
    const xb = p * h * w;
    const ob = p * outH * outW;
    for (let q = 0; q < outH * outW; q++) if (argmax[ob + q] >= 0) dx[xb + argmax[ob + q]] += dy[ob + q];
  }
}

function poolWindow(g: Pool2dGeometry, oy: number, ox: number, countIncludePad: boolean) {
  const y0 = oy * g.strideH - g.padH;
  const x0 = ox * g.strideW - g.padW;
  const y1 = Math.min(y0 + g.kh, g.h + g.padH);
  const x1 = Math.min(x0 + g.kw, g.w + g.padW);
  const padded = (y1 - y0) * (x1 - x0);
  const ys = Math.max(y0, 0), xs = Math.max(x0, 0), ye = Math.min(y1, g.h), xe = Math.min(x1, g.w);
  const count = countIncludePad ? padded : (ye - ys) * (xe - xs);
  return { ys, xs, ye, xe, count };
}

export function avgPool2dKernel(x: Float32Array, g: Pool2dGeometry, countIncludePad: boolean, out: Float32Array): void {
  const { n, c, h, w, outH, outW } = g;
  for (let p = 0; p < n * c; p++) {
    const xb = p * h * w;
    const ob = p * outH * outW;
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        const win = poolWindow(g, oy, ox, countIncludePad);
        let s = 0;
        for (let iy = win.ys; iy < win.ye; iy++) for (let ix = win.xs; ix < win.xe; ix++) s += x[xb + iy * w + ix];
        out[ob + oy * outW + ox] = s / win.count;
      }
    }
  }
}

export function avgPool2dBackwardKernel(dy: Float32Array, g: Pool2dGeometry, countIncludePad: boolean, dx: Float32Array): void {
  const { n, c, h, w, outH, outW } = g;
  for (let p = 0; p < n * c; p++) {
    const xb = p * h * w;
    const ob = p * outH * outW;
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        const win = poolWindow(g, oy, ox, countIncludePad);
        const v = dy[ob + oy * outW + ox] / win.count;
        for (let iy = win.ys; iy < win.ye; iy++) for (let ix = win.xs; ix < win.xe; ix++) dx[xb + iy * w + ix] += v;
      }
    }
  }
}
