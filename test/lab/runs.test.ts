import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { describeRun, listRuns, parseRecipeParams, RECIPES } from '../../src/lab/models-node.js';
import { tempRuns } from './helpers.js';

function folder(runsDir: string, name: string, files: Record<string, string>): void {
  mkdirSync(join(runsDir, name));
  for (const [f, text] of Object.entries(files)) writeFileSync(join(runsDir, name, f), text);
}

test('run folders are told apart by what they hold; other folders and files are ignored', () => {
  const runs = tempRuns('kinds');
  folder(runs, 'cap-1', { 'config.json': JSON.stringify({ type: 'attentive-caption-run' }) });
  folder(runs, 'draw-1', { 'config.json': JSON.stringify({ type: 'attentive-text2image-run' }), 'model.safetensors': '' });
  folder(runs, 'pretrain-1', { 'config.json': JSON.stringify({ layers: [784, 100], method: 'rbm' }), 'filters.png': '' });
  folder(runs, 'vanishing-20260101', { 'results.json': '[]', 'report.md': '' });
  folder(runs, 'mystery-1', { 'results.json': '[]', 'report.md': '' });
  folder(runs, 'notes', { 'a.txt': 'x' });
  folder(runs, 'translate-broken', { 'config.json': '{not json' });
  writeFileSync(join(runs, 'cmn.txt'), 'x');
  const got = Object.fromEntries(listRuns(runs).map((r) => [r.name, [r.kind, r.ready]]));
  assert.deepEqual(got, {
    'cap-1': ['caption', false], 'draw-1': ['text2image', true], 'pretrain-1': ['pretrain', true], 'vanishing-20260101': ['vanishing', true],
  });
  assert.equal(describeRun(join(runs, 'missing'), 'missing'), null);
  assert.deepEqual(listRuns(join(runs, 'no-such-folder')), []);
});

test('recipe settings: defaults filled in, ranges and choices checked', () => {
  const recipe = RECIPES.find((r) => r.id === 'translate-embedded')!;
  const p = parseRecipeParams(recipe, { epochs: '3', model: 'plain' });
  assert.equal(p.epochs, 3);
  assert.equal(p.model, 'plain');
  assert.equal(p.pairs, 4000);
  assert.throws(() => parseRecipeParams(recipe, { model: 'transformer' }), /model must be one of attention, plain, got "transformer"/);
  assert.throws(() => parseRecipeParams(recipe, { lr: -1 }), /lr must be a number from 0.000001 to 1, got -1|lr must be a number from 1e-6 to 1, got -1/);
  assert.throws(() => parseRecipeParams(recipe, [1]), /"params" must be a JSON object/);
  for (const r of RECIPES) assert.doesNotThrow(() => parseRecipeParams(r, {}), r.id);
  const caption = RECIPES.find((r) => r.id === 'caption-quick')!;
  assert.deepEqual(parseRecipeParams(caption, { model: 'show-tell' }), { model: 'show-tell', hidden: 64, epochs: 3, maxMinutes: 5, seed: 0 });
  assert.throws(() => parseRecipeParams(caption, { model: 'transformer' }), /model must be one of attention, show-tell/);
  assert.deepEqual(parseRecipeParams(RECIPES.find((r) => r.id === 'text2image-quick')!, {}), { maxMinutes: 4, seed: 1 });
});
