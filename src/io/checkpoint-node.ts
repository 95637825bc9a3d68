// Checkpoints as folders (Node only):
//
//   <dir>/model.safetensors       weights
//   <dir>/config.json             model config
//   <dir>/optimizer.safetensors   optimizer tensors (moments, ...)      } optional, always
//   <dir>/optimizer.json          optimizer scalars and hyperparameters } together
//   <dir>/trainer.json            step, epoch, RNG state, anything JSON   optional
//   <dir>/checksums.json          SHA-256 of every other file, verified by loadCheckpoint
//
// The checksums catch what atomic writes cannot: a file damaged after it was written (a disk
// error, a copy cut short, an edit by hand). Folders written before checksums existed have no
// checksums.json and load unverified.
//
// A checkpoint is never seen half-written. saveCheckpoint builds the folder as a hidden sibling
// `.<name>.partial-*` (each file written atomically and fsynced), renames it to `.<name>.complete-*`
// once whole, and only then installs it:
//   1. rename <dir> -> .<name>.previous-*      (only if an older checkpoint exists)
//   2. rename .<name>.complete-* -> <dir>
//   3. fsync the parent directory, remove .<name>.previous-*
// Node has no atomic exchange of two directories, so between 1 and 2 <dir> is briefly absent; both
// the old and the new checkpoint are complete on disk at that moment under their hidden names.
// recoverCheckpoint (run at the start of every save) finishes such an interrupted replacement:
// it installs the newest complete-* folder, restores previous-* if nothing newer exists, and
// removes partial-* leftovers. Loading never changes the disk, so readers may run beside a writer.
// One writer per checkpoint folder at a time.

import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';
import { nodeFileSystem, siblingName, writeFileAtomic, type AtomicFileSystem } from './files-node.js';
import type { NamedArrays } from './named-arrays.js';

export { compareStateDict, assertStateDictMatches } from './state-dict.js';

/** Any value JSON can hold without loss. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Optimizer state: tensors go to optimizer.safetensors, everything else to optimizer.json. */
export interface OptimizerCheckpoint {
  tensors: NamedArrays;
  state: JsonValue;
}

/** Everything a checkpoint folder holds. */
export interface Checkpoint {
  weights: NamedArrays;
  config: JsonValue;
  optimizer?: OptimizerCheckpoint;
  trainer?: JsonValue;
  /** Metadata of model.safetensors; defaults to `{ format: 'pt' }` so PyTorch tools accept the file. */
  metadata?: Record<string, string>;
}

/** File names inside a checkpoint folder. */
export const CHECKPOINT_FILES = {
  weights: 'model.safetensors',
  config: 'config.json',
  optimizerTensors: 'optimizer.safetensors',
  optimizerState: 'optimizer.json',
  trainer: 'trainer.json',
  checksums: 'checksums.json',
} as const;

/** checksums.json: the SHA-256 (hex) of each file of the folder. */
interface ChecksumManifest {
  algorithm: 'sha256';
  files: Record<string, string>;
}

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const bytesOf = (data: Uint8Array | string) => (typeof data === 'string' ? new TextEncoder().encode(data) : data);

/**
 * Writes a checkpoint folder so that `dir` holds either the old checkpoint or the new one, never
 * a mixture or a partial one, even if the process dies at any point (see the top of this file).
 * `fs` replaces the file writes (tests use it to inject failures).
 */
export async function saveCheckpoint(dir: string, checkpoint: Checkpoint, fs: AtomicFileSystem = nodeFileSystem): Promise<void> {
  const fn = 'saveCheckpoint';
  const target = resolve(dir);
  // Encode everything first: a bad value should fail before the disk is touched.
  const files = new Map<string, Uint8Array | string>();
  const encode = (name: string, make: () => Uint8Array | string) => {
    try {
      files.set(name, make());
    } catch (e) {
      throw new Error(`${fn}: ${join(target, name)}: ${(e as Error).message}`, { cause: e });
    }
  };
  encode(CHECKPOINT_FILES.weights, () => encodeSafetensors(checkpoint.weights, checkpoint.metadata ?? { format: 'pt' }));
  encode(CHECKPOINT_FILES.config, () => jsonText(checkpoint.config));
  if (checkpoint.optimizer) {
    const { tensors, state } = checkpoint.optimizer;
    encode(CHECKPOINT_FILES.optimizerTensors, () => encodeSafetensors(tensors));
    encode(CHECKPOINT_FILES.optimizerState, () => jsonText(state));
  }
  if (checkpoint.trainer !== undefined) encode(CHECKPOINT_FILES.trainer, () => jsonText(checkpoint.trainer));
  const manifest: ChecksumManifest = { algorithm: 'sha256', files: {} };
  for (const [file, data] of files) manifest.files[file] = sha256(bytesOf(data));
  files.set(CHECKPOINT_FILES.checksums, jsonText(manifest as unknown as JsonValue));

  const parent = dirname(target);
  const name = basename(target);
  await mkdir(parent, { recursive: true });
  await recoverCheckpoint(target);
  const partial = siblingName(parent, name, 'partial');
  try {
    await mkdir(partial);
    for (const [file, data] of files) await writeFileAtomic(join(partial, file), data, fs);
    await nodeFileSystem.syncDir(partial);
  } catch (e) {
    await nodeFileSystem.remove(partial).catch(() => undefined);
    throw new Error(`${fn}: cannot write ${target}: ${(e as Error).message}`, { cause: e });
  }
  const complete = siblingName(parent, name, 'complete');
  await rename(partial, complete);
  await nodeFileSystem.syncDir(parent);
  await install(complete, target);
}

/**
 * Finishes a checkpoint replacement that a crash interrupted (see the top of this file) and
 * removes leftovers. Returns what it did: 'installed' a complete new folder, 'restored' the
 * previous one, or 'none'. Only the single writer of `dir` should call this.
 */
export async function recoverCheckpoint(dir: string): Promise<'installed' | 'restored' | 'none'> {
  const target = resolve(dir);
  const parent = dirname(target);
  const prefix = `.${basename(target)}.`;
  let names: string[];
  try {
    names = await readdir(parent);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'none';
    throw e;
  }
  const siblings = async (tag: string) => {
    const found = names.filter((n) => n.startsWith(`${prefix}${tag}-`)).map((n) => join(parent, n));
    const times = await Promise.all(found.map(async (p) => (await stat(p)).mtimeMs));
    return found.map((p, i) => ({ p, t: times[i] })).sort((a, b) => a.t - b.t).map((x) => x.p);
  };
  for (const p of await siblings('partial')) await nodeFileSystem.remove(p);
  const complete = await siblings('complete');
  const previous = await siblings('previous');
  let outcome: 'installed' | 'restored' | 'none' = 'none';
  const newest = complete.pop();
  if (newest) {
    await install(newest, target);
    outcome = 'installed';
  } else if (!(await exists(target)) && previous.length > 0) {
    await rename(previous.pop()!, target);
    await nodeFileSystem.syncDir(parent);
    outcome = 'restored';
  }
  for (const p of [...complete, ...previous]) await nodeFileSystem.remove(p);
  return outcome;
}

/** Reads a checkpoint folder; errors name the missing or corrupt file. Never modifies the disk. */
export async function loadCheckpoint(dir: string): Promise<Checkpoint> {
  const fn = 'loadCheckpoint';
  const target = resolve(dir);
  if (!(await exists(target))) {
    const leftovers = (await readdir(dirname(target)).catch(() => [] as string[])).filter((n) => n.startsWith(`.${basename(target)}.`));
    const hint = leftovers.length > 0 ? ` (an interrupted save left ${leftovers.join(', ')}; recoverCheckpoint or the next saveCheckpoint completes it)` : '';
    throw new Error(`${fn}: no checkpoint folder at ${target}${hint}`);
  }
  const path = (file: string) => join(target, file);
  const present = async (file: string) => exists(path(file));
  const manifest = await readManifest(fn, target);
  /** The file's bytes, checked against checksums.json when the folder has one. */
  const readVerified = async (file: string): Promise<Uint8Array> => {
    if (!(await present(file))) throw new Error(`${fn}: ${target} has no ${file}`);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(path(file));
    } catch (e) {
      throw new Error(`${fn}: cannot read ${path(file)}: ${(e as Error).message}`, { cause: e });
    }
    if (manifest) {
      const want = manifest.files[file];
      if (want === undefined) throw new Error(`${fn}: ${path(file)} is not listed in ${path(CHECKPOINT_FILES.checksums)}; the folder was changed after it was saved`);
      const got = sha256(bytes);
      if (got !== want) {
        throw new Error(`${fn}: ${path(file)} is corrupt: its SHA-256 is ${got}, but ${CHECKPOINT_FILES.checksums} records ${want} (${bytes.length} bytes on disk); the file was damaged or changed after it was saved`);
      }
    }
    return bytes;
  };
  const readTensors = async (file: string) => {
    const bytes = await readVerified(file);
    try {
      return decodeSafetensors(bytes);
    } catch (e) {
      throw new Error(`${fn}: ${path(file)}: ${(e as Error).message}`, { cause: e });
    }
  };
  const readJson = async (file: string): Promise<JsonValue> => {
    const text = new TextDecoder().decode(await readVerified(file));
    try {
      return JSON.parse(text) as JsonValue;
    } catch (e) {
      throw new Error(`${fn}: ${path(file)} is not valid JSON: ${(e as Error).message}`, { cause: e });
    }
  };

  const model = await readTensors(CHECKPOINT_FILES.weights);
  const checkpoint: Checkpoint = { weights: model.tensors, config: await readJson(CHECKPOINT_FILES.config), metadata: model.metadata };
  const hasTensors = await present(CHECKPOINT_FILES.optimizerTensors);
  const hasState = await present(CHECKPOINT_FILES.optimizerState);
  if (hasTensors !== hasState) {
    const [have, lack] = hasTensors
      ? [CHECKPOINT_FILES.optimizerTensors, CHECKPOINT_FILES.optimizerState]
      : [CHECKPOINT_FILES.optimizerState, CHECKPOINT_FILES.optimizerTensors];
    throw new Error(`${fn}: ${target} has ${have} but no ${lack}; the optimizer state needs both`);
  }
  if (hasTensors) {
    checkpoint.optimizer = {
      tensors: (await readTensors(CHECKPOINT_FILES.optimizerTensors)).tensors,
      state: await readJson(CHECKPOINT_FILES.optimizerState),
    };
  }
  if (await present(CHECKPOINT_FILES.trainer)) checkpoint.trainer = await readJson(CHECKPOINT_FILES.trainer);
  return checkpoint;
}

/** Reads checksums.json of a checkpoint folder, or null for a folder saved before checksums existed. */
async function readManifest(fn: string, target: string): Promise<ChecksumManifest | null> {
  const file = join(target, CHECKPOINT_FILES.checksums);
  if (!(await exists(file))) return null;
  let m: ChecksumManifest;
  try {
    m = JSON.parse(await readFile(file, 'utf8')) as ChecksumManifest;
  } catch (e) {
    throw new Error(`${fn}: ${file} is corrupt (not valid JSON: ${(e as Error).message})`, { cause: e });
  }
  const valid = m !== null && typeof m === 'object' && m.algorithm === 'sha256' && m.files !== null && typeof m.files === 'object' &&
    Object.values(m.files).every((h) => typeof h === 'string' && /^[0-9a-f]{64}$/.test(h));
  if (!valid) throw new Error(`${fn}: ${file} is corrupt: expected {"algorithm": "sha256", "files": {name: hex digest}}`);
  for (const name of Object.keys(m.files)) {
    if (!(await exists(join(target, name)))) throw new Error(`${fn}: ${target} has no ${name}, which ${CHECKPOINT_FILES.checksums} lists`);
  }
  return m;
}

/** Moves a complete folder to `target`, setting any existing checkpoint aside first. */
async function install(complete: string, target: string): Promise<void> {
  const parent = dirname(target);
  if (await exists(target)) {
    const previous = siblingName(parent, basename(target), 'previous');
    await rename(target, previous);
    try {
      await rename(complete, target);
    } catch (e) {
      await rename(previous, target).catch(() => undefined);
      throw new Error(`saveCheckpoint: cannot move the new checkpoint into ${target}: ${(e as Error).message}`, { cause: e });
    }
    await nodeFileSystem.syncDir(parent);
    await nodeFileSystem.remove(previous);
  } else {
    await rename(complete, target);
    await nodeFileSystem.syncDir(parent);
  }
}

/**
 * JSON text for a checkpoint file. Refuses what JSON.stringify would silently change (NaN and
 * Infinity become null, undefined and functions vanish, BigInt throws without a path).
 */
function jsonText(value: unknown): string {
  const check = (v: unknown, at: string, seen: Set<object>): void => {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new Error(`value at ${at} is ${v}, which JSON cannot hold`);
      return;
    }
    if (typeof v !== 'object') throw new Error(`value at ${at} is a ${typeof v}, which JSON cannot hold`);
    if (seen.has(v)) throw new Error(`value at ${at} refers back to itself`);
    seen.add(v);
    if (Array.isArray(v)) v.forEach((x, i) => check(x, `${at}[${i}]`, seen));
    else if (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null) {
      for (const [k, x] of Object.entries(v)) check(x, `${at}.${k}`, seen);
    } else throw new Error(`value at ${at} is a ${v.constructor?.name ?? 'object'}, expected plain JSON`);
    seen.delete(v);
  };
  check(value, '$', new Set());
  return `${JSON.stringify(value, null, 2)}\n`;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}
