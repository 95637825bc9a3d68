/** `attentive start --quick`: the whole main job on a tiny corpus and model, in seconds. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStart } from '../../src/cli/start.js';
import { loadCorpus } from '../../src/data/corpus-node.js';

test('start --quick trains both models, reports test BLEU and BLEU by length on the test split, and writes its pictures', { timeout: 300_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'attentive-start-'));
  try {
    const lines: string[] = [];
    const r = await runStart({ quick: true, out: join(dir, 'start'), log: (s) => lines.push(s) });
    const text = lines.join('\n');
    const corpus = loadCorpus({ kind: 'embedded', nPairs: 600, seed: 1 });
    for (const s of [r.attention, r.plain]) {
      assert.equal(s.epochs, 2);
      assert.equal(s.results.test.greedy?.sentences, corpus.test.length);
      assert.ok(Number.isFinite(s.results.test.beam5?.bleu));
      assert.deepEqual(Object.keys(s.results.valid), [], 'the final evaluation scores test only');
    }
    assert.match(text, new RegExp(`== test BLEU \\(${corpus.test.length} held-out sentences\\) ==`));
    // The BLEU-by-length table covers exactly the test split: the validation split chose the checkpoints.
    const table = text.slice(text.indexOf('== BLEU by source length (test, greedy) =='));
    const counts = [...table.matchAll(/^(\d+-\d+|\d+\+)\s+(\d+)\s/gm)].map((m) => Number(m[2]));
    assert.ok(counts.length > 0, table);
    assert.equal(counts.reduce((a, b) => a + b, 0), corpus.test.length);
    const report = readFileSync(join(r.runDir, 'report.md'), 'utf8');
    assert.match(report, /## BLEU by source length \(test, greedy\)/);
    assert.match(report, new RegExp(`${corpus.train.length} train / ${corpus.valid.length} valid / ${corpus.test.length} test`));
    for (const f of ['report.md', 'bleu-by-length.svg', 'attention.svg', 'attention.png', 'beam-tree.svg', 'attention/model.safetensors', 'plain/summary.json']) {
      assert.ok(existsSync(join(r.runDir, f)), f);
    }
    // the sentences shown come from the test split
    const test = new Set(corpus.test.map((p) => p.zh));
    const shown = [...text.matchAll(/^zh:\s+(.+)$/gm)].map((m) => m[1]!);
    assert.equal(shown.length, 5);
    for (const zh of shown) assert.ok(test.has(zh), zh);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
