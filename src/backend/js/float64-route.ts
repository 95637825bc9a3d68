import type { Backend } from '../backend.js';
import { jsBackend } from './index.js';

/**
 * float64 tensors on a backend whose kernels are float32 only (the native one): every call that
 * carries float64 storage runs on the reference kernels instead, so float64 works the same
 * whichever backend is active. float64 is for verification (double-precision gradient checks);
 * writing every C kernel twice would buy speed nobody needs there, while an error would make the
 * checks unusable under the Node default (native) backend.
 */
export function routeFloat64(backend: Backend): Backend {
  if (backend === jsBackend) return backend;
  const cached = routed.get(backend);
  if (cached) return cached;
  const out: Record<string, unknown> = { ...backend };
  for (const [key, fn] of Object.entries(backend)) {
    if (typeof fn !== 'function') continue;
    const ref = (jsBackend as unknown as Record<string, (...a: unknown[]) => unknown>)[key];
    if (key === 'alloc') {
      out.alloc = (dtype: string, size: number) => (dtype === 'float64' ? ref(dtype, size) : (fn as (...a: unknown[]) => unknown).call(backend, dtype, size));
      continue;
    }
    if (!ref) {
      out[key] = (...args: unknown[]) => {
        if (args.some(carriesFloat64)) throw new Error(`${backend.name} backend: ${key} has no float64 version (use float32, or the js backend)`);
        return (fn as (...a: unknown[]) => unknown).apply(backend, args);
      };
      continue;
    }
    out[key] = (...args: unknown[]) => (args.some(carriesFloat64) ? ref.apply(jsBackend, args) : (fn as (...a: unknown[]) => unknown).apply(backend, args));
  }
  const result = out as unknown as Backend;
  routed.set(backend, result);
  return result;
}

const routed = new WeakMap<Backend, Backend>();

/**
 * A Float64Array, or an argument object holding one as a direct member: a view ({ data }), GemmArgs
 * (a, b, c), AdamArgs/SgdArgs (param, grad), SdpaArgs (q, k, v, mask, drop, weights) and SdpaGrads
 * (dOut, dq, dk, dv). Every member is looked at, so a new kernel's argument object needs no entry here.
 */
function carriesFloat64(a: unknown): boolean {
  if (a instanceof Float64Array) return true;
  if (a === null || typeof a !== 'object' || ArrayBuffer.isView(a) || Array.isArray(a)) return false;
  const o = a as Record<string, unknown>;
  for (const key in o) if (o[key] instanceof Float64Array) return true;
  return false;
}
