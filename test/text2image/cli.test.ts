import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { Command } from 'commander';
import { join } from 'node:path';
import { generateScenes } from '../../src/data/digit-scenes-node.js';
import { captionWords } from '../../src/data/digit-scenes.js';
import { buildProgram } from '../../src/cli/main.js';
import { runDraw } from '../../src/cli/draw.js';
import { drawCaptions } from '../../src/models/text2image/evaluate.js';
import { judgeImages } from '../../src/models/text2image/judge.js';
import { loadText2ImageRun, T2I_RUN_FILES } from '../../src/models/text2image/run-node.js';
import { decodePng } from '../../src/viz/png-node.js';

const tmp = () => mkdtempSync(join(tmpdir(), 't2i-'));
/** Runs the CLI in-process; flag errors throw (commander's exit is overridden on every subcommand). */
function run(...args: string[]): Promise<unknown> {
  const program = buildProgram();
  const quiet = (c: Command): void => {
    c.exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
    c.commands.forEach(quiet);
  };
  quiet(program);
  return program.parseAsync(['node', 'attentive', ...args]);
}

// one quick run shared by the tests below: 3 steps, a judge trained briefly on 300 digits
const base = tmp();
const runDir = join(base, 'run');
let trained: Promise<void> | null = null;
function quickRun(): Promise<void> {
  trained ??= (async () => {
    const log = console.log;
    console.log = () => {};
    try {
      await run('train', 'text2image', '--out', runDir, '--max-steps', '3', '--batch-size', '4', '--hidden', '16', '--eval-every', '2',
        '--valid-scenes', '6', '--test-scenes', '10', '--judge-epochs', '1', '--judge-digits', '300', '--seed', '5');
    } finally {
      console.log = log;
    }
  })();
  return trained;
}

test('train text2image writes a complete run folder; reloaded, it reproduces its test scores', async () => {
  await quickRun();
  const files = readdirSync(runDir).sort();
  assert.deepEqual(files, ['config.json', 'judge.safetensors', 'last', 'metrics.jsonl', 'model.safetensors', 'samples.png', 'samples.svg', 'summary.json']);
  assert.deepEqual(readdirSync(base), ['run'], 'no temporary folder left beside the run');
  const summary = JSON.parse(readFileSync(join(runDir, T2I_RUN_FILES.summary), 'utf8'));
  assert.equal(summary.steps, 3);
  assert.equal(summary.test.scenes, 10);
  const metrics = readFileSync(join(runDir, T2I_RUN_FILES.metrics), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(metrics.map((m) => m.step), [2, 3]);
  assert.match(readFileSync(join(runDir, 'samples.svg'), 'utf8'), /<image [^>]*href="data:image\/png;base64,/);
  const loaded = await loadText2ImageRun(runDir, true);
  assert.equal(loaded.model.config.hiddenSize, 16);
  const test = generateScenes({ split: 'test', n: 10, seed: 5 });
  const images = drawCaptions(loaded.model, test.map((s) => captionWords(s.caption)), loaded.config.vocab);
  const scores = judgeImages(loaded.judge!, images, test.map((s) => s.cells));
  assert.equal(scores.digitAccuracy, summary.test.digitAccuracy);
  assert.equal(scores.emptyAccuracy, summary.test.emptyAccuracy);
  // drawing is deterministic
  assert.deepEqual(drawCaptions(loaded.model, [captionWords(test[0].caption)], loaded.config.vocab), images.subarray(0, 84 * 84));
});

test('draw writes one 84x84 PNG per caption (side by side), matching the model\'s drawing', async () => {
  await quickRun();
  const out = join(tmp(), 'img.png');
  const log = console.log;
  const lines: string[] = [];
  console.log = (s: string) => lines.push(s);
  try {
    await run('draw', '--run', runDir, 'a seven in the top left and a two in the center', '--out', out, '--judge');
  } finally {
    console.log = log;
  }
  assert.match(lines[0], /^"a seven in the top left and a two in the center" -> cells 7---2----, judge reads [0-9-]{9}$/);
  const png = decodePng(readFileSync(out));
  assert.deepEqual([png.width, png.height], [84, 84]);
  const loaded = await loadText2ImageRun(runDir);
  const want = drawCaptions(loaded.model, [captionWords('a seven in the top left and a two in the center')], loaded.config.vocab);
  for (let i = 0; i < 84 * 84; i += 97) assert.ok(Math.abs(png.rgba[4 * i] - Math.round(want[i] * 255)) <= 1, `pixel ${i}`);
  const two = join(tmp(), 'two.png');
  const r = await runDraw(['a one in the center', 'a nine in the bottom right'], { run: runDir, out: two, scale: 2 });
  assert.equal(r.lines.length, 2);
  const p2 = decodePng(readFileSync(two));
  assert.deepEqual([p2.width, p2.height], [2 * (2 * 84 + 2 + 2 + 2), 2 * (84 + 4)]);
});

test('draw: unknown words, captions the grammar cannot place, an empty caption and a missing run folder get clear errors and write nothing', async () => {
  await quickRun();
  const dir = tmp();
  const out = join(dir, 'img.png');
  await assert.rejects(run('draw', '--run', runDir, 'a seven in the top left and a dragon in the center', '--out', out), /draw: cannot draw .*unknown word "dragon"/);
  await assert.rejects(run('draw', '--run', runDir, 'a seven in the top', '--out', out), /draw: cannot draw "a seven in the top": .*left, center or right after "top".*got the end/);
  await assert.rejects(run('draw', '--run', runDir, '', '--out', out), /draw: cannot draw "": parseCaption: empty caption/);
  // one bad caption among good ones: nothing is written
  await assert.rejects(runDraw(['a one in the center', 'a one in the centre'], { run: runDir, out }), /unknown word "centre"/);
  await assert.rejects(run('draw', '--run', join(dir, 'nope'), 'a one in the center', '--out', out), /loadText2ImageRun: no run folder at .*nope/);
  mkdirSync(join(dir, 'empty-run'));
  await assert.rejects(run('draw', '--run', join(dir, 'empty-run'), 'a one in the center', '--out', out), /config\.json is missing; is this a run folder written by 'attentive train text2image'\?/);
  assert.deepEqual(readdirSync(dir).sort(), ['empty-run']);
  assert.equal(existsSync(out), false);
});

test('train text2image: bad flags and an occupied --out are refused before any training', async () => {
  const dir = tmp();
  writeFileSync(join(dir, 'keep.txt'), 'x');
  await assert.rejects(run('train', 'text2image', '--out', dir, '--max-steps', '1'), /train text2image: .* already exists and is not empty; choose another --out/);
  await assert.rejects(run('train', 'text2image', '--max-minutes', '0'), /--max-minutes must be a positive number, got '0'/);
  await assert.rejects(run('train', 'text2image', '--batch-size', '2.5'), /--batch-size must be a positive integer, got '2.5'/);
  assert.deepEqual(readdirSync(dir), ['keep.txt']);
});
