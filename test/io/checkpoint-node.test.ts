import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCheckpoint, recoverCheckpoint, saveCheckpoint, type Checkpoint } from '../../src/io/checkpoint-node.js';
import { nodeFileSystem, type AtomicFileSystem } from '../../src/io/files-node.js';
import { seeded } from './build-file.js';

const root = await mkdtemp(join(tmpdir(), 'attentive-io-ckpt-'));
after(() => rm(root, { recursive: true, force: true }));
let counter = 0;
/** A fresh parent folder; checkpoints go to `<parent>/ckpt`. */
const freshParent = async () => {
  const dir = join(root, `case${counter++}`);
  await mkdir(dir);
  return dir;
};

function makeCheckpoint(seed: number, full = true): Checkpoint {
  const rand = seeded(seed);
  const floats = (n: number) => Float32Array.from({ length: n }, () => rand() - 0.5);
  const checkpoint: Checkpoint = {
    weights: {
      'encoder.embed.weight': { dtype: 'float32', shape: [5, 3], data: floats(15) },
      'decoder.bias': { dtype: 'float32', shape: [5], data: floats(5) },
    },
    config: { hidden: 3, vocab: 5, name: `run-${seed}`, layers: [1, 2] },
  };
  if (full) {
    checkpoint.optimizer = {
      tensors: { 'encoder.embed.weight.exp_avg': { dtype: 'float32', shape: [5, 3], data: floats(15) } },
      state: { lr: 0.001, betas: [0.9, 0.999], step: seed },
    };
    checkpoint.trainer = { step: seed * 10, epoch: 2, rng: [seed, 12345, 4294967295] };
  }
  return checkpoint;
}

test('save then load returns the same checkpoint and leaves only the folder', async () => {
  const parent = await freshParent();
  const dir = join(parent, 'ckpt');
  const original = makeCheckpoint(1);
  await saveCheckpoint(dir, original);
  assert.deepEqual((await readdir(dir)).sort(), ['checksums.json', 'config.json', 'model.safetensors', 'optimizer.json', 'optimizer.safetensors', 'trainer.json']);
  assert.deepEqual(await readdir(parent), ['ckpt']);
  const loaded = await loadCheckpoint(dir);
  assert.deepEqual(loaded, { ...original, metadata: { format: 'pt' } });
  assert.deepEqual(JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')), original.config);
});

test('optional parts stay absent; missing parent folders are created', async () => {
  const dir = join(await freshParent(), 'runs', 'a', 'ckpt');
  const original = { ...makeCheckpoint(2, false), metadata: { format: 'pt', note: 'no optimizer' } };
  await saveCheckpoint(dir, original);
  assert.deepEqual((await readdir(dir)).sort(), ['checksums.json', 'config.json', 'model.safetensors']);
  const loaded = await loadCheckpoint(dir);
  assert.deepEqual(loaded, original);
  assert.equal('optimizer' in loaded, false);
  assert.equal('trainer' in loaded, false);
});

test('saving over a checkpoint replaces the whole folder', async () => {
  const parent = await freshParent();
  const dir = join(parent, 'ckpt');
  await saveCheckpoint(dir, makeCheckpoint(3));
  const second = makeCheckpoint(4, false);
  await saveCheckpoint(dir, second);
  const loaded = await loadCheckpoint(dir);
  assert.deepEqual(loaded.weights, second.weights);
  assert.deepEqual(loaded.config, second.config);
  assert.equal(loaded.trainer, undefined, 'trainer.json of the older checkpoint must not survive');
  assert.deepEqual(await readdir(parent), ['ckpt']);
});

test('a write failing mid-save leaves the older checkpoint intact and no leftovers', async () => {
  const parent = await freshParent();
  const dir = join(parent, 'ckpt');
  const first = makeCheckpoint(5);
  await saveCheckpoint(dir, first);
  let writes = 0;
  const failing: AtomicFileSystem = {
    ...nodeFileSystem,
    async writeNew(path, data) {
      if (++writes === 3) throw new Error('EIO: i/o error');
      await nodeFileSystem.writeNew(path, data);
    },
  };
  await assert.rejects(saveCheckpoint(dir, makeCheckpoint(6), failing), (e: Error) => {
    assert.match(e.message, /^saveCheckpoint: cannot write .*ckpt: writeFileAtomic: cannot write .*optimizer\.safetensors: EIO: i\/o error$/);
    return true;
  });
  assert.equal(writes, 3);
  assert.deepEqual(await loadCheckpoint(dir), { ...first, metadata: { format: 'pt' } });
  assert.deepEqual(await readdir(parent), ['ckpt']);
});

test('values JSON cannot hold are refused before anything is written', async () => {
  const parent = await freshParent();
  const dir = join(parent, 'ckpt');
  const bad = { ...makeCheckpoint(7), trainer: { step: 1, losses: [0.5, NaN] } } as unknown as Checkpoint;
  await assert.rejects(saveCheckpoint(dir, bad), (e: Error) => e.message === `saveCheckpoint: ${join(dir, 'trainer.json')}: value at $.losses[1] is NaN, which JSON cannot hold`);
  const big = { ...makeCheckpoint(7), config: { seed: 1n } } as unknown as Checkpoint;
  await assert.rejects(saveCheckpoint(dir, big), /config\.json: value at \$\.seed is a bigint/);
  const badWeights = { ...makeCheckpoint(7), weights: { w: { dtype: 'float32', shape: [2], data: new Float32Array(1) } } } as Checkpoint;
  await assert.rejects(saveCheckpoint(dir, badWeights), /saveCheckpoint: .*model\.safetensors: encodeSafetensors: tensor "w": shape \[2\] has 2 elements but data has 1/);
  assert.deepEqual(await readdir(parent), []);
});

/** Writes a complete checkpoint under a hidden sibling name, as an interrupted save would leave it. */
async function leaveSibling(parent: string, tag: string, checkpoint: Checkpoint): Promise<string> {
  const staging = join(parent, `staging-${tag}`);
  await saveCheckpoint(staging, checkpoint);
  const hidden = join(parent, `.ckpt.${tag}-1-abc${counter++}`);
  await rename(staging, hidden);
  return hidden;
}

test('recovery: crash between setting the old folder aside and installing the new one', async () => {
  const parent = await freshParent();
  const dir = join(parent, 'ckpt');
  const older = makeCheckpoint(8);
  const newer = makeCheckpoint(9);
  await leaveSibling(parent, 'previous', older);
  await leaveSibling(parent, 'complete', newer);
  await assert.rejects(loadCheckpoint(dir), /loadCheckpoint: no checkpoint folder at .*ckpt \(an interrupted save left \.ckpt\.(previous|complete)-.*recoverCheckpoint/);
  assert.equal((await readdir(parent)).length, 2, 'loading must not change the disk');
  assert.equal(await recoverCheckpoint(dir), 'installed');
  assert.deepEqual((await loadCheckpoint(dir)).weights, newer.weights);
  assert.deepEqual(await readdir(parent), ['ckpt']);
});

test('recovery: crash after the new folder was complete but before the old was set aside', async () => {
  const parent = await freshParent();
  const dir = join(parent, 'ckpt');
  await saveCheckpoint(dir, makeCheckpoint(10));
  const newer = makeCheckpoint(11);
  await leaveSibling(parent, 'complete', newer);
  assert.equal(await recoverCheckpoint(dir), 'installed');
  assert.deepEqual((await loadCheckpoint(dir)).trainer, newer.trainer);
  assert.deepEqual(await readdir(parent), ['ckpt']);
});

test('recovery: only the set-aside old folder survived', async () => {
  const parent = await freshParent();
  const dir = join(parent, 'ckpt');
  const older = makeCheckpoint(12);
  await leaveSibling(parent, 'previous', older);
  assert.equal(await recoverCheckpoint(dir), 'restored');
  assert.deepEqual((await loadCheckpoint(dir)).config, older.config);
  assert.deepEqual(await readdir(parent), ['ckpt']);
});

test('recovery: half-written folders and stale old ones are removed, the checkpoint kept', async () => {
  const parent = await freshParent();
  const dir = join(parent, 'ckpt');
  const current = makeCheckpoint(13);
  await saveCheckpoint(dir, current);
  await leaveSibling(parent, 'previous', makeCheckpoint(14));
  const partial = join(parent, '.ckpt.partial-1-dead');
  await mkdir(partial);
  await writeFile(join(partial, 'model.safetensors'), 'half');
  // A folder of another checkpoint with a similar name must be left alone.
  await mkdir(join(parent, '.ckpt2.partial-1-keep'));
  assert.equal(await recoverCheckpoint(dir), 'none');
  assert.deepEqual((await loadCheckpoint(dir)).config, current.config);
  assert.deepEqual((await readdir(parent)).sort(), ['.ckpt2.partial-1-keep', 'ckpt']);
  // The next save runs the same recovery first.
  await mkdir(join(parent, '.ckpt.partial-2-dead'));
  await saveCheckpoint(dir, makeCheckpoint(15, false));
  assert.deepEqual((await readdir(parent)).sort(), ['.ckpt2.partial-1-keep', 'ckpt']);
});

test('loading names the missing or corrupt file', async () => {
  const parent = await freshParent();
  const dir = join(parent, 'ckpt');
  const fresh = async () => {
    await rm(dir, { recursive: true, force: true });
    await saveCheckpoint(dir, makeCheckpoint(16));
  };
  await fresh();
  await rm(join(dir, 'model.safetensors'));
  await assert.rejects(loadCheckpoint(dir), (e: Error) => e.message === `loadCheckpoint: ${dir} has no model.safetensors, which checksums.json lists`);
  await fresh();
  await rm(join(dir, 'config.json'));
  await rm(join(dir, 'checksums.json'));
  await assert.rejects(loadCheckpoint(dir), (e: Error) => e.message === `loadCheckpoint: ${dir} has no config.json`);
  await fresh();
  await writeFile(join(dir, 'trainer.json'), '{"step": 3,');
  await rm(join(dir, 'checksums.json'));
  await assert.rejects(loadCheckpoint(dir), (e: Error) => e.message.startsWith(`loadCheckpoint: ${join(dir, 'trainer.json')} is not valid JSON`));
  await fresh();
  await rm(join(dir, 'optimizer.json'));
  await rm(join(dir, 'checksums.json'));
  await assert.rejects(loadCheckpoint(dir), /has optimizer\.safetensors but no optimizer\.json; the optimizer state needs both/);
  await fresh();
  const model = join(dir, 'model.safetensors');
  const bytes = new Uint8Array(await readFile(model));
  await writeFile(model, bytes.subarray(0, bytes.length - 4));
  await assert.rejects(loadCheckpoint(dir), (e: Error) => e.message.startsWith(`loadCheckpoint: ${model} is corrupt: its SHA-256 is `));
  await rm(join(dir, 'checksums.json'));
  await assert.rejects(loadCheckpoint(dir), (e: Error) =>
    e.message.startsWith(`loadCheckpoint: ${model}: decodeSafetensors: tensor "`) && e.message.includes('exceed the byte buffer'));
  await assert.rejects(loadCheckpoint(join(parent, 'nothing')), /loadCheckpoint: no checkpoint folder at .*nothing$/);
});

test('checksums: one flipped bit in any file is caught, naming the file; folders without checksums still load', async () => {
  const parent = await freshParent();
  const dir = join(parent, 'ckpt');
  const original = makeCheckpoint(20);
  for (const file of ['model.safetensors', 'optimizer.safetensors', 'config.json', 'optimizer.json', 'trainer.json']) {
    await rm(dir, { recursive: true, force: true });
    await saveCheckpoint(dir, original);
    const path = join(dir, file);
    const bytes = new Uint8Array(await readFile(path));
    // a bit inside the data, where the file still parses: only the checksum can tell
    const at = file.endsWith('.json') ? bytes.findIndex((b) => b >= 0x30 && b <= 0x39) : bytes.length - 3;
    assert.ok(at >= 0, file);
    bytes[at] ^= file.endsWith('.json') ? 0x01 : 0x10; // a digit stays a digit: the JSON stays valid
    await writeFile(path, bytes);
    await assert.rejects(loadCheckpoint(dir), (e: Error) =>
      e.message.startsWith(`loadCheckpoint: ${path} is corrupt: its SHA-256 is `) && e.message.includes('checksums.json records'), file);
  }
  await rm(dir, { recursive: true, force: true });
  await saveCheckpoint(dir, original);
  await writeFile(join(dir, 'checksums.json'), '{"algorithm": "md5", "files": {}}');
  await assert.rejects(loadCheckpoint(dir), /loadCheckpoint: .*checksums\.json is corrupt: expected/);
  await rm(join(dir, 'checksums.json'));
  assert.deepEqual(await loadCheckpoint(dir), { ...original, metadata: { format: 'pt' } });
});
