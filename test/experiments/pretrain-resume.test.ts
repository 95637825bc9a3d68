import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runPretrainCommand, type PretrainCommandOptions } from '../../src/cli/pretrain.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const settings: PretrainCommandOptions = { layers: [784, 24, 12], method: 'rbm', epochs: 3, finetuneEpochs: 4, trainSize: 300, finetuneLr: 0.1, k: 1, persistent: true, seed: 3 };
const files = ['pretrained/model.safetensors', 'finetuned/model.safetensors'];
const bytes = (dir: string) => files.map((f) => readFileSync(join(dir, f)).toString('hex'));

/** Starts the same run in a child process and SIGKILLs it once `ready(dir)` holds; resolves with whether it was still running. */
function killedRun(dir: string, ready: (dir: string) => boolean): Promise<boolean> {
  const script = join(mkdtempSync(join(tmpdir(), 'pretrain-script-')), 'run.mts');
  writeFileSync(script, `import { runPretrainCommand } from ${JSON.stringify(join(root, 'src/cli/pretrain.ts'))};\n` +
    `await runPretrainCommand({ ...${JSON.stringify(settings)}, out: ${JSON.stringify(dir)} });\n`);
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: root, stdio: 'ignore' });
  return new Promise((done, fail) => {
    let exited = false;
    child.on('exit', () => { exited = true; });
    child.on('error', fail);
    const poll = setInterval(() => {
      let now = false;
      try { now = ready(dir); } catch { /* a file being replaced */ }
      if (exited) { clearInterval(poll); done(false); }
      else if (now) {
        clearInterval(poll);
        child.kill('SIGKILL');
        child.on('exit', () => done(true));
      }
    }, 5);
  });
}

const layersDone = (dir: string) => {
  const p = join(dir, 'progress', 'trainer.json');
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as { layersDone: number; phase: string }) : null;
};

test('pretrain: a run killed after its first layer (and one killed during fine-tuning) resumes to the weights of an uninterrupted run, bit for bit', async () => {
  const whole = join(mkdtempSync(join(tmpdir(), 'pretrain-')), 'run');
  await runPretrainCommand({ ...settings, out: whole });
  const wanted = bytes(whole);
  const wantedMetrics = readFileSync(join(whole, 'metrics.jsonl'), 'utf8').split('\n').map((l) => l.replace(/"seconds":[0-9.e-]+/g, ''));

  for (const [what, ready] of [
    ['in the second layer', (d: string) => (layersDone(d)?.layersDone ?? 0) >= 1],
    ['during fine-tuning', (d: string) => layersDone(d)?.phase === 'finetune'],
  ] as const) {
    const dir = join(mkdtempSync(join(tmpdir(), 'pretrain-')), 'run');
    const killed = await killedRun(dir, ready);
    assert.ok(killed, `the run was killed ${what} (it finished first: make it longer)`);
    assert.ok(!existsSync(join(dir, 'finetuned')), `killed ${what}: no fine-tuned model yet`);
    await runPretrainCommand({ ...settings, resume: dir });
    assert.deepEqual(bytes(dir), wanted, `killed ${what}`);
    const metrics = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').split('\n').map((l) => l.replace(/"seconds":[0-9.e-]+/g, ''));
    assert.deepEqual(metrics, wantedMetrics, `killed ${what}: metrics.jsonl as if never interrupted`);
  }
  // another seed gives other weights: the comparison can fail
  const other = join(mkdtempSync(join(tmpdir(), 'pretrain-')), 'run');
  await runPretrainCommand({ ...settings, seed: 4, out: other });
  assert.notDeepEqual(bytes(other), wanted);
});
