import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bernoulli, rand, randint, randn, tensor } from '../../src/tensor/creation.js';
import { Generator, defaultGenerator, manualSeed } from '../../src/tensor/rng.js';

const bits = (a: Float32Array | Float64Array | Int32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');

test('same seed gives bit-identical rand/randn/randint/bernoulli streams', () => {
  const draw = (seed: number) => {
    const g = new Generator(seed);
    return [
      rand([50], { generator: g }),
      randn([51], { generator: g }), // odd count: leaves a cached Box-Muller deviate
      randint(-5, 17, [40], { generator: g }),
      bernoulli(0.3, [60], { generator: g }),
      randn([7], { generator: g }),
    ].map((t) => bits(t.data));
  };
  assert.deepEqual(draw(1234), draw(1234));
  const a = draw(1234), b = draw(1235);
  for (let i = 0; i < a.length; i++) assert.notEqual(a[i], b[i], `stream ${i} should differ between seeds`);
});

test('manualSeed resets the default generator', () => {
  manualSeed(42);
  const a = bits(randn([33]).data);
  manualSeed(42);
  const b = bits(randn([33]).data);
  assert.equal(a, b);
  manualSeed(43);
  assert.notEqual(bits(randn([33]).data), a);
  manualSeed(0);
});

test('seeds beyond 32 bits are not truncated to the same stream', () => {
  const a = new Generator(1).nextUint32();
  const b = new Generator(1 + 2 ** 32).nextUint32();
  assert.notEqual(a, b);
});

test('getState/setState continues the stream identically (including a cached normal)', () => {
  const g = new Generator(7);
  randn([3], { generator: g }); // odd: a spare deviate is cached
  const saved = g.getState();
  const cont1 = [...randn([9], { generator: g }).data, ...rand([5], { generator: g }).data];
  const h = new Generator(999).setState(saved);
  const cont2 = [...randn([9], { generator: h }).data, ...rand([5], { generator: h }).data];
  assert.deepEqual(cont2, cont1);
  // state is a plain array that survives JSON (NaN marks "no cached deviate" and is written as null)
  const g2 = new Generator(8);
  const st = g2.getState();
  const viaJson = (JSON.parse(JSON.stringify(st)) as (number | null)[]).map((v) => (v === null ? NaN : v));
  assert.deepEqual([...randn([4], { generator: new Generator(0).setState(viaJson) }).data], [...randn([4], { generator: g2 }).data]);
  assert.throws(() => g.setState([1, 2, 3]), /Generator\.setState: expected 5 numbers, got 3/);
});

test('1e5 standard normals: mean and variance within statistical bounds', () => {
  const n = 100_000;
  const x = randn([n], { generator: new Generator(2024) }).data;
  let s = 0;
  for (const v of x) s += v;
  const mean = s / n;
  let ss = 0;
  for (const v of x) ss += (v - mean) ** 2;
  const variance = ss / (n - 1);
  // Standard error of the mean is 1/sqrt(n) = 0.00316; of the sample variance sqrt(2/(n-1)) = 0.00447.
  // Five standard errors: a correct generator fails with probability below 1e-6.
  assert.ok(Math.abs(mean) < 5 / Math.sqrt(n), `mean ${mean}`);
  assert.ok(Math.abs(variance - 1) < 5 * Math.sqrt(2 / (n - 1)), `variance ${variance}`);
  // tails: P(|z| > 1.96) = 0.05, binomial SE sqrt(0.05*0.95/n) = 0.00069
  let tail = 0;
  for (const v of x) if (Math.abs(v) > 1.959964) tail++;
  assert.ok(Math.abs(tail / n - 0.05) < 5 * Math.sqrt(0.05 * 0.95 / n), `tail fraction ${tail / n}`);
});

test('rand is uniform in [low, high); randint covers [low, high) and only it', () => {
  const n = 100_000;
  const u = rand([n], { generator: new Generator(5), low: -2, high: 3 }).data;
  let s = 0;
  for (const v of u) {
    assert.ok(v >= -2 && v < 3);
    s += v;
  }
  // uniform on [-2, 3): mean 0.5, sd 5/sqrt(12) = 1.443, SE of mean 0.00456
  assert.ok(Math.abs(s / n - 0.5) < 5 * (5 / Math.sqrt(12)) / Math.sqrt(n), `uniform mean ${s / n}`);
  const r = randint(-3, 4, [70_000], { generator: new Generator(6) });
  assert.equal(r.dtype, 'int32');
  const counts = new Map<number, number>();
  for (const v of r.data) counts.set(v, (counts.get(v) ?? 0) + 1);
  assert.deepEqual([...counts.keys()].sort((a, b) => a - b), [-3, -2, -1, 0, 1, 2, 3]);
  // each of 7 values expected 10000 times, binomial SE sqrt(70000·(1/7)(6/7)) = 92.6
  for (const [v, c] of counts) assert.ok(Math.abs(c - 10_000) < 5 * 92.6, `value ${v} drawn ${c} times`);
  assert.throws(() => randint(3, 3, [2]), /randint: empty range \[3, 3\)/);
});

test('bernoulli: rate, tensor probabilities and validation', () => {
  const n = 100_000;
  const b = bernoulli(0.3, [n], { generator: new Generator(11) });
  assert.equal(b.dtype, 'float32');
  let ones = 0;
  for (const v of b.data) {
    assert.ok(v === 0 || v === 1);
    ones += v;
  }
  // SE sqrt(0.3·0.7/n) = 0.00145
  assert.ok(Math.abs(ones / n - 0.3) < 5 * Math.sqrt(0.21 / n), `rate ${ones / n}`);
  const p = tensor([0, 1, 0, 1, 1]);
  assert.deepEqual([...bernoulli(p, undefined, { generator: new Generator(1) }).data], [0, 1, 0, 1, 1]);
  assert.throws(() => bernoulli(1.5, [2]), /bernoulli: probability must be in \[0, 1\], got 1\.5/);
  assert.throws(() => bernoulli(tensor([0.5, -0.1])), /bernoulli: probability -0\.1\d* at flat index 1 is outside \[0, 1\]/);
});

test('the default generator is the one used when none is passed', () => {
  manualSeed(77);
  const a = rand([5]).data;
  const g = new Generator(77);
  assert.deepEqual([...a], [...rand([5], { generator: g }).data]);
  assert.ok(defaultGenerator instanceof Generator);
  manualSeed(0);
});

test('shuffle is a seeded permutation', () => {
  const a = new Generator(3).shuffle(Array.from({ length: 20 }, (_, i) => i));
  const b = new Generator(3).shuffle(Array.from({ length: 20 }, (_, i) => i));
  assert.deepEqual(a, b);
  assert.deepEqual([...a].sort((x, y) => x - y), Array.from({ length: 20 }, (_, i) => i));
  assert.notDeepEqual(a, Array.from({ length: 20 }, (_, i) => i));
});
