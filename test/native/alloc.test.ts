import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nativeAddon, nativeBackend } from '../../src/backend/native/index-node.js';
import { skipNative } from './native-helpers.js';

test('alloc returns zeroed storage of the requested dtype and size', { skip: skipNative }, () => {
  for (const size of [0, 1, 17, 1023, 1024, 5000, 300_000]) {
    const f = nativeBackend!.alloc('float32', size);
    assert.ok(f instanceof Float32Array);
    assert.equal(f.length, size);
    assert.ok(f.every((v) => v === 0));
    const i = nativeBackend!.alloc('int32', size);
    assert.ok(i instanceof Int32Array);
    assert.equal(i.length, size);
    assert.ok(i.every((v) => v === 0));
  }
});

test('native allocations are usable, independent buffers', { skip: skipNative }, () => {
  const a = nativeAddon!.alloc(0, 100_000) as Float32Array;
  const b = nativeAddon!.alloc(0, 100_000) as Float32Array;
  a.fill(3);
  assert.equal(b[0], 0);
  assert.equal(a[99_999], 3);
  assert.notEqual(a.buffer, b.buffer);
});

test('alloc rejects bad sizes naming the value', { skip: skipNative }, () => {
  assert.throws(() => nativeBackend!.alloc('float32', -1), /alloc: .*-1/);
  assert.throws(() => nativeBackend!.alloc('float32', 2.5), /alloc: .*2\.5/);
});

test('native allocations start on a 64-byte boundary', { skip: skipNative }, () => {
  for (const size of [1024, 1025, 4099, 100_000]) {
    for (const dtype of ['float32', 'int32'] as const) {
      const a = nativeBackend!.alloc(dtype, size);
      assert.equal(nativeAddon!.alignmentOf(a as Float32Array | Int32Array), 0, `${dtype}[${size}]`);
    }
  }
});

test('dropped native allocations are reclaimed inside a synchronous loop', { skip: skipNative }, () => {
  const before = process.memoryUsage().rss;
  let sum = 0;
  for (let i = 0; i < 600; i++) {
    const a = nativeBackend!.alloc('float32', 262_144) as Float32Array; // 1 MB, touched below
    a.fill(1);
    sum += a[i];
  }
  assert.equal(sum, 600);
  const grownMb = (process.memoryUsage().rss - before) / 1e6;
  assert.ok(grownMb < 300, `rss grew by ${grownMb.toFixed(0)} MB over 600 MB of dropped tensors`);
});
