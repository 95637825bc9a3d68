/** Runs `fn` with a module-level flag set to `value`, restoring the previous value even on throw. */
export function withFlag<T>(get: () => boolean, set: (v: boolean) => void, value: boolean, fn: () => T): T {
  const prev = get();
  set(value);
  try {
    return fn();
  } finally {
    set(prev);
  }
}
