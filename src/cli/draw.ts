import { Command, InvalidArgumentError } from 'commander';
import { resolve } from 'node:path';
import '../autograd/index.js';
import { formatCells } from '../data/digit-scenes.js';
import { writeFileAtomic } from '../io/files-node.js';
import { readCells } from '../models/text2image/judge.js';
import { drawWithRun, loadText2ImageRun } from '../models/text2image/run-node.js';
import { imageGrid } from '../viz/image-grid.js';
import { encodePng } from '../viz/png-node.js';

/** Options of {@link runDraw} (the CLI flags). */
export interface DrawOptions {
  run: string;
  out: string;
  /** Integer upscale of the written picture (default 1: 84x84 per caption). */
  scale?: number;
  /** Also print what the run's judge reads in each cell. */
  judge?: boolean;
}

/**
 * Draws each caption with a text2image run and writes one PNG: the 84x84 picture for one caption,
 * the pictures side by side for several. Every caption is checked before anything is drawn or
 * written; the PNG is written atomically.
 */
export async function runDraw(captions: readonly string[], o: DrawOptions): Promise<{ out: string; lines: string[] }> {
  if (captions.length === 0) throw new Error('draw: give at least one caption, e.g. "a seven in the top left and a two in the center"');
  const scale = o.scale ?? 1;
  const run = await loadText2ImageRun(o.run, o.judge ?? false);
  const { images, parsed } = drawWithRun(run, captions, 'draw');
  const n = captions.length;
  const png = encodePng(imageGrid(images, [n, 84, 84], { cols: n, pad: n === 1 ? 0 : 2, normalize: 'none', scale, background: [128, 128, 128] }));
  const out = resolve(o.out);
  await writeFileAtomic(out, png);
  const lines = parsed.map((p, i) => `"${captions[i]}" -> cells ${formatCells(p.cells)}`);
  if (run.judge) {
    readCells(run.judge, images, n).forEach((r, i) => {
      lines[i] += `, judge reads ${formatCells(r)}`;
    });
  }
  return { out, lines };
}

/** `attentive draw --run RUN "caption" ... --out img.png`. */
export function registerDrawCommand(program: Command): void {
  program
    .command('draw')
    .description('draw digit scenes from captions with a run of `attentive train text2image`')
    .argument('<captions...>', 'captions such as "a seven in the top left and a two in the center"')
    .requiredOption('--run <dir>', 'run folder written by `attentive train text2image`')
    .requiredOption('--out <file>', 'PNG to write (one 84x84 picture per caption, side by side)')
    .option('--scale <k>', 'integer upscale (default 1)', (v) => {
      const n = Number(v);
      if (!(Number.isInteger(n) && n >= 1 && n <= 16)) throw new InvalidArgumentError(`--scale must be an integer in 1..16, got '${v}'`);
      return n;
    })
    .option('--judge', "print what the run's digit judge reads in each cell (row-major from the top left, '-' = empty)")
    .action(async (captions: string[], f: DrawOptions) => {
      const r = await runDraw(captions, f);
      for (const l of r.lines) console.log(l);
      console.log(`draw: wrote ${r.out}`);
    });
}
