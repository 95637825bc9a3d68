import { existsSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { SCENE_PIXELS, SCENE_SIDE } from '../data/digit-scenes.js';
import { readScenePng } from '../data/scene-png-node.js';
import { CAPTION_SEARCHES, captionImages, type CaptionSearch } from '../models/caption/search.js';
import { loadCaptionRun } from '../models/caption/train-node.js';
import { Tensor } from '../tensor/tensor.js';
import { attentionOverlay } from '../viz/attention-overlay.js';
import { encodePng } from '../viz/png-node.js';
import { writeFileAtomic } from '../io/files-node.js';

/** Options of `attentive caption`. */
export interface CaptionCommandOptions {
  run: string;
  images: string[];
  search?: CaptionSearch;
  beamSize?: number;
  json?: boolean;
  attentionOut?: string;
  out?: (line: string) => void;
  warn?: (line: string) => void;
}

/** FILE.png for one image, FILE-1.png, FILE-2.png ... for several. */
function numbered(path: string, i: number, total: number): string {
  if (total <= 1) return path;
  const dot = path.lastIndexOf('.');
  return dot > 0 ? `${path.slice(0, dot)}-${i + 1}${path.slice(dot)}` : `${path}-${i + 1}`;
}

/**
 * Captions PNG images with a trained run: one caption per line, or with `json` one JSON object
 * per image (`image`, `caption`, `words` with 9 attention weights each, row-major from the
 * top-left cell; null weights for Show-and-Tell). All inputs are read and checked before anything
 * is written; each picture is written atomically.
 */
export async function runCaption(o: CaptionCommandOptions): Promise<void> {
  const out = o.out ?? ((s: string) => console.log(s));
  const warn = o.warn ?? ((s: string) => console.error(s));
  if (o.images.length === 0) throw new Error('caption: give at least one IMAGE.png');
  if (o.attentionOut && !/\.png$/i.test(o.attentionOut)) throw new Error(`caption: --attention-out must end in .png, got '${o.attentionOut}'`);
  if (!existsSync(o.run)) throw new Error(`caption: no run folder at ${o.run}`);
  const { model, vocab } = await loadCaptionRun(o.run);
  if (o.attentionOut && model.config.model !== 'attention') throw new Error(`caption: the run ${o.run} holds a Show-and-Tell model, which has no attention to draw (--attention-out)`);
  const pixels = new Float32Array(o.images.length * SCENE_PIXELS);
  o.images.forEach((path, i) => {
    const r = readScenePng(path);
    if (r.conversions.length > 0) warn(`caption: ${path}: ${r.conversions.join('; ')}`);
    pixels.set(r.image, i * SCENE_PIXELS);
  });
  const images = new Tensor(pixels, [o.images.length, 1, SCENE_SIDE, SCENE_SIDE]);
  const caps = captionImages(model, vocab, images, { method: o.search ?? 'greedy', beamSize: o.beamSize });
  for (const [i, c] of caps.entries()) {
    if (o.json) {
      out(JSON.stringify({ image: o.images[i], caption: c.caption, words: c.words.map((word, t) => ({ word, attention: c.attention ? c.attention[t].map((v) => +v.toFixed(5)) : null })) }));
    } else {
      out(c.caption);
    }
    if (!c.finished) warn(`caption: ${o.images[i]}: the caption reached the length limit without ending`);
  }
  if (o.attentionOut) {
    for (const [i, c] of caps.entries()) {
      const path = numbered(o.attentionOut, i, caps.length);
      if (c.words.length === 0) {
        warn(`caption: ${o.images[i]}: empty caption, no attention picture`);
        continue;
      }
      const img = attentionOverlay(pixels.subarray(i * SCENE_PIXELS, (i + 1) * SCENE_PIXELS), SCENE_SIDE, c.words, c.attention!);
      await writeFileAtomic(path, encodePng(img));
      warn(`caption: attention picture written to ${path}`);
    }
  }
}

/** Registers `attentive caption`. */
export function registerCaptionCommand(program: Command): void {
  program
    .command('caption')
    .description('caption PNG images with a trained captioning run (any PNG: colour and other sizes are converted)')
    .argument('<images...>', 'PNG files')
    .requiredOption('--run <dir>', "run folder written by 'attentive train caption'")
    .addOption(new Option('--search <method>', 'greedy | beam | exact').choices([...CAPTION_SEARCHES]).default('greedy'))
    .option('--beam-size <k>', 'beam width (default 5)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`--beam-size must be a positive integer, got '${v}'`);
      return n;
    })
    .option('--json', 'one JSON object per image with per-word attention weights')
    .option('--attention-out <file.png>', 'write per-word attention panels (FILE-1.png, FILE-2.png ... for several images)')
    .action(async (images: string[], f: { run: string; search: CaptionSearch; beamSize?: number; json?: boolean; attentionOut?: string }) => {
      await runCaption({ run: f.run, images, search: f.search, beamSize: f.beamSize, json: f.json, attentionOut: f.attentionOut });
    });
}
