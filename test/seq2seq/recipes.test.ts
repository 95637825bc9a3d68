import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import '../../src/autograd/index.js';
import { applyRecipe, defaultRecipe, listRecipes, loadRecipe } from '../../src/models/translation/recipes-node.js';

const quiet = () => undefined;

test('recipes: the shipped ones load; each data kind and LSTM kind has its default; the Tatoeba recipe is the one of docs/results.md', () => {
  const names = listRecipes().map((r) => r.name);
  for (const n of ['start-attention', 'start-plain', 'tatoeba-attention', 'tatoeba-plain']) assert.ok(names.includes(n), n);
  assert.equal(defaultRecipe('tatoeba', 'attention')?.name, 'tatoeba-attention');
  assert.equal(defaultRecipe('tatoeba', 'plain')?.name, 'tatoeba-plain');
  assert.equal(defaultRecipe('embedded', 'attention')?.name, 'start-attention');
  assert.equal(defaultRecipe('embedded', 'plain')?.name, 'start-plain');
  assert.equal(defaultRecipe('tatoeba', 'no-such-kind'), undefined);
  const t = loadRecipe('tatoeba-attention').options;
  assert.deepEqual(t.model, { kind: 'attention', attention: 'bahdanau', bidirectional: true, hiddenSize: 256, decoderHiddenSize: 256, srcEmbSize: 256, tgtEmbSize: 256, dropout: 0.2, inputFeeding: false });
  assert.deepEqual([t.lr, t.lrSchedule, t.lrDecayFraction, t.maxMinutes, t.selectBy, t.text?.tgtMinFreq, t.text?.lowercase], [0.002, 'wsd', 0.3, 20, 'loss', 2, true]);
});

test('recipes: an unknown recipe, option, model key or kind is an error naming it', () => {
  assert.throws(() => loadRecipe('tatoeba-attentoin'), /unknown recipe 'tatoeba-attentoin' \(known: .*tatoeba-attention/);
  assert.throws(() => loadRecipe('../package'), /unknown recipe '\.\.\/package'/);
  const dir = mkdtempSync(join(tmpdir(), 'recipes-'));
  const write = (name: string, body: unknown) => writeFileSync(join(dir, `${name}.json`), JSON.stringify(body));
  write('bad-option', { options: { model: { kind: 'plain' }, learningRate: 1 } });
  assert.throws(() => loadRecipe('bad-option', dir), /recipe 'bad-option' \(.*bad-option\.json\): options: unknown key 'learningRate' \(known: epochs, batchSize, lr,/);
  write('bad-model', { options: { model: { kind: 'attention', hidenSize: 3 } } });
  assert.throws(() => loadRecipe('bad-model', dir), /recipe 'bad-model' .*options\.model: unknown key 'hidenSize' in a 'attention' model config \(known: kind, model, srcEmbSize/);
  write('bad-kind', { options: { model: { kind: 'lstm9' } } });
  assert.throws(() => loadRecipe('bad-kind', dir), /options\.model\.kind 'lstm9' is not a registered model kind \(known: plain, attention/);
  write('bad-top', { description: 'x', option: {} });
  assert.throws(() => loadRecipe('bad-top', dir), /recipe 'bad-top' .*: unknown key 'option' \(known: description, defaultFor, options\)/);
  write('bad-text', { options: { model: { kind: 'plain' }, text: { lowercased: true } } });
  assert.throws(() => loadRecipe('bad-text', dir), /options\.text: unknown key 'lowercased'/);
  writeFileSync(join(dir, 'broken.json'), '{ "options": ');
  assert.throws(() => loadRecipe('broken', dir), /recipe 'broken' .*: cannot read it/);
});

test('applyRecipe: given options override the recipe; model and text merge by key; another kind keeps the keys it knows', () => {
  const r = loadRecipe('tatoeba-attention');
  const o = applyRecipe(r, { data: { kind: 'embedded' }, lr: 1e-3, model: { hiddenSize: 32 }, text: { lowercase: false } });
  assert.equal(o.lr, 1e-3);
  assert.equal(o.lrSchedule, 'wsd');
  assert.deepEqual(o.model, { ...r.options.model, hiddenSize: 32 });
  assert.deepEqual(o.text, { ...r.options.text, lowercase: false });
  const p = applyRecipe(r, { data: { kind: 'embedded' }, model: { kind: 'plain' } });
  assert.equal((p.model as { kind: string }).kind, 'plain');
  assert.equal((p.model as { hiddenSize: number }).hiddenSize, 256);
  assert.throws(() => applyRecipe(r, { data: { kind: 'embedded' }, model: { dropout: 2 } }), /dropout must be in \[0, 1\), got 2/);
});

async function cli(args: string[]): Promise<void> {
  const { buildProgram } = await import('../../src/cli/main.js');
  const log = console.log;
  console.log = quiet;
  try {
    await buildProgram().exitOverride().parseAsync(['node', 'attentive', 'train', 'translate', ...args]);
  } finally {
    console.log = log;
  }
}

test('train translate: --data embedded without --recipe trains on the embedded default recipe; flags override it; --recipe none is the built-in defaults', async () => {
  const small = ['--n-pairs', '60', '--epochs', '1', '--hidden', '8', '--emb', '8', '--valid-sentences', '0', '--final-eval-sentences', '2', '--no-progress'];
  const dir = join(mkdtempSync(join(tmpdir(), 'recipes-')), 'run');
  await cli(['--data', 'embedded', ...small, '--out', dir]);
  const c = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  assert.equal(c.train.lrSchedule, 'plateau', 'from start-attention');
  assert.equal(c.train.batchSize, 16, 'from start-attention');
  assert.equal(c.train.epochs, 1, 'the flag');
  assert.deepEqual([c.model.kind, c.model.hiddenSize, c.model.srcEmbSize, c.model.dropout], ['attention', 8, 8, 0]);
  const dir2 = join(mkdtempSync(join(tmpdir(), 'recipes-')), 'run');
  await cli(['--data', 'embedded', '--recipe', 'none', '--model', 'plain', ...small, '--out', dir2]);
  const c2 = JSON.parse(readFileSync(join(dir2, 'config.json'), 'utf8'));
  assert.deepEqual([c2.train.lrSchedule, c2.train.batchSize, c2.model.kind, c2.model.dropout], ['inverse-sqrt', 64, 'plain', 0.1]);
  const dir3 = join(mkdtempSync(join(tmpdir(), 'recipes-')), 'run');
  await cli(['--recipe', 'start-plain', '--lr', '0.005', ...small, '--max-steps', '2', '--out', dir3]);
  const c3 = JSON.parse(readFileSync(join(dir3, 'config.json'), 'utf8'));
  assert.deepEqual([c3.train.lr, c3.train.lrSchedule, c3.model.kind, c3.data.kind, c3.data.nPairs], [0.005, 'plateau', 'plain', 'embedded', 20000], 'the recipe brings its data; --n-pairs needs --data');
  await assert.rejects(cli(['--recipe', 'nope', '--data', 'embedded']), /unknown recipe 'nope'/);
});
