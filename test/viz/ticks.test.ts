import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logTicks, niceTicks } from '../../src/viz/ticks.js';

test('niceTicks uses 1-2-5 steps and covers the data', () => {
  const t = niceTicks(0.13, 0.87, 5);
  assert.deepEqual(t.values, [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(t.labels, ['0.0', '0.2', '0.4', '0.6', '0.8', '1.0']);
  assert.deepEqual(t.domain, [0, 1]);
  const big = niceTicks(3, 9870, 5);
  assert.ok(big.domain[0] <= 3 && big.domain[1] >= 9870);
  const step = big.values[1]! - big.values[0]!;
  assert.ok([1, 2, 2.5, 5].includes(step / 10 ** Math.floor(Math.log10(step))), `step ${step}`);
});

test('niceTicks labels 2.5 steps with enough decimals and handles degenerate ranges', () => {
  assert.deepEqual(niceTicks(0, 1, 4).labels, ['0.00', '0.25', '0.50', '0.75', '1.00']);
  const flat = niceTicks(5, 5);
  assert.ok(flat.domain[0] < 5 && flat.domain[1] > 5);
  assert.deepEqual(niceTicks(10, 0, 2).domain, [0, 10]);
  assert.throws(() => niceTicks(0, Infinity), /niceTicks: domain must be finite, got \[0, Infinity\]/);
});

test('logTicks gives powers of ten, with 2 and 5 over short ranges', () => {
  const wide = logTicks(0.003, 250);
  assert.deepEqual(wide.values, [0.001, 0.01, 0.1, 1, 10, 100, 1000]);
  assert.deepEqual(wide.labels, ['0.001', '0.01', '0.1', '1', '10', '100', '1000']);
  const narrow = logTicks(1.5, 7);
  assert.deepEqual(narrow.values, [1, 2, 5, 10]);
  const huge = logTicks(1e-12, 1e6);
  assert.ok(huge.values.length <= 10);
  assert.equal(huge.labels[0], '1e-12');
  // Beyond the plain range every label switches notation, so the axis never mixes styles.
  assert.deepEqual(logTicks(2e-4, 9e3).labels, ['1e-4', '1e-3', '1e-2', '1e-1', '1', '1e1', '1e2', '1e3', '1e4']);
  assert.throws(() => logTicks(0, 1), /logTicks: domain must be positive and finite, got \[0, 1\]/);
});
