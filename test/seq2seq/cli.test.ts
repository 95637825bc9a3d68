import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { translateLines } from '../../src/cli/translate.js';
import { trainTranslation } from '../../src/models/translation/train-node.js';

const io = () => {
  const out: string[] = [];
  const warn: string[] = [];
  return { out, warn, io: { out: (s: string) => out.push(s), warn: (s: string) => warn.push(s) } };
};

test('translate: a missing run folder is a clear error', async () => {
  const r = io();
  await assert.rejects(translateLines(['我有三个苹果。'], { run: '/nonexistent/run' }, r.io), /loadRun: no run folder at \/nonexistent\/run/);
});

test('translate: a corrupt run folder names the bad file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'seq2seq-bad-'));
  writeFileSync(join(dir, 'config.json'), '{not json');
  await assert.rejects(translateLines(['我'], { run: dir }, io().io), /config\.json is corrupt/);
  const empty = join(dir, 'empty');
  mkdirSync(empty);
  await assert.rejects(translateLines(['我'], { run: empty }, io().io), /config\.json is missing/);
});

test('translate: empty lines, unknown characters and over-long input get warnings', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'seq2seq-')), 'run');
  await trainTranslation({
    data: { kind: 'embedded', nPairs: 60, seed: 2 }, model: { model: 'attention', hiddenSize: 6, srcEmbSize: 4, tgtEmbSize: 4 },
    epochs: 1, batchSize: 30, out: dir, log: () => undefined, progress: false, skipFinalEval: true, validBleuSentences: 2,
  });
  const r = io();
  const problems = await translateLines(['', '我有三个苹果。', '㐀㐁', '我'.repeat(30)], { run: dir, search: 'greedy', maxSrcLen: 10, showAttention: true }, r.io);
  assert.equal(problems, 1);
  assert.match(r.warn.join('\n'), /line 1 is empty/);
  assert.match(r.warn.join('\n'), /line 3: 2 tokens outside the vocabulary mapped to <unk>: 㐀 㐁/);
  assert.match(r.warn.join('\n'), /line 4: 30 tokens, truncated to 10/);
  assert.ok(r.out.length >= 3);
  await assert.rejects(translateLines(['我'], { run: dir, search: 'greedy', beamTreeOut: '/tmp/x.svg' }, r.io), /--beam-tree-out needs --search beam/);
});
