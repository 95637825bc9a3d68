/**
 * Preload for running any test suite on the native backend:
 *   node --import tsx --import ./test/native/use-native.ts --test test/autograd/*.test.ts
 * Fails loudly when the addon is missing instead of silently testing the js backend again.
 */
import { selectBackend } from '../../src/backend/select-node.js';

const name = selectBackend('native');
if (name !== 'native') throw new Error(`use-native: expected the native backend, got '${name}'`);
if (process.env.ATTENTIVE_SHOW_BACKEND) process.stderr.write(`[backend: ${name}]\n`);
