import { jsBackend } from './js/index.js';
import { nativeBackend, nativeLoadError } from './native/index-node.js';
import { getBackend, setBackend } from './registry.js';

let warned = false;

/**
 * Picks the backend for this process: ATTENTIVE_BACKEND=js|native, else native when its addon
 * loaded, else the TypeScript one (with one warning saying how to get the native one).
 */
export function selectBackend(choice = process.env.ATTENTIVE_BACKEND): string {
  const want = (choice ?? '').trim().toLowerCase();
  if (want && want !== 'js' && want !== 'native') {
    throw new Error(`ATTENTIVE_BACKEND must be 'js' or 'native', got '${choice}'`);
  }
  if (want === 'js') {
    setBackend(jsBackend);
  } else if (nativeBackend) {
    setBackend(nativeBackend);
  } else {
    if (want === 'native') {
      throw new Error(`ATTENTIVE_BACKEND=native, but the native addon did not load: ${nativeLoadError ?? 'unknown error'}`);
    }
    setBackend(jsBackend);
    if (!warned && !process.env.ATTENTIVE_QUIET) {
      warned = true;
      process.emitWarning(
        `attentive: using the TypeScript backend (slow) because the native addon is not available (${nativeLoadError ?? 'not built'}). ` +
          'Install a C compiler (e.g. `apt-get install build-essential`) and run `npm rebuild attentive` (or `npm run build:native` in a checkout).',
        { code: 'ATTENTIVE_NO_NATIVE' },
      );
    }
  }
  return getBackend().name;
}

export function backendInfo(): { name: string; nativeAvailable: boolean; nativeLoadError: string | null } {
  return { name: getBackend().name, nativeAvailable: nativeBackend !== null, nativeLoadError: nativeLoadError ?? null };
}
