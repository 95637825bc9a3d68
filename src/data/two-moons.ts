import { Generator } from '../tensor/rng.js';

/**
 * The classic two interleaving half-circles (scikit-learn's make_moons), seeded.
 * Returns points [n, 2] and int32 labels [n] as flat arrays.
 */
export function makeMoons(n: number, noise = 0.1, seed = 0): { x: Float32Array; y: Int32Array } {
  const g = new Generator(seed);
  const x = new Float32Array(n * 2);
  const y = new Int32Array(n);
  const nOuter = Math.floor(n / 2);
  for (let i = 0; i < n; i++) {
    const outer = i < nOuter;
    const k = outer ? i : i - nOuter;
    const count = outer ? nOuter : n - nOuter;
    const t = count > 1 ? (Math.PI * k) / (count - 1) : 0;
    const px = outer ? Math.cos(t) : 1 - Math.cos(t);
    const py = outer ? Math.sin(t) : 1 - Math.sin(t) - 0.5;
    x[2 * i] = px + noise * g.normal();
    x[2 * i + 1] = py + noise * g.normal();
    y[i] = outer ? 0 : 1;
  }
  // shuffle rows so minibatches mix classes
  const order = g.shuffle(Array.from({ length: n }, (_, i) => i));
  const xs = new Float32Array(n * 2);
  const ys = new Int32Array(n);
  order.forEach((src, dst) => {
    xs[2 * dst] = x[2 * src];
    xs[2 * dst + 1] = x[2 * src + 1];
    ys[dst] = y[src];
  });
  return { x: xs, y: ys };
}
