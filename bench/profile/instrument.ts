/**
 * The per-call timing wrapper the profilers share: every function member of a backend is wrapped
 * so its wall time is added to `stats` under a key (the member name, or what `keyOf` makes of the
 * call, e.g. a GEMM's shape). `onCall` sees each call with its time, for profiler-specific tallies.
 */
import type { Backend, GemmArgs } from '../../src/backend/backend.js';

export interface CallStats {
  ms: number;
  calls: number;
}

export function instrumentBackend(
  b: Backend, stats: Map<string, CallStats>,
  keyOf: (k: string, args: unknown[]) => string = (k) => k,
  onCall?: (k: string, args: unknown[], ms: number) => void,
): Backend {
  const w: Record<string, unknown> = Object.create(b);
  for (const k of Object.keys(b) as (keyof Backend)[]) {
    const f = b[k];
    if (typeof f !== 'function') continue;
    w[k] = (...args: unknown[]) => {
      const t = performance.now();
      const r = (f as (...x: unknown[]) => unknown).apply(b, args);
      const dt = performance.now() - t;
      const key = keyOf(k, args);
      const s = stats.get(key) ?? { ms: 0, calls: 0 };
      s.ms += dt; s.calls++;
      stats.set(key, s);
      onCall?.(k, args, dt);
      return r;
    };
  }
  return w as unknown as Backend;
}

/** `gemm 4x[64x256]·[256x1024]T`: a GEMM call by batch, shapes and transposes. */
export function gemmKey(g: GemmArgs): string {
  return `gemm ${g.batch}x[${g.m}x${g.k}]${g.transA ? 'T' : ''}·[${g.k}x${g.n}]${g.transB ? 'T' : ''}`;
}
