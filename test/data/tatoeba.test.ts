import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCmnEng, formatCmnEng, splitTatoeba } from '../../src/data/tatoeba.js';
import { loadTatoeba } from '../../src/data/tatoeba-node.js';

const SHARED = new URL('../../../shared/data/tatoeba/', import.meta.url).pathname;

test('parses inline lines, keeping text and attribution as they are', () => {
  const text = 'Hi.\t嗨。\tCC-BY 2.0 (France) Attribution: tatoeba.org #538123 (CK) & #891077 (Martha)\n'
    + 'We try.\t我们来试试。\tCC-BY 2.0 (France) Attribution: x\r\n';
  const pairs = parseCmnEng(text);
  assert.deepEqual(pairs[0], { en: 'Hi.', zh: '嗨。', attribution: 'CC-BY 2.0 (France) Attribution: tatoeba.org #538123 (CK) & #891077 (Martha)' });
  assert.deepEqual(pairs[1], { en: 'We try.', zh: '我们来试试。', attribution: 'CC-BY 2.0 (France) Attribution: x' });
  assert.equal(formatCmnEng(pairs), text.replace('\r', ''));
});

test('malformed lines are reported with their line number', () => {
  assert.throws(() => parseCmnEng('a\tb\tc\nWe try. 我们来试试。\tx\n'), /parseCmnEng: input line 2: expected 3 tab-separated columns, got 2/);
  assert.throws(() => parseCmnEng('a\tb\tc\n\na\tb\tc\n'), /line 2: expected 3/);
  assert.throws(() => parseCmnEng('a\t\tc', 'f.txt'), /f.txt line 1: empty Chinese column/);
});

test('split recipe: sizes, disjointness, permutation order', () => {
  const pairs = Array.from({ length: 29155 }, (_, i) => i);
  const s = splitTatoeba(pairs);
  assert.deepEqual(s.test.slice(0, 5), [6565, 13280, 18044, 24014, 15473]);
  assert.equal(s.test.length, 2000);
  assert.equal(s.valid.length, 2000);
  assert.equal(s.train.length, 25155);
  assert.equal(new Set([...s.test, ...s.valid, ...s.train]).size, 29155);
  assert.throws(() => splitTatoeba([1, 2, 3]), /splitTatoeba: need more than 4000 pairs, got 3/);
});

test('loadTatoeba splits a raw file and reads a folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tatoeba-'));
  try {
    const lines = Array.from({ length: 4100 }, (_, i) => ({ en: `s${i}`, zh: `句${i}`, attribution: `#${i}` }));
    writeFileSync(join(dir, 'cmn.txt'), formatCmnEng(lines));
    const raw = loadTatoeba(join(dir, 'cmn.txt'));
    assert.deepEqual([raw.test.length, raw.valid.length, raw.train.length], [2000, 2000, 100]);
    const sub = join(dir, 'split');
    writeFileSync(join(dir, 'train.tsv'), formatCmnEng(raw.train));
    writeFileSync(join(dir, 'valid.tsv'), formatCmnEng(raw.valid));
    writeFileSync(join(dir, 'test.tsv'), formatCmnEng(raw.test));
    assert.deepEqual(loadTatoeba(dir), raw);
    assert.throws(() => loadTatoeba(sub), /loadTatoeba: no such file or folder/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('shared Tatoeba folder has the documented line counts', (t) => {
  if (!existsSync(SHARED)) {
    t.skip(`shared data not found at ${SHARED}`);
    return;
  }
  const s = loadTatoeba(SHARED);
  assert.equal(s.train.length, 25155);
  assert.equal(s.valid.length, 2000);
  assert.equal(s.test.length, 1000);
  assert.ok(s.train.every((p) => p.attribution.startsWith('CC-BY 2.0 (France)')));
});
