import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFolderAtomic, trimJsonLines } from '../../src/io/run-folder-node.js';

test('createFolderAtomic: the folder appears with all its files; leftovers of a crash are removed; an existing folder gets the files', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'attentive-runfolder-'));
  try {
    mkdirSync(join(dir, '.run.partial-1-dead'));
    writeFileSync(join(dir, '.run.partial-1-dead', 'a.json'), 'half');
    await createFolderAtomic(join(dir, 'run'), [['a.json', '{"a":1}'], ['b.bin', new Uint8Array([1, 2, 3])]]);
    assert.deepEqual(readdirSync(dir), ['run']);
    assert.deepEqual(readdirSync(join(dir, 'run')).sort(), ['a.json', 'b.bin']);
    assert.equal(readFileSync(join(dir, 'run', 'a.json'), 'utf8'), '{"a":1}');
    mkdirSync(join(dir, 'existing'));
    writeFileSync(join(dir, 'existing', 'notes.txt'), 'kept');
    await createFolderAtomic(join(dir, 'existing'), [['a.json', '{}']]);
    assert.deepEqual(readdirSync(join(dir, 'existing')).sort(), ['a.json', 'notes.txt']);
    writeFileSync(join(dir, 'file'), 'x');
    await assert.rejects(createFolderAtomic(join(dir, 'file', 'run'), [['a.json', '{}']]), /createFolderAtomic|ENOTDIR|EEXIST/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('trimJsonLines drops a torn last line, unparsable lines and records the filter rejects', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'attentive-jsonl-'));
  try {
    const path = join(dir, 'metrics.jsonl');
    assert.equal(await trimJsonLines(path, () => true), 0);
    assert.deepEqual(readdirSync(dir), [], 'a missing file stays missing');
    writeFileSync(path, '{"step":1}\n{"step":2}\n{"step":3}\n{"st');
    assert.equal(await trimJsonLines(path, (r) => (r as { step: number }).step <= 2), 2);
    assert.equal(readFileSync(path, 'utf8'), '{"step":1}\n{"step":2}\n');
    assert.equal(await trimJsonLines(path, () => true), 0);
    writeFileSync(path, 'not json\n{"step":1}\n');
    assert.equal(await trimJsonLines(path, () => true), 1);
    assert.equal(readFileSync(path, 'utf8'), '{"step":1}\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
