import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSafetensors, nodeFileSystem, saveSafetensors, writeFileAtomic, type AtomicFileSystem } from '../../src/io/files-node.js';
import type { NamedArrays } from '../../src/io/named-arrays.js';

const root = await mkdtemp(join(tmpdir(), 'attentive-io-files-'));
after(() => rm(root, { recursive: true, force: true }));
let counter = 0;
const freshDir = async () => {
  const dir = join(root, `case${counter++}`);
  await mkdir(dir);
  return dir;
};

test('writeFileAtomic creates, then replaces, leaving only the target', async () => {
  const dir = await freshDir();
  const path = join(dir, 'a.bin');
  await writeFileAtomic(path, new Uint8Array([1, 2, 3]));
  assert.deepEqual(new Uint8Array(await readFile(path)), new Uint8Array([1, 2, 3]));
  await writeFileAtomic(path, 'héllo\n');
  assert.equal(await readFile(path, 'utf8'), 'héllo\n');
  assert.deepEqual(await readdir(dir), ['a.bin']);
});

test('a writer failing half-way leaves the old file intact and no temp file', async () => {
  const dir = await freshDir();
  const path = join(dir, 'model.safetensors');
  await writeFile(path, 'old contents');
  let tempSeen = '';
  const failing: AtomicFileSystem = {
    ...nodeFileSystem,
    async writeNew(p, data) {
      tempSeen = p;
      await nodeFileSystem.writeNew(p, data.subarray(0, 3));
      throw new Error('ENOSPC: no space left on device');
    },
  };
  await assert.rejects(writeFileAtomic(path, new Uint8Array(100), failing), (e: Error) => {
    assert.match(e.message, /^writeFileAtomic: cannot write .*model\.safetensors: ENOSPC: no space left on device$/);
    return true;
  });
  assert.equal(await readFile(path, 'utf8'), 'old contents');
  assert.ok(tempSeen.startsWith(join(dir, '.model.safetensors.tmp-')), tempSeen);
  assert.deepEqual(await readdir(dir), ['model.safetensors']);
});

test('a failing rename leaves the old file intact and no temp file', async () => {
  const dir = await freshDir();
  const path = join(dir, 'config.json');
  await writeFile(path, '{"old":true}');
  const failing: AtomicFileSystem = { ...nodeFileSystem, rename: async () => { throw new Error('EXDEV: cross-device link'); } };
  await assert.rejects(writeFileAtomic(path, '{"new":true}', failing), /writeFileAtomic: cannot write .*config\.json: EXDEV/);
  assert.equal(await readFile(path, 'utf8'), '{"old":true}');
  assert.deepEqual(await readdir(dir), ['config.json']);
});

test('a real rename onto a non-empty directory fails cleanly', async () => {
  const dir = await freshDir();
  const path = join(dir, 'target');
  await mkdir(path);
  await writeFile(join(path, 'keep.txt'), 'keep');
  await assert.rejects(writeFileAtomic(path, 'data'), /writeFileAtomic: cannot write .*target: /);
  assert.deepEqual(await readdir(dir), ['target']);
  assert.equal(await readFile(join(path, 'keep.txt'), 'utf8'), 'keep');
});

test('writing into a missing directory names the path', async () => {
  const path = join(root, 'no-such-dir', 'x.bin');
  await assert.rejects(writeFileAtomic(path, 'x'), (e: Error) => e.message.includes(path) && /ENOENT/.test(e.message));
});

test('saveSafetensors and loadSafetensors round trip through a file', async () => {
  const dir = await freshDir();
  const path = join(dir, 'w.safetensors');
  const tensors: NamedArrays = {
    'embed.weight': { dtype: 'float32', shape: [2, 3], data: new Float32Array([1, 2, 3, -4, 5.5, 6]) },
    steps: { dtype: 'int32', shape: [], data: new Int32Array([42]) },
  };
  await saveSafetensors(path, tensors, { format: 'pt' });
  const back = await loadSafetensors(path);
  assert.deepEqual(back.tensors, tensors);
  assert.deepEqual(back.metadata, { format: 'pt' });
  assert.deepEqual(await readdir(dir), ['w.safetensors']);
});

test('saveSafetensors refuses bad input before touching the disk; loadSafetensors errors carry the path', async () => {
  const dir = await freshDir();
  const path = join(dir, 'bad.safetensors');
  const bad = { w: { dtype: 'float32', shape: [3], data: new Float32Array(2) } } as NamedArrays;
  await assert.rejects(saveSafetensors(path, bad), (e: Error) => e.message.startsWith(`saveSafetensors: ${path}: encodeSafetensors: tensor "w"`));
  assert.deepEqual(await readdir(dir), []);
  await assert.rejects(loadSafetensors(path), (e: Error) => e.message.startsWith(`loadSafetensors: cannot read ${path}`));
  await writeFile(path, new Uint8Array([200, 0, 0, 0, 0, 0, 0, 0, 123, 125]));
  await assert.rejects(loadSafetensors(path), (e: Error) => e.message.startsWith(`loadSafetensors: ${path}: decodeSafetensors: header length 200 runs past`));
});
