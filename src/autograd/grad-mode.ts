import { withFlag } from './scoped.js';

/** Global switch for graph recording (torch.no_grad / enable_grad). */
let enabled = true;

export function isGradEnabled(): boolean {
  return enabled;
}

/** Runs `fn` without recording operations for autograd. */
export function noGrad<T>(fn: () => T): T {
  return withFlag(isGradEnabled, setGradEnabled, false, fn);
}

/** Runs `fn` with recording enabled (inside a noGrad block). */
export function enableGrad<T>(fn: () => T): T {
  return withFlag(isGradEnabled, setGradEnabled, true, fn);
}

export function setGradEnabled(flag: boolean): void {
  enabled = flag;
}
