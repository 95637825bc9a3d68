import type { Backend } from './backend.js';
import { jsBackend } from './js/index.js';

/**
 * The backend every new tensor op runs on. The reference backend is the default so the core
 * works anywhere; the Node entry point switches to the native backend when its addon loads.
 */
let current: Backend = jsBackend;

export function getBackend(): Backend {
  return current;
}

export function setBackend(backend: Backend): void {
  current = backend;
}

/** Runs `fn` with `backend` active, restoring the previous one afterwards (for tests). */
export function withBackend<T>(backend: Backend, fn: () => T): T {
  const prev = current;
  current = backend;
  try {
    return fn();
  } finally {
    current = prev;
  }
}
