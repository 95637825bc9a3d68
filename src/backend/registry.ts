import type { Backend } from './backend.js';
import { jsBackend } from './js/index.js';
import { routeFloat64 } from './js/float64-route.js';

/**
 * The backend every new tensor op runs on. The reference backend is the default so the core
 * works anywhere; the Node entry point switches to the native backend when its addon loads.
 */
let current: Backend = jsBackend;

export function getBackend(): Backend {
  return current;
}

/** Installs `backend`; calls carrying float64 storage still run on the reference kernels. */
export function setBackend(backend: Backend): void {
  current = routeFloat64(backend);
}

/** Runs `fn` with `backend` active, restoring the previous one afterwards (for tests). */
export function withBackend<T>(backend: Backend, fn: () => T): T {
  const prev = current;
  current = routeFloat64(backend);
  try {
    return fn();
  } finally {
    current = prev;
  }
}
