/**
 * "Tested on both backends" must always be true in CI: the native suites skip when the addon is
 * missing (right on a user's machine without a C compiler), so in CI a missing addon fails here,
 * and the build script itself exits non-zero when the build fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { nativeBackend, nativeLoadError } from '../../src/backend/native/index-node.js';

const ci = process.env.CI;
const inCi = Boolean(ci) && !['0', 'false'].includes(String(ci).toLowerCase());

test('in CI the native backend loads, so no native suite is skipped', { skip: !inCi && 'not in CI (CI is not set)' }, () => {
  assert.ok(nativeBackend, `CI=${ci}: the native addon did not load (${nativeLoadError}); the native tests and the engine suites on the native backend would be skipped`);
  assert.equal(process.env.ATTENTIVE_SKIP_NATIVE, undefined, 'ATTENTIVE_SKIP_NATIVE is set in CI');
});

test('build-native.mjs: a failed build warns and exits 0 for users, exits 1 in CI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'attentive-gyp-'));
  try {
    // A node-gyp that fails without touching anything, passed the way npm passes its own.
    const fakeGyp = join(dir, 'node-gyp.js');
    writeFileSync(fakeGyp, "console.error('gyp ERR! build error: no compiler (simulated)'); process.exit(1);\n");
    const script = resolve(import.meta.dirname, '../../scripts/build-native.mjs');
    const run = (env: Record<string, string | undefined>) => {
      const e: Record<string, string | undefined> = { ...process.env, npm_config_node_gyp: fakeGyp, ATTENTIVE_SKIP_NATIVE: undefined, ...env };
      for (const k of Object.keys(e)) if (e[k] === undefined) delete e[k];
      return spawnSync(process.execPath, [script], { encoding: 'utf8', env: e as NodeJS.ProcessEnv });
    };
    const user = run({ CI: undefined });
    assert.equal(user.status, 0, user.stderr);
    assert.match(user.stderr, /native backend not built \(gyp ERR! build error: no compiler \(simulated\)\)/);
    for (const value of ['true', '1']) {
      const r = run({ CI: value });
      assert.equal(r.status, 1, `CI=${value}: ${r.stderr}`);
      assert.match(r.stderr, /native backend build FAILED in CI/);
    }
    assert.equal(run({ CI: 'false' }).status, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
