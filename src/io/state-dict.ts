// Comparing what a model expects with what a file holds, before copying any weights, so a
// strict load fails with every problem listed at once rather than the first one found.

import { compareCodePoints } from './safetensors.js';
import { formatShape } from './named-arrays.js';

/** What a model expects under one key; dtype may be left out to accept any. */
export interface ExpectedEntry {
  dtype?: string;
  shape: readonly number[];
}

/** What a file holds under one key. */
export interface FoundEntry {
  dtype: string;
  shape: readonly number[];
}

/**
 * Lists every difference between the expected and the found state dict, one line each, in a
 * stable order: missing keys, then unexpected keys, then shape and dtype mismatches (each sorted
 * by key). An empty list means they match.
 * Example line: `decoder.weight: expected [6000,512], file has [512,6000]`.
 */
export function compareStateDict(
  expected: Readonly<Record<string, ExpectedEntry>>,
  got: Readonly<Record<string, FoundEntry>>,
): string[] {
  const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);
  const missing: string[] = [];
  const unexpected: string[] = [];
  const mismatched: string[] = [];
  for (const key of Object.keys(expected).sort(compareCodePoints)) {
    const want = expected[key];
    if (!has(got, key)) {
      missing.push(`missing key ${key} (expected ${formatShape(want.shape)}${want.dtype ? ` ${want.dtype}` : ''})`);
      continue;
    }
    const have = got[key];
    const sameShape = want.shape.length === have.shape.length && want.shape.every((d, i) => d === have.shape[i]);
    if (!sameShape) mismatched.push(`${key}: expected ${formatShape(want.shape)}, file has ${formatShape(have.shape)}`);
    if (want.dtype !== undefined && want.dtype !== have.dtype) {
      mismatched.push(`${key}: expected dtype ${want.dtype}, file has ${have.dtype}`);
    }
  }
  for (const key of Object.keys(got).sort(compareCodePoints)) {
    if (!has(expected, key)) unexpected.push(`unexpected key ${key} (file has ${formatShape(got[key].shape)} ${got[key].dtype})`);
  }
  return [...missing, ...unexpected, ...mismatched];
}

/**
 * Throws when {@link compareStateDict} finds problems, listing all of them; `context` names the
 * caller and the source (e.g. `loadWeights: runs/a/model.safetensors`).
 */
export function assertStateDictMatches(
  expected: Readonly<Record<string, ExpectedEntry>>,
  got: Readonly<Record<string, FoundEntry>>,
  context: string,
): void {
  const problems = compareStateDict(expected, got);
  if (problems.length > 0) {
    throw new Error(`${context}: state dict does not match (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  ${problems.join('\n  ')}`);
  }
}
