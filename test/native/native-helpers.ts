/** Shared helpers for the native backend tests: seeded data and a skip reason when the addon is absent. */
import { Generator } from '../../src/tensor/rng.js';
import { nativeBackend, nativeLoadError } from '../../src/backend/native/index-node.js';

/** `false` when the native backend loaded, else a message for `test(..., { skip })`. */
export const skipNative: string | false = nativeBackend
  ? false
  : `native backend not available: ${nativeLoadError}`;

/** Uniform values in [-1, 1) from a seeded generator. */
export function randomArray(n: number, gen: Generator): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = gen.random() * 2 - 1;
  return out;
}

export { Generator };
