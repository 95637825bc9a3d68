/**
 * SIGKILL at any moment of a training run, checkpoint writes included, must leave a run folder
 * that loads and that --resume finishes. A real `attentive train translate` process (a tiny
 * embedded run) is killed many times, at random moments and at the moment a checkpoint, a model
 * file or the run folder itself is being written, and resumed after each kill.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, watch, type FSWatcher } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { mulberry32 } from '../../src/data/mulberry32.js';
import { loadCheckpoint } from '../../src/io/checkpoint-node.js';
import { loadRun, loadRunConfig } from '../../src/models/translation/run-node.js';

const root = resolve(import.meta.dirname, '../..');
const EPOCHS = 5;
const FRESH = ['train', 'translate', '--data', 'embedded', '--n-pairs', '300', '--epochs', String(EPOCHS), '--hidden', '12', '--emb', '8',
  '--batch-size', '16', '--valid-sentences', '8', '--final-eval-sentences', '12', '--patience', '99', '--no-progress'];

/** What ends a child run: a kill after `ms`, or a kill at the first sign of a write whose name starts with a prefix. */
type Trigger = { ms: number } | { prefix: string; where: 'parent' | 'run' };

interface Outcome { killed: boolean; code: number | null; stderr: string }

function runOnce(args: string[], runDir: string, trigger: Trigger): Promise<Outcome> {
  const script = `import(${JSON.stringify(join(root, 'src/cli/main.ts'))}).then((m) => m.main(['node', 'attentive', ...${JSON.stringify(args)}]))`;
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ATTENTIVE_HEAP_FLAGS: '0' } });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  let killed = false;
  const kill = () => {
    if (!killed && child.exitCode === null) {
      killed = true;
      child.kill('SIGKILL');
    }
  };
  const watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  let poll: NodeJS.Timeout | undefined;
  if ('ms' in trigger) timer = setTimeout(kill, trigger.ms);
  else {
    const prefix = trigger.prefix === 'PARTIAL' ? `.${basename(runDir)}.partial-` : trigger.prefix;
    const onName = (_: string, name: string | null) => {
      if (name?.startsWith(prefix)) kill();
    };
    const parent = resolve(runDir, '..');
    if (trigger.where === 'parent') watchers.push(watch(parent, onName));
    else {
      // the run folder may not exist yet: start watching it as soon as it does
      const attach = () => {
        if (existsSync(runDir)) {
          clearInterval(poll);
          watchers.push(watch(runDir, onName));
          return true;
        }
        return false;
      };
      if (!attach()) poll = setInterval(attach, 5);
    }
  }
  return new Promise((resolvePromise) => {
    child.on('exit', (code) => {
      clearTimeout(timer);
      clearInterval(poll);
      for (const w of watchers) w.close();
      resolvePromise({ killed, code, stderr });
    });
  });
}

/** What must hold after every kill: whatever exists of the run loads. */
async function assertLoadable(runDir: string, note: string): Promise<void> {
  if (!existsSync(runDir)) return; // killed before the run folder appeared: nothing was written
  const { config } = loadRunConfig(runDir); // config.json and the vocabularies are whole
  assert.equal(config.type, 'attentive-translate-run', note);
  if (existsSync(join(runDir, 'model.safetensors'))) await loadRun(runDir);
  // last/ is either whole (checksums verified) or absent while an interrupted save's folders wait beside it
  if (existsSync(join(runDir, 'last'))) await loadCheckpoint(join(runDir, 'last'));
}

test('SIGKILL at random moments and during writes; every resume continues and the run finishes', { timeout: 600_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'attentive-crash-'));
  const rand = mulberry32(2024);
  const triggers: Trigger[] = [
    { prefix: 'PARTIAL', where: 'parent' }, // the run folder's first files (.<name>.partial-*)
    { prefix: '.last.partial-', where: 'run' }, // a checkpoint being written
    { prefix: '.last.complete-', where: 'run' }, // a complete checkpoint about to replace the old one
    { prefix: '.last.previous-', where: 'run' }, // the old checkpoint set aside, the new one not yet in place
    { prefix: '.model.safetensors.tmp-', where: 'run' }, // the best model being written
    { prefix: 'metrics.jsonl', where: 'run' }, // an epoch record being appended
    { prefix: '.summary.json.tmp-', where: 'run' }, // the final evaluation being written
  ];
  const KILLS = 20;
  let kills = 0;
  let finishedRuns = 0;
  let runDir = '';
  let attempt = 0;
  /** The checks on a finished run: summary, a loadable best model, one metrics record per epoch in order. */
  const checkFinished = async (note: string) => {
    const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8'));
    assert.equal(summary.epochs, EPOCHS, note);
    assert.equal(summary.results.test.greedy.sentences, 12, note);
    await loadRun(runDir);
    const records = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(records.map((x) => x.epoch), Array.from({ length: EPOCHS }, (_, i) => i + 1), note);
    finishedRuns++;
  };
  try {
    // Kills cycle through every write trigger and random moments; a run that finishes before its
    // kill is checked and replaced by a new one, until enough kills have landed.
    let plan: Trigger[] = [];
    while (kills < KILLS) {
      assert.ok(attempt < 150, `only ${kills} kills landed in ${attempt} attempts`);
      if (plan.length === 0) plan = [...triggers, ...Array.from({ length: 5 }, () => ({ ms: Math.floor(rand() * 3000) }))].sort(() => rand() - 0.5);
      if (runDir === '') runDir = join(dir, `run${finishedRuns}`);
      const trigger = plan.shift()!;
      const args = existsSync(runDir) ? ['train', 'translate', '--resume', runDir, '--no-progress'] : [...FRESH, '--out', runDir];
      const note = `${runDir}, attempt ${attempt++}, trigger ${JSON.stringify(trigger)}`;
      const o = await runOnce(args, runDir, trigger);
      if (o.killed) {
        kills++;
        if (process.env.CRASH_DEBUG) console.log(`killed: ${note}`);
        await assertLoadable(runDir, note);
      } else {
        assert.equal(o.code, 0, `${note}: the run failed:\n${o.stderr}`);
        if (process.env.CRASH_DEBUG) console.log(`finished: ${note}`);
        await checkFinished(note);
        runDir = '';
      }
    }
    if (runDir !== '') {
      const o = await runOnce(['train', 'translate', '--resume', runDir, '--no-progress'], runDir, { ms: 600_000 });
      assert.equal(o.code, 0, `the last resume failed:\n${o.stderr}`);
      await checkFinished('last resume');
    }
    assert.ok(finishedRuns >= 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
