/** Global switch for graph recording (torch.no_grad / enable_grad). */
let enabled = true;

export function isGradEnabled(): boolean {
  return enabled;
}

/** Runs `fn` without recording operations for autograd. */
export function noGrad<T>(fn: () => T): T {
  const prev = enabled;
  enabled = false;
  try {
    return fn();
  } finally {
    enabled = prev;
  }
}

/** Runs `fn` with recording enabled (inside a noGrad block). */
export function enableGrad<T>(fn: () => T): T {
  const prev = enabled;
  enabled = true;
  try {
    return fn();
  } finally {
    enabled = prev;
  }
}

export function setGradEnabled(flag: boolean): void {
  enabled = flag;
}
