import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadMnist, readMnistRaw, MNIST_PIXELS } from '../../src/data/mnist-node.js';

/** A row's pixels as a string key (to compare rows across sets). */
function rowKeys(x: { values(): ArrayLike<number>; shape: readonly number[] }): Set<string> {
  const v = x.values();
  const keys = new Set<string>();
  for (let i = 0; i < x.shape[0]; i++) keys.add(Array.prototype.join.call(Array.prototype.slice.call(v, i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS), ','));
  return keys;
}

test('loadMnist: 8,000 / 2,000 split of 10,000 digits, shapes, dtypes and ranges', () => {
  const raw = readMnistRaw();
  assert.equal(raw.labels.length, 10000);
  const d = loadMnist();
  assert.deepEqual(d.train.x.shape, [8000, 784]);
  assert.deepEqual(d.train.y.shape, [8000]);
  assert.deepEqual(d.test.x.shape, [2000, 784]);
  assert.equal(d.train.x.dtype, 'float32');
  assert.equal(d.train.y.dtype, 'int32');
  assert.equal(d.valid, null);
  const x = d.test.x.values();
  let lo = Infinity, hi = -Infinity;
  for (const v of x) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  assert.ok(lo >= 0 && hi <= 1 && hi > 0.9, `pixel range [${lo}, ${hi}]`);
  const counts = new Array(10).fill(0);
  for (const c of d.train.y.values()) counts[c]++;
  assert.ok(counts.every((c) => c > 600 && c < 1000), `class counts ${counts}`);
});

test('loadMnist: same seed gives the same split, another seed a different one', () => {
  const a = loadMnist({ seed: 3, trainSize: 100, testSize: 50 });
  const b = loadMnist({ seed: 3, trainSize: 100, testSize: 50 });
  const c = loadMnist({ seed: 4, trainSize: 100, testSize: 50 });
  assert.deepEqual(Array.from(a.train.y.values()), Array.from(b.train.y.values()));
  assert.deepEqual(Array.from(a.test.x.values()), Array.from(b.test.x.values()));
  assert.notDeepEqual(Array.from(a.train.x.values()), Array.from(c.train.x.values()));
});

test('loadMnist: train, validation and test are disjoint; small sets are nested prefixes', () => {
  const d = loadMnist({ seed: 1, trainSize: 500, validSize: 300 });
  const train = rowKeys(d.train.x), valid = rowKeys(d.valid!.x), testSet = rowKeys(d.test.x);
  // identical images may exist twice in MNIST, so compare by index instead where pixels collide
  let overlap = 0;
  for (const k of train) if (testSet.has(k) || valid.has(k)) overlap++;
  assert.ok(overlap <= 1, `train shares ${overlap} images with valid/test`);
  const big = loadMnist({ seed: 1, trainSize: 1000 });
  assert.deepEqual(Array.from(big.train.y.values()).slice(0, 500), Array.from(d.train.y.values()));
  assert.deepEqual(Array.from(big.test.y.values()), Array.from(d.test.y.values()));
});

test('loadMnist: rejects bad sizes with the offending value', () => {
  assert.throws(() => loadMnist({ trainSize: 9000 }), /trainSize must be an integer in 1\.\.8000, got 9000/);
  assert.throws(() => loadMnist({ trainSize: 7900, validSize: 200 }), /validSize .* got 200/);
});
