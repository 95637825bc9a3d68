// PLACEHOLDER until the native loader lands: reports the native backend as unavailable.
import type { Backend } from '../backend.js';

export const nativeBackend: Backend | null = null;
export const nativeLoadError: string | null = 'the native loader is not written yet';
