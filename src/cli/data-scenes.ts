import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { formatCells } from '../data/digit-scenes.js';
import { generateScenes, SCENE_SPLITS, type SceneSplit } from '../data/digit-scenes-node.js';
import { writeScenePng } from '../data/scene-png-node.js';
import { siblingName } from '../io/files-node.js';

/** Options of `attentive data scenes`. */
export interface DataScenesOptions {
  out: string;
  n: number;
  seed?: number;
  split?: SceneSplit;
  order?: 'random' | 'reading';
  /** Seed of the MNIST split into training, validation and test digits. Default 0. */
  mnistSeed?: number;
}

/**
 * Writes `n` digit scenes to the folder `out`: scene-00000.png ... and scenes.tsv (header
 * `file caption label`, the label as 9 characters row-major from the top left, '-' = empty).
 * The folder is built beside `out` and renamed into place at the end, so a failure leaves nothing
 * half-written; an existing non-empty `out` is refused rather than mixed with.
 */
export function runDataScenes(o: DataScenesOptions): { dir: string; count: number } {
  const dir = resolve(o.out);
  if (!(Number.isInteger(o.n) && o.n > 0)) throw new Error(`data scenes: --n must be a positive integer, got ${o.n}`);
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new Error(`data scenes: ${dir} already exists and is not empty; choose another --out`);
  const scenes = generateScenes({ split: o.split ?? 'train', n: o.n, seed: o.seed ?? 0, order: o.order, mnistSeed: o.mnistSeed });
  mkdirSync(dirname(dir), { recursive: true });
  const temp = siblingName(dirname(dir), basename(dir), 'tmp');
  mkdirSync(temp);
  try {
    const width = Math.max(5, String(o.n - 1).length);
    const lines = ['file\tcaption\tlabel'];
    scenes.forEach((s, i) => {
      const file = `scene-${String(i).padStart(width, '0')}.png`;
      writeScenePng(join(temp, file), s.image);
      lines.push(`${file}\t${s.caption}\t${formatCells(s.cells)}`);
    });
    writeFileSync(join(temp, 'scenes.tsv'), lines.join('\n') + '\n');
    if (existsSync(dir)) rmdirSync(dir); // empty (checked above)
    renameSync(temp, dir);
  } catch (e) {
    rmSync(temp, { recursive: true, force: true });
    throw new Error(`data scenes: cannot write ${dir}: ${(e as Error).message}`, { cause: e });
  }
  return { dir, count: scenes.length };
}

function positiveInt(flag: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${flag} must be a positive integer, got "${v}"`);
    return n;
  };
}
function nonNegativeInt(flag: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${flag} must be a non-negative integer, got "${v}"`);
    return n;
  };
}

/** The `data` command group of `program` (created if no other data command made it yet). */
export function dataCommandGroup(program: Command): Command {
  return program.commands.find((c) => c.name() === 'data') ?? program.command('data').description('generate and export data sets');
}

/** Registers `attentive data scenes`. */
export function registerDataScenesCommand(program: Command): void {
  dataCommandGroup(program)
    .command('scenes')
    .description('write digit scenes (84x84 PNGs of 1-4 MNIST digits in a 3x3 grid) and a TSV of file, caption and label')
    .requiredOption('--out <dir>', 'output folder (created; must not exist or be empty)')
    .requiredOption('--n <count>', 'number of scenes', positiveInt('--n'))
    .option('--seed <s>', 'seed of the scene layouts and digit choice', nonNegativeInt('--seed'), 0)
    .addOption(new Option('--split <split>', 'which digits: train, valid (carved from the training pool) or test').choices([...SCENE_SPLITS]).default('train'))
    .addOption(new Option('--order <order>', 'order in which captions mention the digits').choices(['random', 'reading']).default('random'))
    .option('--mnist-seed <s>', 'seed of the MNIST split into train/valid/test digits (keep it fixed across splits)', nonNegativeInt('--mnist-seed'), 0)
    .action((opts: DataScenesOptions) => {
      const r = runDataScenes(opts);
      console.log(`data scenes: wrote ${r.count} ${opts.split ?? 'train'} scenes and scenes.tsv to ${r.dir}`);
    });
}
