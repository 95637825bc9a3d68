import { readFileSync, writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { existingFileOption, existingFolderOption, intOption, numberOption, type NumberRange } from './validate.js';
import '../autograd/index.js';
import { Generator } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { loadRun } from '../models/translation/run-node.js';
import { SEARCH_METHODS, translateIds, type SearchMethod, type Translation } from '../models/translation/search.js';
import type { TextPipeline } from '../text/text-pipeline.js';
import { BOS_ID } from '../text/vocab.js';
import { attentionMatrix, beamTreeNodes } from '../models/translation/pictures.js';
import { beamTreeSvg } from '../viz/beam-tree.js';
import { heatmapSvg } from '../viz/heatmap.js';
import { writeHeatmapPng, writePng } from '../viz/png-node.js';
import { attentionGridRasters, attentionGridSvgs, layeredAttention, type LayeredAttention } from '../models/transformer/pictures.js';
import { textHeatmap } from '../viz/text-heatmap.js';

export interface TranslateOptions {
  run: string;
  search?: SearchMethod;
  beamSize?: number;
  nBest?: number;
  lengthPenalty?: number;
  keepUnk?: boolean;
  temperature?: number;
  topK?: number;
  topP?: number;
  seed?: number;
  showAttention?: boolean;
  attentionOut?: string;
  beamTreeOut?: string;
  /** Longest source kept, in tokens (default 100). */
  maxSrcLen?: number;
}

export interface TranslateIo {
  out: (line: string) => void;
  warn: (line: string) => void;
}

function numbered(path: string, i: number, total: number): string {
  if (total <= 1) return path;
  const dot = path.lastIndexOf('.');
  return dot > 0 ? `${path.slice(0, dot)}-${i + 1}${path.slice(dot)}` : `${path}-${i + 1}`;
}

/**
 * Translates `lines` with a trained run. Returns the number of problems (empty lines), so the
 * caller can set the exit code; bad runs and bad options throw.
 */
export async function translateLines(lines: readonly string[], o: TranslateOptions, io: TranslateIo): Promise<number> {
  const search = o.search ?? 'beam';
  if (!SEARCH_METHODS.includes(search)) throw new Error(`translate: --search must be one of ${SEARCH_METHODS.join(', ')}, got '${search}'`);
  if (o.beamTreeOut && search !== 'beam') throw new Error(`translate: --beam-tree-out needs --search beam (got ${search})`);
  if (o.attentionOut && !/\.(svg|png)$/i.test(o.attentionOut)) throw new Error(`translate: --attention-out must end in .svg or .png, got '${o.attentionOut}'`);
  const { model, pipeline } = await loadRun(o.run);
  if ((o.showAttention || o.attentionOut) && model.attentionMaps([BOS_ID], [], true).length === 0) {
    io.warn(`translate: this run holds a ${model.config.kind === 'plain' ? 'plain encoder-decoder' : `'${model.config.kind}' model`}, which has no attention to show`);
  }
  const maxSrcLen = o.maxSrcLen ?? 100;
  let problems = 0;
  const items: { line: number; text: string; ids: number[]; tokens: string[] }[] = [];
  lines.forEach((raw, i) => {
    const text = raw.trim();
    if (text === '') {
      io.warn(`translate: input line ${i + 1} is empty; nothing to translate`);
      problems++;
      return;
    }
    let { ids, tokens, unknowns } = pipeline.encodeSrc(text);
    if (unknowns > 0) {
      const unk = [...new Set(tokens.filter((t) => !pipeline.srcVocab.has(t)))].join(' ');
      io.warn(`translate: line ${i + 1}: ${unknowns} token${unknowns === 1 ? '' : 's'} outside the vocabulary mapped to <unk>: ${unk}`);
    }
    if (ids.length > maxSrcLen) {
      io.warn(`translate: line ${i + 1}: ${ids.length} tokens, truncated to ${maxSrcLen}`);
      ids = ids.slice(0, maxSrcLen);
      tokens = tokens.slice(0, maxSrcLen);
    }
    if (ids.length === 0) {
      io.warn(`translate: input line ${i + 1} has no tokens`);
      problems++;
      return;
    }
    items.push({ line: i + 1, text, ids, tokens });
  });
  if (items.length === 0) return problems;
  const gen = new Generator(o.seed ?? 0);
  const results: Translation[] = translateIds(model, items.map((it) => it.ids), {
    method: search, beamSize: o.beamSize ?? 5, nBest: o.nBest ?? 1, lengthPenalty: o.lengthPenalty,
    temperature: o.temperature, topK: o.topK, topP: o.topP, rng: () => gen.random(), recordTree: o.beamTreeOut !== undefined,
  });
  items.forEach((it, k) => {
    const r = results[k];
    const nb = r.nBest;
    const text = (ids: readonly number[]) => pipeline.decodeTgt(ids, { keepUnk: o.keepUnk });
    if (nb.length === 1 && (o.nBest ?? 1) === 1) io.out(text(nb[0].tokens));
    else nb.forEach((h, j) => io.out(`${j + 1}\t${h.logProb.toFixed(3)}\t${text(h.tokens)}`));
    if (r.exact === false) io.warn(`translate: line ${it.line}: exact search ran out of its node budget; the result may not be the most probable sentence`);
    const best = nb[0];
    if (!best) return;
    if (o.showAttention || o.attentionOut) {
      const m = attentionMatrix(model, it.ids, best.tokens, best.finished);
      const rowLabels = [...pipeline.tgtTokenStrings(best.tokens), ...(best.finished ? ['</s>'] : [])];
      if (m) {
        if (o.showAttention) io.out(textHeatmap(m, { rowLabels, colLabels: it.tokens }));
        if (o.attentionOut) {
          const path = numbered(o.attentionOut, k, items.length);
          if (/\.png$/i.test(path)) writeHeatmapPng(path, m, { cellSize: 24 });
          else writeFileSync(path, heatmapSvg(m, { rowLabels, colLabels: it.tokens, title: it.text, xLabel: 'source', yLabel: 'output' }));
          io.warn(`translate: attention picture written to ${path}`);
        }
      }
      const layered = layeredAttention(model.attentionMaps(it.ids, best.tokens, best.finished));
      if (layered) writeLayeredAttention(layered, o, io, { rowLabels, srcTokens: it.tokens, text: it.text, path: o.attentionOut && numbered(o.attentionOut, k, items.length) });
    }
    if (o.beamTreeOut && r.tree) {
      const path = numbered(o.beamTreeOut, k, items.length);
      writeFileSync(path, beamTreeSvg(beamTreeNodes(r.tree, pipeline), { title: it.text }));
      io.warn(`translate: beam tree written to ${path}`);
    }
  });
  return problems;
}

/**
 * A model with attention per layer and head (the Transformer): the text view shows each layer's
 * mean over heads; --attention-out adds NAME-cross and NAME-encoder pictures with every head.
 */
function writeLayeredAttention(
  l: LayeredAttention, o: TranslateOptions, io: TranslateIo,
  it: { rowLabels: string[]; srcTokens: string[]; text: string; path?: string },
): void {
  if (o.showAttention) {
    for (const maps of [...l.cross, ...l.encoder]) {
      io.out(maps[0].name);
      io.out(textHeatmap(maps[0].weights, { rowLabels: maps[0].rows === 'target' ? it.rowLabels : it.srcTokens, colLabels: it.srcTokens }));
    }
  }
  if (!it.path) return;
  const dot = it.path.lastIndexOf('.');
  const named = (part: string) => `${it.path!.slice(0, dot)}-${part}${it.path!.slice(dot)}`;
  const pictures = /\.png$/i.test(it.path) ? attentionGridRasters(l) : attentionGridSvgs(l, it.srcTokens, it.rowLabels, it.text);
  for (const part of ['cross', 'encoder'] as const) {
    const p = pictures[part];
    if (!p) continue;
    if (typeof p === 'string') writeFileSync(named(part), p);
    else writePng(named(part), p);
    io.warn(`translate: ${part === 'cross' ? 'cross-attention' : 'encoder self-attention'} by layer and head written to ${named(part)}`);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const int = (name: string, range: NumberRange = { min: 1 }) => intOption(name, range);
const num = (name: string, range: NumberRange = {}) => numberOption(name, range);

/** `attentive translate --run RUN_DIR [options] [sentences...]`. */
export function registerTranslateCommand(program: Command): void {
  program
    .command('translate')
    .description('translate Chinese sentences with a trained run (arguments, --input FILE, or lines on stdin)')
    .argument('[sentences...]', 'Chinese sentences')
    .requiredOption('--run <dir>', 'run folder written by `attentive train translate`', existingFolderOption('--run'))
    .option('--search <method>', SEARCH_METHODS.join(' | '), 'beam')
    .option('--beam-size <k>', 'beam width (default 5)', int('--beam-size'))
    .option('--n-best <n>', 'hypotheses per sentence (beam, exact, sample)', int('--n-best'))
    .option('--length-penalty <a>', 'beam score = logProb / length^a (default 1)', num('--length-penalty'))
    .option('--temperature <t>', 'sampling temperature', num('--temperature', { above: 0 }))
    .option('--top-k <k>', 'sample among the k most probable tokens', int('--top-k', { min: 0 }))
    .option('--top-p <p>', 'sample from the smallest set with probability ≥ p', num('--top-p', { above: 0, max: 1 }))
    .option('--seed <s>', 'sampling seed', intOption('--seed', { min: 0 }))
    .option('--keep-unk', 'print <unk> for words outside the English vocabulary (default: dropped, as when scoring)')
    .option('--show-attention', 'print a text heatmap of the attention weights')
    .option('--attention-out <file>', 'write the attention heatmap (.svg or .png)')
    .option('--beam-tree-out <file>', 'write the beam-search tree (.svg)')
    .option('--input <file>', 'read sentences from a file, one per line', existingFileOption('--input'))
    .option('--max-src-len <n>', 'longest source kept, in tokens (default 100)', int('--max-src-len'))
    .action(async (sentences: string[], f: TranslateOptions & { input?: string }) => {
      let lines: string[];
      if (sentences.length > 0) lines = sentences;
      else if (f.input) {
        let text: string;
        try {
          text = readFileSync(f.input, 'utf8');
        } catch (e) {
          throw new Error(`translate: cannot read --input ${f.input}: ${(e as Error).message}`);
        }
        lines = text.split('\n');
        if (lines.at(-1) === '') lines.pop();
      } else if (process.stdin.isTTY) {
        throw new Error('translate: give sentences as arguments, --input FILE, or pipe lines on stdin');
      } else {
        lines = (await readStdin()).split('\n');
        if (lines.at(-1) === '') lines.pop();
      }
      if (lines.length === 0) throw new Error('translate: no input sentences');
      const problems = await translateLines(lines, f, { out: (s) => console.log(s), warn: (s) => console.error(s) });
      if (problems > 0) process.exitCode = 1;
    });
}
