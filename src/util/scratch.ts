/**
 * One temporary Float32Array for kernels' intermediate results that never leave the call that
 * fills them (an optimizer's update, a backward rule's partial product): reused instead of
 * allocated per call. Not for anything kept, returned or used across a nested call to scratch().
 */
let buffer = new Float32Array(0);

export function scratch(n: number): Float32Array {
  if (buffer.length < n) buffer = new Float32Array(n);
  return buffer.subarray(0, n);
}
