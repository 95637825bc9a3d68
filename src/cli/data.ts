import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { formatCmnEng } from '../data/tatoeba.js';
import { writeFileAtomic } from '../io/files-node.js';
import { loadCorpus } from '../data/corpus-node.js';
import { intOption, outputFolderOption } from './validate.js';

export interface WriteEmbeddedOptions {
  out: string;
  /** Corpus size (default 20000, as `train translate --data embedded`). */
  nPairs?: number;
  /** Corpus seed (default 1). */
  seed?: number;
}

/**
 * Writes the embedded corpus's train/valid/test splits exactly as training sees them, as
 * `train.tsv`, `valid.tsv`, `test.tsv` in the Tatoeba column order (English, Chinese,
 * attribution), so the split can be checked and `--data tatoeba:DIR` trains on the same pairs.
 * Each file is written atomically. Returns the paths and pair counts.
 */
export async function writeEmbeddedSplits(o: WriteEmbeddedOptions): Promise<{ dir: string; counts: Record<'train' | 'valid' | 'test', number> }> {
  const nPairs = o.nPairs ?? 20000;
  const seed = o.seed ?? 1;
  const corpus = loadCorpus({ kind: 'embedded', nPairs, seed });
  const dir = resolve(o.out);
  mkdirSync(dir, { recursive: true });
  const attribution = `attentive embedded grammar, ${nPairs} pairs, seed ${seed}`;
  const counts = { train: 0, valid: 0, test: 0 };
  for (const split of ['train', 'valid', 'test'] as const) {
    const pairs = corpus[split].map((p) => {
      // The TSV format cannot hold these; the grammar never produces them, so this only guards changes to it.
      if (/[\t\r\n]/.test(p.zh + p.en)) throw new Error(`data embedded: a ${split} pair holds a tab or newline: ${JSON.stringify(p)}`);
      return { en: p.en, zh: p.zh, attribution };
    });
    await writeFileAtomic(join(dir, `${split}.tsv`), formatCmnEng(pairs));
    counts[split] = pairs.length;
  }
  return { dir, counts };
}

/** `attentive data ...`: corpora as files. A command group, so other data sets can add subcommands. */
export function registerDataCommand(program: Command): void {
  const data = program.commands.find((c) => c.name() === 'data') ?? program.command('data').description('write corpora and data sets to files (see the subcommands)');
  data
    .command('embedded')
    .description('write the embedded zh→en corpus as train.tsv, valid.tsv and test.tsv (English<TAB>Chinese<TAB>attribution), split exactly as training splits it')
    .requiredOption('--out <dir>', 'folder to write into', outputFolderOption('--out'))
    .option('--n-pairs <n>', 'corpus size (as train translate --n-pairs)', intOption('--n-pairs', { min: 1 }), 20000)
    .option('--seed <s>', 'corpus seed (as train translate --data-seed)', intOption('--seed', { min: 0 }), 1)
    .action(async (f: { out: string; nPairs: number; seed: number }) => {
      const r = await writeEmbeddedSplits({ out: f.out, nPairs: f.nPairs, seed: f.seed });
      console.log(`wrote ${r.dir}: train.tsv ${r.counts.train}, valid.tsv ${r.counts.valid}, test.tsv ${r.counts.test} pairs`);
    });
}
