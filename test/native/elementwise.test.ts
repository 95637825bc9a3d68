import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BinaryOp, UnaryOp, View } from '../../src/backend/backend.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { nativeBackend } from '../../src/backend/native/index-node.js';
import { BINARY_CODE, UNARY_CODE } from '../../src/backend/native/ops.js';
import { Generator, randomArray, skipNative } from './native-helpers.js';

/** Ops whose float32 result is exactly determined (IEEE basic operations, comparisons, selections). */
const EXACT = new Set<string>([
  'neg', 'sqrt', 'abs', 'sign', 'relu', 'reciprocal', 'square', 'floor', 'ceil', 'round', 'addScalar',
  'mulScalar', 'leakyRelu', 'clampMin', 'clampMax', 'rsubScalar', 'rdivScalar', 'gtScalar', 'geScalar',
  'ltScalar', 'leScalar', 'eqScalar', 'neScalar', 'add', 'sub', 'mul', 'div', 'minimum', 'maximum', 'eq',
  'ne', 'lt', 'le', 'gt', 'ge', 'reluBackward',
]);

function close(op: string, got: number, want: number): boolean {
  if (Number.isNaN(want)) return Number.isNaN(got);
  if (EXACT.has(op)) return Object.is(got, want) || got === want;
  if (!Number.isFinite(want)) return got === want;
  return Math.abs(got - want) <= 2e-6 + 4e-6 * Math.abs(want);
}

/** Layouts over one storage: contiguous with offset, transposed, broadcast, size-1 axes, rank 0. */
function layouts(data: Float32Array): View[] {
  return [
    { data, shape: [3, 17, 33], strides: [561, 33, 1], offset: 5 },
    { data, shape: [33, 17], strides: [1, 33], offset: 2 },
    { data, shape: [4, 1000], strides: [0, 1], offset: 7 },
    { data, shape: [1000, 3], strides: [1, 0], offset: 0 },
    { data, shape: [1, 1000, 1], strides: [0, 2, 0], offset: 1 },
    { data, shape: [5, 6, 7, 2], strides: [84, 1, 6, 42], offset: 3 },
    { data, shape: [], strides: [], offset: 11 },
    { data, shape: [0, 5], strides: [5, 1], offset: 0 },
    { data, shape: [200, 600], strides: [600, 1], offset: 0 },
  ];
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

test('unary ops match the reference on strided, broadcast and offset views', { skip: skipNative }, () => {
  const gen = new Generator(11);
  const data = randomArray(130_000, gen).map((v) => v * 3);
  data[20] = NaN; data[21] = Infinity; data[22] = -Infinity; data[23] = 0; data[24] = -0; data[25] = 0.5; data[26] = 2.5;
  for (const op of UNARY_CODE.keys()) {
    for (const x of layouts(data)) {
      const n = sizeOf(x.shape);
      const got = new Float32Array(n);
      const want = new Float32Array(n);
      nativeBackend!.unary(op as UnaryOp, x, got, 0.3);
      jsBackend.unary(op as UnaryOp, x, want, 0.3);
      for (let i = 0; i < n; i++) {
        if (!close(op, got[i], want[i])) {
          assert.fail(`unary ${op} shape [${x.shape}] strides [${x.strides}] element ${i}: native ${got[i]} vs reference ${want[i]}`);
        }
      }
    }
  }
});

test('binary ops match the reference, including broadcast (stride 0) operands', { skip: skipNative }, () => {
  const gen = new Generator(12);
  const aData = randomArray(130_000, gen).map((v) => v * 2);
  const bData = randomArray(130_000, gen).map((v) => v * 2);
  aData[30] = NaN; bData[31] = NaN; aData[32] = 1; bData[32] = 1;
  const pairs: [View, View][] = [];
  const la = layouts(aData);
  const lb = layouts(bData);
  for (let i = 0; i < la.length; i++) pairs.push([la[i], lb[i]]);
  // mixed: contiguous a with a row-broadcast b, and a transposed a with a column-broadcast b
  pairs.push([{ data: aData, shape: [64, 300], strides: [300, 1], offset: 1 }, { data: bData, shape: [64, 300], strides: [0, 1], offset: 4 }]);
  pairs.push([{ data: aData, shape: [70, 90], strides: [1, 70], offset: 0 }, { data: bData, shape: [70, 90], strides: [1, 0], offset: 9 }]);
  for (const op of BINARY_CODE.keys()) {
    for (const [a, b0] of pairs) {
      const b = { ...b0, data: op === 'pow' ? b0.data.map((v) => Math.round(v * 2)) : b0.data };
      const n = sizeOf(a.shape);
      const got = new Float32Array(n);
      const want = new Float32Array(n);
      nativeBackend!.binary(op as BinaryOp, a, b, got);
      jsBackend.binary(op as BinaryOp, a, b, want);
      for (let i = 0; i < n; i++) {
        if (!close(op, got[i], want[i])) {
          assert.fail(`binary ${op} shape [${a.shape}] element ${i}: native ${got[i]} vs reference ${want[i]}`);
        }
      }
    }
  }
});

test('unary on a large contiguous input (multi-threaded path) matches the reference', { skip: skipNative }, () => {
  const data = randomArray(500_001, new Generator(13));
  for (const op of ['tanh', 'add', 'exp'] as const) {
    const got = new Float32Array(data.length - 1);
    const want = new Float32Array(data.length - 1);
    const x: View = { data, shape: [data.length - 1], strides: [1], offset: 1 };
    if (op === 'add') {
      nativeBackend!.binary('add', x, x, got);
      jsBackend.binary('add', x, x, want);
    } else {
      nativeBackend!.unary(op, x, got);
      jsBackend.unary(op, x, want);
    }
    for (let i = 0; i < got.length; i++) if (!close(op, got[i], want[i])) assert.fail(`${op} element ${i}: ${got[i]} vs ${want[i]}`);
  }
});

test('elementwise kernels reject views that reach outside their storage', { skip: skipNative }, () => {
  const data = new Float32Array(100);
  const out = new Float32Array(200);
  assert.throws(() => nativeBackend!.unary('neg', { data, shape: [200], strides: [1], offset: 0 }, out), /unary: view out of bounds/);
  assert.throws(
    () => nativeBackend!.binary('add', { data, shape: [10, 10], strides: [10, 1], offset: 1 }, { data, shape: [10, 10], strides: [0, 1], offset: 0 }, out),
    /binary: view out of bounds.*aOffset=1/,
  );
});
