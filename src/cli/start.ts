import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import '../autograd/index.js';
import { getBackend } from '../backend/registry.js';
import { loadCorpus, type DataSpec } from '../data/corpus-node.js';
import { bleuByLength, evaluateBleu } from '../models/translation/evaluate.js';
import { loadRun } from '../models/translation/run-node.js';
import { translateIds } from '../models/translation/search.js';
import { applyRecipe, loadRecipe } from '../models/translation/recipes-node.js';
import { trainTranslation, type TrainSummary, type TrainTranslationOptions } from '../models/translation/train-node.js';
import { barChartSvg } from '../viz/bar-chart.js';
import { beamTreeSvg } from '../viz/beam-tree.js';
import { heatmapSvg } from '../viz/heatmap.js';
import { writeHeatmapPng } from '../viz/png-node.js';
import { attentionMatrix, beamTreeNodes } from '../models/translation/pictures.js';
import { attentionGridSvgs, layeredAttention } from '../models/transformer/pictures.js';
import { intOption, numberOption, outputFolderOption } from './validate.js';

export interface StartOptions {
  /** Time cap of the attention model and of the Transformer in minutes; the plain model gets half. */
  minutes?: number;
  /** Epochs of each model (default: each recipe's; natively 4 for the LSTMs, 3 for the Transformer). */
  epochs?: number;
  /** A tiny corpus and models that run the whole job in seconds (for tests; the BLEU means nothing). */
  quick?: boolean;
  out?: string;
  log?: (line: string) => void;
}

/**
 * The recipes start-attention, start-plain and start-transformer (recipes/), on the TypeScript
 * backend with a smaller corpus and models: it is ~50× slower.
 */
function plan(backend: string, minutes?: number, epochs?: number, quick?: boolean) {
  const attention = loadRecipe('start-attention');
  const plain = loadRecipe('start-plain');
  const transformer = loadRecipe('start-transformer');
  const js: Partial<TrainTranslationOptions> = quick
    ? { data: { kind: 'embedded', nPairs: 600, seed: 1 }, model: { hiddenSize: 16, srcEmbSize: 12, tgtEmbSize: 12, dropout: 0 }, batchSize: 32, lr: 3e-3, maxMinutes: 1, epochs: 2 }
    : backend === 'js'
    ? { data: { kind: 'embedded', nPairs: 3000, seed: 1 }, model: { hiddenSize: 48, srcEmbSize: 32, tgtEmbSize: 32, dropout: 0.1 }, batchSize: 32, lr: 3e-3, maxMinutes: 2, epochs: 40 }
    : {};
  // The native settings, measured on 2 shared cores (docs/results.md): H=64 learns the grammar about
  // as well per update as H=128 at twice the updates per second, batches of 16 give more updates for
  // nearly the same tokens/s, and dropout only slows learning on a generated corpus that cannot be
  // memorised in a few epochs. Three epochs (~450k target tokens) reach BLEU ≥ 95 and a fourth gives
  // a margin. The job counts epochs rather than minutes because the same work took 3.3 minutes on
  // an otherwise idle-ish machine (~2500 tokens/s) and 7 on a busy one (~1000 tokens/s); the
  // minutes only cap a pathological case. The plain model gets as many epochs, so the comparison
  // is between models, not training lengths, and half the minutes (it runs about twice as fast).
  const over = (r: typeof attention, share: number) => {
    // the small model on the TypeScript backend is an LSTM's; the Transformer gets a narrow one of its own
    const small = quick && r === transformer ? { ...js, model: { dModel: 16, dFf: 32, heads: 2, encoderLayers: 1, decoderLayers: 1 } }
      : backend === 'js' && r === transformer ? { ...js, model: { dModel: 32, dFf: 128, heads: 4 } } : js;
    const o = applyRecipe(r, { ...small, data: js.data ?? r.options.data! } as TrainTranslationOptions);
    if (minutes !== undefined) o.maxMinutes = minutes * share;
    else if (quick || backend === 'js') o.maxMinutes = js.maxMinutes! * share;
    if (epochs !== undefined) o.epochs = epochs;
    else if (quick) o.epochs = js.epochs!;
    return o;
  };
  return { attention: over(attention, 1), plain: over(plain, 0.5), transformer: over(transformer, 1) };
}

const fmt = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '-' : x.toFixed(2));

/**
 * The main job: trains the attention model and the plain encoder-decoder on the embedded corpus,
 * compares them, translates a few sentences and writes pictures and a report into the run folder.
 */
export async function runStart(o: StartOptions = {}): Promise<{ runDir: string; attention: TrainSummary; plain: TrainSummary; transformer: TrainSummary }> {
  const log = o.log ?? ((s: string) => console.log(s));
  const t0 = performance.now();
  // Speeds depend on what else the machine runs, so the job reports the load it saw.
  const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
  const backend = getBackend().name;
  const p = plan(backend, o.minutes, o.epochs, o.quick);
  const data = p.attention.data;
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  const runDir = resolve(o.out ?? join('runs', `start-${stamp}`));
  mkdirSync(runDir, { recursive: true });
  log(`backend: ${backend}${backend === 'js' ? ' (TypeScript reference backend; the native one is not available, so the job uses a smaller corpus and model)' : ''}`);
  log(`load average at start: ${load()}`);
  log(`corpus: embedded grammar, ${data.nPairs} pairs; attention model ${p.attention.epochs} epochs (at most ${p.attention.maxMinutes} min), ` +
    `plain model ${p.plain.epochs} epochs (at most ${(p.plain.maxMinutes ?? Infinity).toFixed(1)} min), Transformer ${p.transformer.epochs} epochs (at most ${p.transformer.maxMinutes} min)`);
  const run = (name: string) => ({ out: join(runDir, name), log: (s: string) => log(`  ${s}`) });
  log('\n== attention model (Bahdanau, input feeding) ==');
  const attention = await trainTranslation({ ...p.attention, ...run('attention') });
  log('\n== plain encoder-decoder (final state only) ==');
  const plain = await trainTranslation({ ...p.plain, ...run('plain') });
  log('\n== Transformer (self-attention encoder and decoder) ==');
  const transformer = await trainTranslation({ ...p.transformer, ...run('transformer') });

  log(`\n== test BLEU (${attention.results.test.greedy?.sentences ?? 0} held-out sentences) ==`);
  log(`              greedy   beam5   epochs  train min  tok/s`);
  for (const [name, s] of [['attention', attention], ['plain', plain], ['transformer', transformer]] as const) {
    log(`${name.padEnd(12)} ${fmt(s.results.test.greedy?.bleu).padStart(7)} ${fmt(s.results.test.beam5?.bleu).padStart(7)} ` +
      `${String(s.epochs).padStart(8)} ${(s.trainSeconds / 60).toFixed(1).padStart(10)} ${s.tokensPerSecond.toFixed(0).padStart(6)}`);
  }

  const att = await loadRun(join(runDir, 'attention'));
  const pl = await loadRun(join(runDir, 'plain'));
  const tf = await loadRun(join(runDir, 'transformer'));
  const corpus = loadCorpus(data);
  // The validation split chose each model's checkpoint, so only test sentences are scored and shown here.
  const held = corpus.test;

  // A handful of test sentences, short to long.
  const bySrcLen = held.map((q) => ({ q, n: att.pipeline.srcTokens(q.zh).length })).sort((a, b) => a.n - b.n);
  const picks = [0.1, 0.4, 0.7, 0.9, 0.99].map((f) => bySrcLen[Math.min(bySrcLen.length - 1, Math.floor(f * bySrcLen.length))].q);
  log('\n== translations (beam 5) ==');
  const tr = (m: typeof att, zh: string) => m.pipeline.decodeTgt(translateIds(m.model, [m.pipeline.encodeSrc(zh).ids], { method: 'beam', beamSize: 5 })[0].nBest[0]?.tokens ?? []);
  for (const q of picks) {
    log(`zh:        ${q.zh}`);
    log(`reference: ${q.en}`);
    log(`attention: ${tr(att, q.zh)}`);
    log(`plain:     ${tr(pl, q.zh)}`);
    log(`transformer: ${tr(tf, q.zh)}\n`);
  }

  // Pictures for the longest picked sentence.
  const show = picks[picks.length - 1];
  const src = att.pipeline.encodeSrc(show.zh);
  const beam = translateIds(att.model, [src.ids], { method: 'beam', beamSize: 5, recordTree: true })[0];
  const best = beam.nBest[0];
  const m = attentionMatrix(att.model, src.ids, best.tokens, best.finished)!;
  const rowLabels = [...att.pipeline.tgtTokenStrings(best.tokens), ...(best.finished ? ['</s>'] : [])];
  writeFileSync(join(runDir, 'attention.svg'), heatmapSvg(m, { rowLabels, colLabels: src.tokens, title: show.zh, xLabel: 'source', yLabel: 'output' }));
  writeHeatmapPng(join(runDir, 'attention.png'), m, { cellSize: 24 });
  writeFileSync(join(runDir, 'beam-tree.svg'), beamTreeSvg(beamTreeNodes(beam.tree!, att.pipeline), { title: show.zh }));
  // The Transformer on the same sentence: cross-attention per layer and head, and the encoder's
  // self-attention (each source character attending to the others of its sentence).
  const tfSrc = tf.pipeline.encodeSrc(show.zh);
  const tfBest = translateIds(tf.model, [tfSrc.ids], { method: 'beam', beamSize: 5 })[0].nBest[0];
  const tfRows = [...tf.pipeline.tgtTokenStrings(tfBest.tokens), ...(tfBest.finished ? ['</s>'] : [])];
  const tfMaps = layeredAttention(tf.model.attentionMaps(tfSrc.ids, tfBest.tokens, tfBest.finished))!;
  const tfPictures = attentionGridSvgs(tfMaps, tfSrc.tokens, tfRows, show.zh);
  writeFileSync(join(runDir, 'transformer-cross-attention.svg'), tfPictures.cross!);
  writeFileSync(join(runDir, 'transformer-self-attention.svg'), tfPictures.encoder!);

  // BLEU by source length, plain vs attention, on the whole test split (greedy).
  const lengths = held.map((q) => att.pipeline.srcTokens(q.zh).length);
  const refs = held.map((q) => q.en);
  const hypA = evaluateBleu(att.model, att.pipeline, held, { method: 'greedy' }).hypotheses;
  const hypP = evaluateBleu(pl.model, pl.pipeline, held, { method: 'greedy' }).hypotheses;
  const hypT = evaluateBleu(tf.model, tf.pipeline, held, { method: 'greedy' }).hypotheses;
  const bA = bleuByLength(lengths, hypA, refs);
  const bP = bleuByLength(lengths, hypP, refs);
  const bT = bleuByLength(lengths, hypT, refs);
  // Bucket names only: longer labels get cut off under the bars; the counts are in report.md.
  const cats = bA.map((b) => b.label);
  writeFileSync(join(runDir, 'bleu-by-length.svg'), barChartSvg(cats, [
    { name: 'plain', values: bP.map((b) => b.bleu) },
    { name: 'attention', values: bA.map((b) => b.bleu) },
    { name: 'transformer', values: bT.map((b) => b.bleu) },
  ], { title: 'BLEU by source length (test, greedy)', xLabel: 'source length in characters', yLabel: 'BLEU', showValues: true, yDomain: [0, 100] }));

  const report = [
    '# Chinese→English on the embedded corpus: plain vs attention vs Transformer',
    '',
    `Backend: ${backend}. Corpus: ${data.nPairs} generated pairs (${corpus.train.length} train / ${corpus.valid.length} valid / ${corpus.test.length} test).`,
    '',
    '| model | parameters | epochs | train time (s) | tokens/s | best valid BLEU (greedy, 200 sent.) | test greedy | test beam5 |',
    '|---|---|---|---|---|---|---|---|',
    ...[['attention (Bahdanau)', attention], ['plain', plain], ['Transformer', transformer]].map(([n, s]) => {
      const r = (s as TrainSummary).results;
      const t = s as TrainSummary;
      return `| ${n} | ${t.parameters} | ${t.epochs} | ${t.trainSeconds.toFixed(0)} | ${t.tokensPerSecond.toFixed(0)} | ${fmt(t.bestValidBleu)} | ${fmt(r.test.greedy?.bleu)} | ${fmt(r.test.beam5?.bleu)} |`;
    }),
    '',
    '## BLEU by source length (test, greedy)',
    '',
    '![BLEU by source length](bleu-by-length.svg)',
    '',
    '| source length | sentences | plain | attention | Transformer |',
    '|---|---|---|---|---|',
    ...bA.map((b, i) => `| ${b.label} | ${b.n} | ${fmt(bP[i].bleu)} | ${fmt(b.bleu)} | ${fmt(bT[i].bleu)} |`),
    '',
    '## Attention and beam search',
    '',
    `Sentence: ${show.zh} → ${att.pipeline.decodeTgt(best.tokens)}`,
    '',
    '![attention](attention.svg)',
    '',
    '![beam tree](beam-tree.svg)',
    '',
    '## The Transformer\'s attention',
    '',
    `Sentence: ${show.zh} → ${tf.pipeline.decodeTgt(tfBest.tokens)}`,
    '',
    'Cross-attention (output over source) per decoder layer (rows) and head (columns; the first is their mean):',
    '',
    '![Transformer cross-attention](transformer-cross-attention.svg)',
    '',
    'Encoder self-attention: each source character attending to the characters of its sentence:',
    '',
    '![Transformer encoder self-attention](transformer-self-attention.svg)',
    '',
    `BLEU signature: ${attention.bleuSignature}`,
    '',
  ].join('\n');
  writeFileSync(join(runDir, 'report.md'), report);
  log('== BLEU by source length (test, greedy) ==');
  log(`length      n   plain  attention  transformer`);
  bA.forEach((b, i) => log(`${b.label.padEnd(8)} ${String(b.n).padStart(4)} ${fmt(bP[i].bleu).padStart(7)} ${fmt(b.bleu).padStart(10)} ${fmt(bT[i].bleu).padStart(12)}`));
  log(`\ntotal time ${((performance.now() - t0) / 60000).toFixed(1)} min; load average at the end: ${load()}`);
  log(`run folder: ${runDir}`);
  log(`  report.md, bleu-by-length.svg, attention.svg, attention.png, beam-tree.svg, transformer-cross-attention.svg, transformer-self-attention.svg; models in attention/, plain/ and transformer/`);
  log(`  try: attentive translate --run ${join(runDir, 'attention')} --show-attention "${show.zh}"`);
  log(`       attentive translate --run ${join(runDir, 'transformer')} --attention-out transformer.svg "${show.zh}"`);
  return { runDir, attention, plain, transformer };
}

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('main job: train attention, plain and Transformer translation models on the embedded corpus, compare them, write pictures and a report')
    .option('--epochs <n>', 'epochs of each model (default: 4 for the LSTMs and 3 for the Transformer natively, 40 on the TypeScript backend)', intOption('--epochs', { min: 1 }))
    .option('--minutes <m>', 'time cap of the attention model and of the Transformer; the plain model gets half (default 12 native, 2 TypeScript backend)', numberOption('--minutes', { above: 0 }))
    .option('--out <dir>', 'run folder (default runs/start-<timestamp>)', outputFolderOption('--out'))
    .option('--quick', 'a tiny corpus and models: the whole job in seconds, as the tests run it (its BLEU means nothing)')
    .action(async (f: { minutes?: number; epochs?: number; out?: string; quick?: boolean }) => {
      await runStart({ minutes: f.minutes, epochs: f.epochs, out: f.out, quick: f.quick });
    });
}
