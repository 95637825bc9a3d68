/**
 * Runs the engine's test suites (tensors, autograd gradient checks, layers and PyTorch parity,
 * vision ops, optimizers) a second time on the native backend, in this one process, so a plain
 * `npm test` proves both backends. Skips with a message when the addon is not built.
 */
import { test } from 'node:test';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { nativeBackend, nativeLoadError } from '../../src/backend/native/index-node.js';
import { setBackend } from '../../src/backend/registry.js';

const SUITES = ['tensor', 'autograd', 'nn', 'vision', 'optim'];

if (!nativeBackend) {
  test('engine suites on the native backend', (t) => t.skip(`native addon not available: ${nativeLoadError}`));
} else {
  setBackend(nativeBackend);
  const root = resolve(import.meta.dirname, '..');
  for (const suite of SUITES) {
    for (const f of readdirSync(join(root, suite)).filter((n) => n.endsWith('.test.ts')).sort()) {
      await import(pathToFileURL(join(root, suite, f)).href);
    }
  }
}
