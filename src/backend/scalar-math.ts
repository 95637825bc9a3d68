/** Scalar functions that Math lacks, shared by the reference kernels and the gradient rules (one erf for both). */

/** erf with |error| < 1.2e-7 (Numerical Recipes' erfc Chebyshev fit), ample for float32. */
export function erf(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z - 1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
        t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? 1 - r : r - 1;
}

const TWO_OVER_SQRT_PI = 1.1283791670955126;
const ONE_OVER_SQRT_PI = 0.5641895835477563;

/**
 * erf to double precision (relative error about 1e-15), for float64 tensors, where the float32
 * fit above would be the least accurate step of a gradient check. |x| < 2: the series
 * e^{-x²}·Σ 2ⁿx^{2n+1}/(1·3···(2n+1)), all terms positive; beyond: 1 - erfc(x) with erfc's
 * continued fraction (modified Lentz); erf(±6) is ±1 in double.
 */
export function erf64(x: number): number {
  const z = Math.abs(x);
  if (Number.isNaN(z)) return NaN;
  if (z >= 6) return x > 0 ? 1 : -1;
  let r: number;
  if (z < 2) {
    let term = z;
    let sum = z;
    for (let n = 0; n < 100; n++) {
      term *= (2 * z * z) / (2 * n + 3);
      sum += term;
      if (term < sum * 1e-17) break;
    }
    r = TWO_OVER_SQRT_PI * Math.exp(-z * z) * sum;
  } else {
    // erfc(z) = e^{-z²}/√π · 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + ...))))
    const tiny = 1e-300;
    let f = z, c = z, d = 0;
    for (let k = 1; k < 200; k++) {
      const a = k / 2;
      d = z + a * d;
      d = d === 0 ? tiny : d;
      c = z + a / c;
      c = c === 0 ? tiny : c;
      d = 1 / d;
      const delta = c * d;
      f *= delta;
      if (Math.abs(delta - 1) < 1e-16) break;
    }
    r = 1 - (ONE_OVER_SQRT_PI * Math.exp(-z * z)) / f;
  }
  return x < 0 ? -r : r;
}

/** gelu with erf64. */
export function gelu64(x: number): number {
  return 0.5 * x * (1 + erf64(x / Math.SQRT2));
}

export function sigmoid(x: number): number {
  // Split by sign so exp never overflows.
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** log(1 + e^x) without overflow; matches torch's softplus (beta 1, threshold 20). */
export function softplus(x: number): number {
  if (x > 20) return x;
  return Math.log1p(Math.exp(x));
}

export function gelu(x: number): number {
  return 0.5 * x * (1 + erf(x / Math.SQRT2));
}
