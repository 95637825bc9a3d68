import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADDON_FUNCTIONS, missingAddonFunctions } from '../../src/backend/native/addon-node.js';
import { nativeAddon } from '../../src/backend/native/index-node.js';
import { skipNative } from './native-helpers.js';

test('an addon built from older sources is recognised by the kernels it lacks', () => {
  const fake = Object.fromEntries(ADDON_FUNCTIONS.filter((f) => f !== 'layerNorm' && f !== 'sdpa').map((f) => [f, () => undefined]));
  assert.deepEqual(missingAddonFunctions(fake), ['sdpa', 'layerNorm']);
  assert.deepEqual(missingAddonFunctions({ ...fake, sdpa: () => undefined, layerNorm: 1 }), ['layerNorm']);
  assert.equal(missingAddonFunctions({}).length, ADDON_FUNCTIONS.length);
});

test('the built addon exports every kernel the backend calls', { skip: skipNative }, () => {
  assert.deepEqual(missingAddonFunctions(nativeAddon!), []);
});
