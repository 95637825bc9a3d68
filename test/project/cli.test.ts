import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runDemo } from '../../src/cli/demo.js';
import { buildProgram } from '../../src/cli/main.js';
import { VERSION } from '../../src/version.js';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

test('package.json and src/version.ts agree on the version', () => {
  const pkg = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../package.json'), 'utf8'));
  assert.equal(pkg.version, VERSION);
});

test('the demo trains: loss falls and the moons are separated', () => {
  const lines: string[] = [];
  const r = runDemo({ steps: 150, seed: 3, log: (s) => lines.push(s) });
  assert.ok(r.lastLoss < r.firstLoss * 0.5, `loss ${r.firstLoss} -> ${r.lastLoss}`);
  assert.ok(r.accuracy > 0.9, `accuracy ${r.accuracy}`);
  assert.ok(lines.some((l) => l.includes('training accuracy')));
});

test('the CLI lists its commands in --help', () => {
  const help = buildProgram().helpInformation();
  for (const cmd of ['version', 'bleu', 'demo']) assert.match(help, new RegExp(`\\b${cmd}\\b`));
});

test('bin/attentive.js passes output and exit codes through its heap-flag re-run', { skip: !existsSync(resolve(import.meta.dirname, '../../dist/cli/main.js')) && 'dist/ not built (npm run build)' }, () => {
  const bin = resolve(import.meta.dirname, '../../bin/attentive.js');
  for (const env of [{}, { ATTENTIVE_HEAP_FLAGS: '0' }]) {
    const ok = spawnSync(process.execPath, [bin, 'version'], { encoding: 'utf8', env: { ...process.env, ...env } });
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, new RegExp(VERSION.replace(/\./g, '\\.')));
    const bad = spawnSync(process.execPath, [bin, 'no-such-command'], { encoding: 'utf8', env: { ...process.env, ...env } });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /unknown command 'no-such-command'/);
  }
});

test('a reader that closes the pipe early ends the CLI quietly', { skip: !existsSync(resolve(import.meta.dirname, '../../dist/cli/main.js')) && 'dist/ not built (npm run build)' }, () => {
  const bin = resolve(import.meta.dirname, '../../bin/attentive.js');
  const r = spawnSync('/bin/sh', ['-c', `"${process.execPath}" "${bin}" --help | head -c 1 > /dev/null`], { encoding: 'utf8' });
  assert.equal(r.status, 0);
  assert.doesNotMatch(r.stderr, /EPIPE/);
});
