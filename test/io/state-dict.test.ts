import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertStateDictMatches, compareStateDict } from '../../src/io/state-dict.js';
import { decodeSafetensors, encodeSafetensors } from '../../src/io/safetensors.js';

test('matching dicts give no problems; dtype may be left unchecked', () => {
  const got = { 'a.weight': { dtype: 'float32', shape: [2, 3] }, 'a.bias': { dtype: 'float32', shape: [3] } };
  assert.deepEqual(compareStateDict({ 'a.weight': { shape: [2, 3] }, 'a.bias': { dtype: 'float32', shape: [3] } }, got), []);
});

test('every problem is listed, grouped and sorted', () => {
  const expected = {
    'decoder.weight': { dtype: 'float32', shape: [6000, 512] },
    'encoder.embed.weight': { dtype: 'float32', shape: [100, 8] },
    'decoder.bias': { dtype: 'float32', shape: [6000] },
    'step': { dtype: 'int32', shape: [] },
    'norm.weight': { shape: [8] },
  };
  const got = {
    'decoder.weight': { dtype: 'float32', shape: [512, 6000] },
    'step': { dtype: 'float32', shape: [1] },
    'norm.weight': { dtype: 'int32', shape: [8] },
    'extra.z': { dtype: 'int32', shape: [2] },
    'extra.a': { dtype: 'float32', shape: [] },
  };
  assert.deepEqual(compareStateDict(expected, got), [
    'missing key decoder.bias (expected [6000] float32)',
    'missing key encoder.embed.weight (expected [100,8] float32)',
    'unexpected key extra.a (file has [] float32)',
    'unexpected key extra.z (file has [2] int32)',
    'decoder.weight: expected [6000,512], file has [512,6000]',
    'step: expected [], file has [1]',
    'step: expected dtype int32, file has float32',
  ]);
});

test('rank differences with equal leading dims are caught', () => {
  assert.deepEqual(compareStateDict({ w: { shape: [2, 3] } }, { w: { dtype: 'float32', shape: [2, 3, 1] } }), ['w: expected [2,3], file has [2,3,1]']);
});

test('assertStateDictMatches throws with the whole list, and works on decoded files', () => {
  const file = encodeSafetensors({ 'lm.weight': { dtype: 'float32', shape: [4, 2], data: new Float32Array(8) } });
  const { tensors } = decodeSafetensors(file);
  assert.doesNotThrow(() => assertStateDictMatches({ 'lm.weight': { dtype: 'float32', shape: [4, 2] } }, tensors, 'load'));
  assert.throws(
    () => assertStateDictMatches({ 'lm.weight': { shape: [2, 4] }, 'lm.bias': { shape: [4] } }, tensors, 'loadWeights: m.safetensors'),
    (e: Error) => e.message === 'loadWeights: m.safetensors: state dict does not match (2 problems):\n  missing key lm.bias (expected [4])\n  lm.weight: expected [2,4], file has [4,2]',
  );
});
