import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsBackend } from '../../src/backend/js/index.js';
import { nativeBackend } from '../../src/backend/native/index-node.js';
import { Generator, randomArray, skipNative } from './native-helpers.js';

function assertClose(got: Float32Array, want: Float32Array, what: string): void {
  for (let i = 0; i < want.length; i++) {
    const ok = Number.isNaN(want[i]) ? Number.isNaN(got[i])
      : !Number.isFinite(want[i]) ? got[i] === want[i]
        : Math.abs(got[i] - want[i]) <= 1e-6 + 2e-5 * Math.abs(want[i]);
    if (!ok) assert.fail(`${what}: element ${i} native ${got[i]} vs reference ${want[i]}`);
  }
}

const shapes: [number, number][] = [[1, 1], [3, 17], [17, 33], [1000, 3], [2, 6000], [64, 1000]];

test('softmax and log-softmax match the reference (forward and backward)', { skip: skipNative }, () => {
  const gen = new Generator(21);
  for (const [rows, cols] of shapes) {
    const x = randomArray(rows * cols, gen).map((v) => v * 20);
    const dy = randomArray(rows * cols, gen);
    for (const log of [false, true]) {
      const y = new Float32Array(x.length);
      const yRef = new Float32Array(x.length);
      nativeBackend!.softmax(x, rows, cols, y, log);
      jsBackend.softmax(x, rows, cols, yRef, log);
      assertClose(y, yRef, `softmax log=${log} [${rows},${cols}]`);
      const dx = new Float32Array(x.length);
      const dxRef = new Float32Array(x.length);
      nativeBackend!.softmaxBackward(yRef, dy, rows, cols, dx, log);
      jsBackend.softmaxBackward(yRef, dy, rows, cols, dxRef, log);
      assertClose(dx, dxRef, `softmaxBackward log=${log} [${rows},${cols}]`);
    }
  }
});

test('softmax handles huge logits and fully masked rows like the reference', { skip: skipNative }, () => {
  const cols = 100;
  const x = new Float32Array(3 * cols).fill(-Infinity);
  for (let j = 0; j < cols; j++) x[cols + j] = j === 7 ? 1e30 : 1e29;
  for (let j = 0; j < cols; j++) x[2 * cols + j] = j;
  for (const log of [false, true]) {
    const y = new Float32Array(x.length);
    const yRef = new Float32Array(x.length);
    nativeBackend!.softmax(x, 3, cols, y, log);
    jsBackend.softmax(x, 3, cols, yRef, log);
    assertClose(y, yRef, `softmax special rows log=${log}`);
  }
});

test('softmax rejects sizes larger than its arrays', { skip: skipNative }, () => {
  assert.throws(() => nativeBackend!.softmax(new Float32Array(100), 10, 11, new Float32Array(110), false), /softmax: rows=10 cols=11/);
});
