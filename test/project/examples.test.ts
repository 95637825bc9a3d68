import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');

function runTs(file: string): string {
  return execFileSync(process.execPath, ['--import', 'tsx', file], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ATTENTIVE_QUIET: '1' },
    timeout: 120_000,
  });
}

test('examples/xor.ts learns XOR', () => {
  const out = runTs('examples/xor.ts');
  const losses = [...out.matchAll(/loss (\d+\.\d+)/g)].map((m) => Number(m[1]));
  assert.ok(losses.length >= 2, out);
  assert.ok(losses[losses.length - 1] < losses[0] / 5, `loss did not fall enough: ${losses.join(', ')}`);
  const preds = out.match(/predictions (.*)/)![1].split(' ').map(Number);
  assert.deepEqual(preds.map((p) => (p > 0.5 ? 1 : 0)), [0, 1, 1, 0]);
});

test('the README tour runs as written', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const block = readme.match(/```ts\n([\s\S]*?)```/);
  assert.ok(block, 'README has a ```ts block');
  const dir = mkdtempSync(join(tmpdir(), 'attentive-readme-'));
  try {
    const code = block[1].replace(/from 'attentive'/g, `from ${JSON.stringify(join(root, 'src', 'index.ts'))}`);
    const file = join(dir, 'tour.ts');
    writeFileSync(file, code);
    const out = runTs(file);
    assert.match(out, /\[ 2, 1 \]/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
