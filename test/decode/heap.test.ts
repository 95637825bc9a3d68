import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BinaryHeap } from '../../src/util/heap.js';
import { mulberry32 } from './toy-models.js';

test('heap pops in the order of its comparator', () => {
  const rnd = mulberry32(3);
  const xs = Array.from({ length: 500 }, () => Math.floor(rnd() * 100));
  const h = new BinaryHeap<number>((a, b) => a > b);
  const popped: number[] = [];
  const held: number[] = [];
  const popChecked = (): void => {
    const x = h.pop() as number;
    // The popped item is the maximum of what the heap held at that moment.
    assert.equal(x, Math.max(...held));
    held.splice(held.indexOf(x), 1);
    popped.push(x);
  };
  // Interleave pushes and pops so sift-down is exercised on partly built heaps.
  for (let i = 0; i < xs.length; i++) {
    h.push(xs[i]);
    held.push(xs[i]);
    assert.equal(h.peek(), Math.max(...held));
    if (i % 3 === 2) popChecked();
  }
  while (h.size > 0) popChecked();
  assert.equal(popped.length, xs.length);
  assert.deepEqual([...popped].sort((a, b) => a - b), [...xs].sort((a, b) => a - b));
  assert.equal(h.pop(), undefined);
  assert.equal(h.peek(), undefined);
});
