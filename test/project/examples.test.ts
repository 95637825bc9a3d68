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

/** Runs a documentation code block as a module, with `attentive` resolved to this checkout's source. */
function runBlock(code: string, name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'attentive-doc-'));
  try {
    const src = code.replace(/from 'attentive(\/core)?'/g, (_, core) => `from ${JSON.stringify(join(root, 'src', core ? 'core.ts' : 'index.ts'))}`);
    const file = join(dir, `${name}.mts`); // .mts: an ES module wherever it lives (top-level await allowed)
    writeFileSync(file, src);
    return runTs(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function tsBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
}

test('the README tour runs as written', () => {
  const blocks = tsBlocks(readFileSync(join(root, 'README.md'), 'utf8'));
  assert.ok(blocks.length >= 1, 'README has a ```ts block');
  assert.match(runBlock(blocks[0], 'readme'), /\[ 2, 1 \]/);
});

test('every ts example in docs/guide.md runs', () => {
  const blocks = tsBlocks(readFileSync(join(root, 'docs', 'guide.md'), 'utf8'));
  assert.ok(blocks.length >= 8, `expected the guide's examples, found ${blocks.length}`);
  const outputs = blocks.map((b, i) => runBlock(b, `guide-${i}`));
  // spot checks of documented outputs
  assert.match(outputs[0], /\[ \[ 11, 22, 33 \], \[ 14, 25, 36 \] \]/);
  assert.match(outputs[0], /matmul: cannot multiply \[2,3\] by \[1,2\]/);
  assert.match(outputs[1], /sqrt: produced NaN at flat index 1 of its output \[2\]/);
  assert.match(outputs[3], /\[ 3, 5, 32 \] \[ 4, 3, 16 \] \[ 4, 3, 16 \]/);
  assert.match(outputs[5], /exact\s+\[ 3 \] -1\.022 true/);
  const [epochs, steps, validLoss, bleu] = outputs[6].trim().split(' ').map(Number);
  assert.equal(epochs, 3, outputs[6]);
  assert.ok(steps > 0 && Number.isFinite(validLoss) && bleu >= 0 && bleu <= 100, outputs[6]);
  const attention = outputs.find((o) => o.includes('cached step'));
  assert.match(attention ?? '', /\[ 2, 3, 16 \] \[ 2, 3, 3 \] 0\n[\s\S]*cached step equals the full forward: true/);
  const fused = outputs[outputs.length - 1];
  assert.match(fused, /\[ 4, 5 \]/);
  assert.match(fused, /\[ 2, 3 \] 0/);
  const loss = outputs[2].match(/loss (\d+\.\d+) -> (\d+\.\d+)/)!;
  assert.ok(Number(loss[2]) < Number(loss[1]), outputs[2]);
});
