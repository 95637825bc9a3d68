// Run folders that a crash cannot leave half-made (Node only).
//
// A training run's folder must be resumable whatever moment the process is killed at. Its first
// files (vocabularies, config.json) therefore appear together: they are written into a hidden
// sibling `.<name>.partial-*`, fsynced, and the sibling is renamed to the run folder in one step.
// Later writes are single files (writeFileAtomic) or checkpoint folders (saveCheckpoint), each
// atomic on its own; an append-only log (metrics.jsonl) may end in a torn line or in records a
// resumed run will write again, which trimJsonLines removes.

import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { nodeFileSystem, siblingName, writeFileAtomic } from './files-node.js';

/**
 * Creates the folder `dir` holding `files` (name -> content), so that after a crash the folder
 * either does not exist or holds every file. When `dir` already exists (and is empty or not), the
 * files are written into it one by one, each atomically, in the order given: put the file that
 * marks the folder as complete last. Leftover `.<name>.partial-*` siblings of earlier crashes are removed.
 */
export async function createFolderAtomic(dir: string, files: readonly (readonly [string, Uint8Array | string])[]): Promise<void> {
  const target = resolve(dir);
  const parent = dirname(target);
  const name = basename(target);
  await mkdir(parent, { recursive: true });
  for (const n of await readdir(parent)) {
    if (n.startsWith(`.${name}.partial-`)) await nodeFileSystem.remove(join(parent, n));
  }
  if (existsSync(target)) {
    for (const [file, data] of files) await writeFileAtomic(join(target, file), data);
    return;
  }
  const partial = siblingName(parent, name, 'partial');
  try {
    await mkdir(partial);
    for (const [file, data] of files) await writeFileAtomic(join(partial, file), data);
    await rename(partial, target);
    await nodeFileSystem.syncDir(parent);
  } catch (e) {
    await nodeFileSystem.remove(partial).catch(() => undefined);
    throw new Error(`createFolderAtomic: cannot create ${target}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Rewrites a JSON-lines file keeping only whole lines that parse as JSON and pass `keep`; a torn
 * last line (a crash during an append) is dropped. Returns how many lines were dropped; the file
 * is rewritten (atomically) only when some were. A missing file is left missing.
 */
export async function trimJsonLines(path: string, keep: (record: unknown) => boolean): Promise<number> {
  if (!existsSync(path)) return 0;
  const text = await readFile(path, 'utf8');
  const lines = text.split('\n');
  const complete = lines.slice(0, -1); // the part after the last newline is torn (or empty)
  const kept = complete.filter((line) => {
    try {
      return keep(JSON.parse(line));
    } catch {
      return false;
    }
  });
  const dropped = complete.length - kept.length + (lines[lines.length - 1] !== '' ? 1 : 0);
  if (dropped > 0) await writeFileAtomic(path, kept.map((l) => `${l}\n`).join(''));
  return dropped;
}
