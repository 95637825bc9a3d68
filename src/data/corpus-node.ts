import type { Splits } from './split-pairs.js';
import { splitPairs } from './split-pairs.js';
import { loadTatoeba } from './tatoeba-node.js';
import { generatePairs } from './zh-en-grammar.js';

/** A sentence pair as the trainer sees it. */
export interface Pair {
  zh: string;
  en: string;
}

/** Where the sentences come from: `embedded` (the grammar generator) or `tatoeba:PATH`. */
export interface DataSpec {
  kind: 'embedded' | 'tatoeba';
  /** Tatoeba file or folder. */
  path?: string;
  /** Embedded corpus size (default 20000). */
  nPairs?: number;
  /** Embedded corpus seed (default 1). */
  seed?: number;
}

/** Parses `embedded` or `tatoeba:PATH`. */
export function parseDataSpec(text: string, nPairs?: number, seed?: number): DataSpec {
  if (text === 'embedded') return { kind: 'embedded', nPairs: nPairs ?? 20000, seed: seed ?? 1 };
  if (text.startsWith('tatoeba:') && text.length > 'tatoeba:'.length) return { kind: 'tatoeba', path: text.slice('tatoeba:'.length) };
  throw new Error(`--data must be 'embedded' or 'tatoeba:PATH', got '${text}'`);
}

/** Train/valid/test pairs of a data spec. The embedded corpus is split 90/5/5 by Chinese sentence. */
export function loadCorpus(spec: DataSpec): Splits<Pair> {
  if (spec.kind === 'embedded') {
    const pairs = generatePairs({ n: spec.nPairs ?? 20000, seed: spec.seed ?? 1 });
    return splitPairs(pairs, { seed: (spec.seed ?? 1) + 1 });
  }
  const s = loadTatoeba(spec.path!);
  const strip = (ps: { zh: string; en: string }[]) => ps.map((p) => ({ zh: p.zh, en: p.en }));
  return { train: strip(s.train), valid: strip(s.valid), test: strip(s.test) };
}
