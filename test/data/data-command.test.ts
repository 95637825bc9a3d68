import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeEmbeddedSplits } from '../../src/cli/data.js';
import { buildProgram } from '../../src/cli/main.js';
import { loadTatoeba } from '../../src/data/tatoeba-node.js';
import { loadCorpus } from '../../src/data/corpus-node.js';

test('data embedded writes the splits exactly as training sees them, readable by the TSV loader', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'attentive-data-'));
  try {
    const r = await writeEmbeddedSplits({ out: join(dir, 'corpus'), nPairs: 3000, seed: 4 });
    const corpus = loadCorpus({ kind: 'embedded', nPairs: 3000, seed: 4 });
    const back = loadTatoeba(r.dir);
    for (const split of ['train', 'valid', 'test'] as const) {
      assert.deepEqual(back[split].map((p) => ({ zh: p.zh, en: p.en })), corpus[split], split);
      assert.equal(r.counts[split], corpus[split].length);
    }
    assert.equal(r.counts.train + r.counts.valid + r.counts.test, 3000);
    assert.deepEqual(readdirSync(r.dir).sort(), ['test.tsv', 'train.tsv', 'valid.tsv']);
    // the files themselves show that no held-out reference is a training target
    const en = (f: string) => readFileSync(join(r.dir, f), 'utf8').trimEnd().split('\n').map((l) => l.split('\t')[0]);
    const train = new Set(en('train.tsv'));
    assert.equal([...en('valid.tsv'), ...en('test.tsv')].filter((s) => train.has(s)).length, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('data embedded through the CLI: a group command; --out naming a file is refused with the flag and value', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'attentive-data-'));
  const log = console.log;
  const lines: string[] = [];
  try {
    const program = buildProgram();
    const data = program.commands.find((c) => c.name() === 'data')!;
    assert.ok(data.commands.some((c) => c.name() === 'embedded'), 'data is a command group with an embedded subcommand');
    console.log = (s: string) => lines.push(s);
    await program.parseAsync(['node', 'attentive', 'data', 'embedded', '--out', join(dir, 'c'), '--n-pairs', '500', '--seed', '2']);
    assert.match(lines.join('\n'), /train\.tsv \d+, valid\.tsv 25, test\.tsv 25 pairs/);
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const p2 = buildProgram().exitOverride().configureOutput({ writeErr: () => {} });
    p2.commands.forEach((c) => c.exitOverride().commands.forEach((s) => s.exitOverride().configureOutput({ writeErr: () => {} })));
    await assert.rejects(p2.parseAsync(['node', 'attentive', 'data', 'embedded', '--out', file]), (e: Error) => /--out/.test(e.message) && e.message.includes(file) && /is a file/.test(e.message));
    await assert.rejects(p2.parseAsync(['node', 'attentive', 'data', 'embedded', '--out', join(dir, 'd'), '--n-pairs', '-5']), /--n-pairs must be an integer >= 1, got '-5'/);
    assert.deepEqual(readdirSync(dir).sort(), ['a-file', 'c']);
  } finally {
    console.log = log;
    rmSync(dir, { recursive: true, force: true });
  }
});
