import type { View } from './backend.js';

/** A whole array as a 1-D contiguous view, to run an element-wise kernel over it (in place or not). */
export function flatView(data: Float32Array): View {
  return { data, shape: [data.length], strides: [1], offset: 0 };
}
