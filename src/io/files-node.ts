// Crash-safe file writes and safetensors files on disk (Node only).
//
// writeFileAtomic never exposes a half-written target: the bytes go to a temporary file in the
// same directory (rename is only atomic within one file system), the file is fsynced so its data
// is on disk before its name is, it is renamed over the target, and the directory is fsynced so
// the rename itself survives a power cut. Readers therefore see the old file or the new one.

import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { decodeSafetensors, encodeSafetensors, type DecodedSafetensors } from './safetensors.js';
import type { NamedArrays } from './named-arrays.js';

/**
 * The file-system steps writeFileAtomic takes, replaceable so tests can inject failures.
 * `writeNew` must create `path` exclusively, write all of `data` and fsync it.
 */
export interface AtomicFileSystem {
  writeNew(path: string, data: Uint8Array): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  remove(path: string): Promise<void>;
  syncDir(dir: string): Promise<void>;
}

/** The real file system. */
export const nodeFileSystem: AtomicFileSystem = {
  async writeNew(path, data) {
    const handle = await open(path, 'wx');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  rename: (from, to) => rename(from, to),
  remove: (path) => rm(path, { force: true, recursive: true }),
  async syncDir(dir) {
    let handle;
    try {
      handle = await open(dir, 'r');
      await handle.sync();
    } catch (e) {
      // Some platforms (Windows) cannot open or fsync a directory; the rename is still atomic there.
      if (!['EISDIR', 'EPERM', 'EINVAL', 'EACCES'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
    } finally {
      await handle?.close();
    }
  },
};

/** A name in `dir` for a hidden sibling of `name`, unlikely to collide with any other writer's. */
export function siblingName(dir: string, name: string, tag: string): string {
  return join(dir, `.${name}.${tag}-${process.pid}-${randomBytes(6).toString('hex')}`);
}

/**
 * Replaces `path` with `data` atomically: temp file in the same directory, fsync, rename over the
 * target, fsync the directory. On any error the previous file (if any) is untouched, the temp
 * file is removed and the error is rethrown with the path in its message.
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string, fs: AtomicFileSystem = nodeFileSystem): Promise<void> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const dir = dirname(path);
  const temp = siblingName(dir, basename(path), 'tmp');
  try {
    await fs.writeNew(temp, bytes);
    await fs.rename(temp, path);
  } catch (e) {
    await fs.remove(temp).catch(() => undefined);
    throw new Error(`writeFileAtomic: cannot write ${path}: ${(e as Error).message}`, { cause: e });
  }
  try {
    await fs.syncDir(dir);
  } catch (e) {
    throw new Error(`writeFileAtomic: wrote ${path} but cannot fsync its directory ${dir}: ${(e as Error).message}`, { cause: e });
  }
}

/** Encodes `tensors` (see encodeSafetensors) and writes them to `path` atomically. */
export async function saveSafetensors(
  path: string,
  tensors: NamedArrays,
  metadata?: Record<string, string>,
  fs: AtomicFileSystem = nodeFileSystem,
): Promise<void> {
  let bytes: Uint8Array;
  try {
    bytes = encodeSafetensors(tensors, metadata);
  } catch (e) {
    throw new Error(`saveSafetensors: ${path}: ${(e as Error).message}`, { cause: e });
  }
  await writeFileAtomic(path, bytes, fs);
}

/** Reads and decodes a safetensors file; errors carry the file path. */
export async function loadSafetensors(path: string): Promise<DecodedSafetensors> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new Error(`loadSafetensors: cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
  try {
    return decodeSafetensors(bytes);
  } catch (e) {
    throw new Error(`loadSafetensors: ${path}: ${(e as Error).message}`, { cause: e });
  }
}
