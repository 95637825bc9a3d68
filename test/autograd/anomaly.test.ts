import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as F from '../../src/autograd/ops/index.js';
import { detectAnomaly } from '../../src/autograd/anomaly.js';
import { tensor } from '../../src/tensor/creation.js';

test('without anomaly detection a NaN passes silently (as in torch)', () => {
  const x = tensor([1, -1]).requiresGrad_();
  assert.ok(Number.isNaN(F.log(x).values()[1]));
});

test('anomaly detection names the op that produced a NaN in the forward pass', () => {
  const x = tensor([1, -1]).requiresGrad_();
  assert.throws(() => detectAnomaly(() => F.sum(F.sqrt(F.mul(x, 2)))), /sqrt: produced NaN at flat index 1 of its output \[2\] from finite inputs \[2\]/);
});

test('anomaly detection names the op whose backward rule produced a NaN', () => {
  // sqrt(0) is fine forward (0) but its gradient 1/(2·sqrt(0)) times 0 upstream... is inf·0 = NaN
  const x = tensor([0, 4]).requiresGrad_();
  const y = F.mul(F.sqrt(x), tensor([0, 1]));
  assert.throws(() => detectAnomaly(() => F.sum(y).backward()), /sqrt backward: the gradient for input 0 \(shape \[2\]\) has NaN at flat index 0 from a finite incoming gradient/);
});

test('anomaly detection leaves finite computations alone', () => {
  const x = tensor([[1, 2], [3, 4]]).requiresGrad_();
  detectAnomaly(() => F.sum(F.logSoftmax(x, 1)).backward());
  assert.ok(x.grad!.values().every((v) => Number.isFinite(v)));
});
