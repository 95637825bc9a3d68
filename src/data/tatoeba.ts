import { seededPermutation } from './mulberry32.js';
import type { Splits } from './split-pairs.js';

/** One Tatoeba line: English, Chinese and the CC-BY attribution that must travel with it. */
export interface TatoebaPair {
  en: string;
  zh: string;
  attribution: string;
}

/** Seed of the published split recipe. */
export const TATOEBA_SPLIT_SEED = 1234;
/** Size of the test range (`perm[0..1999]`) and of the validation range (`perm[2000..3999]`). */
export const TATOEBA_HELD_OUT = 2000;

/**
 * Parse `English<TAB>Chinese<TAB>attribution` lines (the manythings.org `cmn.txt` format, also
 * used by the split files). The text is kept exactly as it is, apart from a `\r` before `\n`
 * and a byte-order mark at the start of the file.
 * A final newline is allowed; any other empty or malformed line is an error naming its number.
 */
export function parseCmnEng(text: string, source = 'input'): TatoebaPair[] {
  // A byte-order mark (editors on Windows write one) is not part of the first English sentence.
  const lines = (text.startsWith('\ufeff') ? text.slice(1) : text).split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.map((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const cols = line.split('\t');
    if (cols.length !== 3) {
      throw new Error(`parseCmnEng: ${source} line ${i + 1}: expected 3 tab-separated columns, got ${cols.length}: ${JSON.stringify(line.slice(0, 60))}`);
    }
    const [en, zh, attribution] = cols as [string, string, string];
    if (en.trim() === '' || zh.trim() === '') {
      throw new Error(`parseCmnEng: ${source} line ${i + 1}: empty ${en.trim() === '' ? 'English' : 'Chinese'} column`);
    }
    return { en, zh, attribution };
  });
}

/** Format pairs back into `cmn.txt` lines, each ending in `\n`. */
export function formatCmnEng(pairs: readonly TatoebaPair[]): string {
  return pairs.map((p) => `${p.en}\t${p.zh}\t${p.attribution}\n`).join('');
}

/**
 * Split a full `cmn.txt` by the published recipe: Fisher–Yates with mulberry32(1234);
 * test = perm[0..1999], valid = perm[2000..3999], train = the rest, each in permutation order.
 */
export function splitTatoeba<T>(pairs: readonly T[], seed = TATOEBA_SPLIT_SEED): Splits<T> {
  if (pairs.length <= 2 * TATOEBA_HELD_OUT) {
    throw new Error(`splitTatoeba: need more than ${2 * TATOEBA_HELD_OUT} pairs, got ${pairs.length}`);
  }
  const perm = seededPermutation(pairs.length, seed);
  const take = (from: number, to: number): T[] => perm.slice(from, to).map((i) => pairs[i]!);
  return {
    test: take(0, TATOEBA_HELD_OUT),
    valid: take(TATOEBA_HELD_OUT, 2 * TATOEBA_HELD_OUT),
    train: take(2 * TATOEBA_HELD_OUT, pairs.length),
  };
}
