import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Splits } from './split-pairs.js';
import { parseCmnEng, splitTatoeba, type TatoebaPair } from './tatoeba.js';

/**
 * Load Tatoeba cmn-eng pairs. `path` is either a raw `cmn.txt`-style file, split here by the
 * published recipe, or a folder holding `train.tsv`, `valid.tsv` and `test.tsv`.
 */
export function loadTatoeba(path: string): Splits<TatoebaPair> {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new Error(`loadTatoeba: no such file or folder: ${path}`);
  }
  if (!isDir) return splitTatoeba(parseCmnEng(readFileSync(path, 'utf8'), path));
  const read = (name: string): TatoebaPair[] => {
    const file = join(path, name);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new Error(`loadTatoeba: folder ${path} has no readable ${name}`);
    }
    return parseCmnEng(text, file);
  };
  return { train: read('train.tsv'), valid: read('valid.tsv'), test: read('test.tsv') };
}
