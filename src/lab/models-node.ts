/**
 * The lab's one door to the models: which run folders exist and what they hold, translating with
 * a translation run, the recipes the Train view can start, and the data the Look-inside view
 * plots. Everything else in src/lab speaks only the JSON shapes declared here, so a new kind of
 * model (a Transformer, a captioner) reaches the page by changing this file alone.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import '../autograd/index.js';
import { beamTreeNodes } from '../models/translation/pictures.js';
import { runExperiment } from '../cli/experiment.js';
import { runPretrainCommand } from '../cli/pretrain.js';
import type { TranslationModel } from '../models/translation/model.js';
import { loadRun, RUN_FILES } from '../models/translation/run-node.js';
import { SEARCH_METHODS, translateIds, type SearchMethod } from '../models/translation/search.js';
import type { TextPipeline } from '../text/text-pipeline.js';
import { trainTranslation } from '../models/translation/train-node.js';
import { Generator } from '../tensor/rng.js';
import { generateScenes } from '../data/digit-scenes-node.js';
import { formatCells, SCENE_PIXELS, SCENE_SIDE, type DigitScene } from '../data/digit-scenes.js';
import { grayToRgba, toSceneImage } from '../data/scene-image.js';
import { CAPTION_SEARCHES, captionImages, type CaptionSearch } from '../models/caption/search.js';
import { loadCaptionRun, trainCaption } from '../models/caption/train-node.js';
import { trainText2Image } from '../models/text2image/train-node.js';
import type { CaptionModel } from '../models/caption/model.js';
import type { Vocab } from '../text/vocab.js';
import { prepareCaption } from '../models/text2image/captions.js';
import { drawCaptions } from '../models/text2image/evaluate.js';
import { loadText2ImageRun, type Text2ImageRun } from '../models/text2image/run-node.js';
import { Tensor } from '../tensor/tensor.js';
import { attentionOverlay } from '../viz/attention-overlay.js';
import { decodePng, encodePng } from '../viz/png-node.js';
import type {
  AttentionMap, CaptionRequest, CaptionResponse, DrawRequest, DrawResponse, SceneInfo, InsideData, JobEvent, Recipe, RunInfo, RunKind, TranslateRequest, TranslateResponse, TranslationOut,
} from './api.js';

export type { AttentionMap, CaptionRequest, CaptionResponse, DrawRequest, DrawResponse, SceneInfo, InsideData, JobEvent, Recipe, RecipeParam, RunInfo, RunKind, TranslateRequest, TranslateResponse, TranslationOut } from './api.js';

function readJson(path: string): any {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

const EXPERIMENT_KINDS: RunKind[] = ['vanishing', 'overfitting', 'pretraining', 'data-size'];

/** Describes the run folder `dir` (named `name`), or null when it is not a run folder. */
export function describeRun(dir: string, name: string): RunInfo | null {
  let st;
  try {
    st = statSync(dir);
  } catch {
    return null;
  }
  if (!st.isDirectory()) return null;
  // A run being written can lose a file between the listing and the stat: skip it.
  const isFile = (f: string) => {
    try {
      return statSync(join(dir, f)).isFile();
    } catch {
      return false;
    }
  };
  const files = readdirSync(dir).filter((f) => !f.startsWith('.') && isFile(f)).sort();
  const base = { name, modified: st.mtimeMs, files };
  const config = files.includes(RUN_FILES.config) ? readJson(join(dir, RUN_FILES.config)) : null;
  if (config?.type === 'attentive-translate-run') {
    const m = config.model ?? {};
    const summary = files.includes(RUN_FILES.summary) ? readJson(join(dir, RUN_FILES.summary)) : null;
    const kind = m.kind ?? m.model;
    const model = kind === 'attention' ? `attention (${m.attention ?? 'bahdanau'})` : String(kind ?? 'unknown');
    const bleu = summary && Number.isFinite(summary.bestValidBleu) && summary.bestValidBleu >= 0 ? `, valid BLEU ${summary.bestValidBleu.toFixed(1)}` : '';
    return {
      ...base, kind: 'translation', title: `${model}, ${config.data?.kind ?? '?'} data${bleu}`,
      ready: files.includes(RUN_FILES.weights), srcTokenizer: config.text?.srcTokenizer,
    };
  }
  if (config?.type === 'attentive-caption-run') return { ...base, kind: 'caption', title: 'captioning', ready: files.includes(RUN_FILES.weights) };
  if (config?.type === 'attentive-text2image-run') return { ...base, kind: 'text2image', title: 'text to image', ready: files.includes(RUN_FILES.weights) };
  if (files.includes('filters.png') && config && Array.isArray(config.layers)) {
    return { ...base, kind: 'pretrain', title: `pretraining (${config.method ?? '?'}), layers ${config.layers.join('-')}`, ready: true };
  }
  if (files.includes('results.json') && files.includes('report.md')) {
    const kind = EXPERIMENT_KINDS.find((k) => name === k || name.startsWith(`${k}-`));
    if (kind) return { ...base, kind, title: `experiment: ${kind}`, ready: true };
  }
  return null;
}

/**
 * Separates a group folder from a run inside it in a run's name: `attentive start` writes its models
 * as `runs/start-<stamp>/{attention,plain,transformer}`, which the lab names `start-<stamp>~attention`
 * (a name stays one URL path segment).
 */
export const RUN_GROUP_SEP = '~';

/** The folder of the run `name` (`group~run` for a run inside a group folder) under `runsDir`. */
export function runPath(runsDir: string, name: string): string {
  return join(runsDir, ...name.split(RUN_GROUP_SEP));
}

/** Every run folder directly inside `runsDir`, or one level down in a folder that is not a run itself, newest first. */
export function listRuns(runsDir: string): RunInfo[] {
  if (!existsSync(runsDir)) return [];
  const out: RunInfo[] = [];
  for (const name of readdirSync(runsDir)) {
    if (name.startsWith('.') || name.includes(RUN_GROUP_SEP)) continue;
    const info = describeRun(join(runsDir, name), name);
    if (info) {
      out.push(info);
      continue;
    }
    let children: string[] = [];
    try {
      if (statSync(join(runsDir, name)).isDirectory()) children = readdirSync(join(runsDir, name));
    } catch {
      continue; // removed while listing
    }
    for (const child of children) {
      if (child.startsWith('.') || child.includes(RUN_GROUP_SEP)) continue;
      const nested = describeRun(join(runsDir, name, child), `${name}${RUN_GROUP_SEP}${child}`);
      if (nested) out.push(nested);
    }
  }
  return out.sort((a, b) => b.modified - a.modified || a.name.localeCompare(b.name));
}

// ---------------------------------------------------------------------------------------------
// Translation

/** A 400-class problem with the request; the server answers it with `status`. */
export class RequestError extends Error {
  constructor(message: string, readonly status = 400) {
    super(message);
  }
}

const MAX_TEXT = 300;

function intIn(body: Record<string, unknown>, key: string, lo: number, hi: number, dflt: number): number {
  const v = body[key];
  if (v === undefined || v === null || v === '') return dflt;
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < lo || n > hi) throw new RequestError(`${key} must be an integer from ${lo} to ${hi}, got ${JSON.stringify(v)}`);
  return n;
}

function numIn(body: Record<string, unknown>, key: string, lo: number, hi: number, dflt: number | undefined, openLo = false): number | undefined {
  const v = body[key];
  if (v === undefined || v === null || v === '') return dflt;
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < lo || n > hi || (openLo && n === lo)) {
    throw new RequestError(`${key} must be a number ${openLo ? 'above' : 'from'} ${lo} ${openLo ? 'and at most' : 'to'} ${hi}, got ${JSON.stringify(v)}`);
  }
  return n;
}

/** Checks the JSON body of POST /api/translate. */
export function parseTranslateRequest(body: unknown): TranslateRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new RequestError('translate: the body must be a JSON object');
  const b = body as Record<string, unknown>;
  if (typeof b.run !== 'string' || b.run === '') throw new RequestError('translate: "run" (a run folder name) is required');
  if (typeof b.text !== 'string' || b.text.trim() === '') throw new RequestError('translate: "text" must be a non-empty string');
  if (b.text.length > MAX_TEXT) throw new RequestError(`translate: "text" is ${b.text.length} characters; at most ${MAX_TEXT}`);
  const method = (b.method ?? 'beam') as SearchMethod;
  if (!SEARCH_METHODS.includes(method)) throw new RequestError(`translate: method must be one of ${SEARCH_METHODS.join(', ')}, got ${JSON.stringify(b.method)}`);
  const beamSize = intIn(b, 'beamSize', 1, 20, 5);
  const nBest = intIn(b, 'nBest', 1, method === 'beam' ? beamSize : 10, 1);
  return {
    run: b.run, text: b.text.trim(), method, beamSize, nBest,
    lengthPenalty: numIn(b, 'lengthPenalty', -5, 5, 1)!,
    temperature: numIn(b, 'temperature', 0, 10, 1, true)!,
    topK: b.topK === undefined || b.topK === null || b.topK === '' || b.topK === 0 ? undefined : intIn(b, 'topK', 1, 100000, 0),
    topP: numIn(b, 'topP', 0, 1, undefined, true),
    seed: intIn(b, 'seed', 0, 2 ** 31 - 1, 0),
  };
}

interface Loaded {
  model: TranslationModel;
  pipeline: TextPipeline;
}
/** Loaded runs of every kind, by folder; the four most recently used are kept. */
const loadedRuns = new Map<string, { value: unknown; stamp: number }>();

/** Loads the run in `dir` with `load`, kept in memory until its model file changes. */
async function openCached<T>(dir: string, load: () => Promise<T>): Promise<T> {
  const weights = join(dir, RUN_FILES.weights);
  const stamp = existsSync(weights) ? statSync(weights).mtimeMs : -1;
  const hit = loadedRuns.get(dir);
  if (hit && hit.stamp === stamp) return hit.value as T;
  const value = await load();
  loadedRuns.delete(dir);
  loadedRuns.set(dir, { value, stamp });
  while (loadedRuns.size > 4) loadedRuns.delete(loadedRuns.keys().next().value!);
  return value;
}

/** Loads a translation run (kept in memory until its model file changes). */
function openRun(dir: string): Promise<Loaded> {
  return openCached(dir, async () => {
    const { model, pipeline } = await loadRun(dir);
    return { model, pipeline };
  });
}

/** Translates one sentence with the run in `dir`. */
export async function translateWithRun(dir: string, req: TranslateRequest): Promise<TranslateResponse> {
  const info = describeRun(dir, req.run);
  if (!info || info.kind !== 'translation') throw new RequestError(`translate: '${req.run}' is not a translation run`, 404);
  if (!info.ready) throw new RequestError(`translate: run '${req.run}' has not saved a model yet`, 409);
  const { model, pipeline } = await openRun(dir);
  const warnings: string[] = [];
  let { ids, tokens } = pipeline.encodeSrc(req.text);
  const unknown = [...new Set(tokens.filter((t) => !pipeline.srcVocab.has(t)))];
  if (unknown.length > 0) warnings.push(`outside the vocabulary (read as <unk>): ${unknown.join(' ')}`);
  if (ids.length === 0) throw new RequestError('translate: the text has no tokens');
  if (ids.length > 100) {
    warnings.push(`${ids.length} tokens, truncated to 100`);
    ids = ids.slice(0, 100);
    tokens = tokens.slice(0, 100);
  }
  const gen = new Generator(req.seed);
  const [r] = translateIds(model, [ids], {
    method: req.method, beamSize: req.beamSize, nBest: req.nBest, lengthPenalty: req.lengthPenalty,
    temperature: req.temperature, topK: req.topK, topP: req.topP, rng: () => gen.random(),
    recordTree: req.method === 'beam',
    // The page waits on this request: a smaller budget than the CLI's keeps exact search to seconds.
    nodeBudget: 5000,
  });
  if (r.exact === false) warnings.push('exact search ran out of its node budget: the result may not be the most probable sentence');
  const translations = r.nBest.map((h): TranslationOut => {
    const outTokens = pipeline.tgtTokenStrings(h.tokens);
    // Every map the model draws (one for the LSTM attention; per layer and head, and their means, for the Transformer).
    const labels = { target: [...outTokens, ...(h.finished ? ['</s>'] : [])], source: tokens };
    return {
      text: pipeline.decodeTgt(h.tokens), tokens: outTokens, logProb: h.logProb, score: h.score, finished: h.finished,
      attention: model.attentionMaps(ids, h.tokens, h.finished).map((m) => ({ name: m.name, rowsAre: m.rows, rows: labels[m.rows], cols: labels[m.cols], weights: m.weights })),
    };
  });
  const c = model.config;
  return {
    run: req.run, model: modelLabel(c),
    source: { text: req.text, tokens, unknown }, method: req.method, translations,
    beamTree: r.tree ? beamTreeNodes(r.tree, pipeline) : null, exact: r.exact, warnings,
  };
}

/** 'attention (bahdanau)', 'plain', 'transformer': the kind, and the attention for the LSTM kind with attention. */
function modelLabel(c: TranslationModel['config']): string {
  const attention = (c as { attention?: string }).attention;
  return c.kind === 'attention' && attention ? `attention (${attention})` : c.kind;
}

// ---------------------------------------------------------------------------------------------
// Recipes (run in a child process by worker-node.ts)

export const RECIPES: Recipe[] = [
  {
    id: 'translate-embedded', prefix: 'translate', title: 'Translation on the embedded corpus',
    description: 'An LSTM encoder-decoder on the seeded Chinese→English grammar corpus (generated on the spot). A small model learns it in minutes.',
    params: [
      { key: 'model', label: 'Model', type: 'choice', default: 'attention', choices: ['attention', 'plain'] },
      { key: 'attention', label: 'Attention', type: 'choice', default: 'bahdanau', choices: ['bahdanau', 'luong-dot', 'luong-general'] },
      { key: 'pairs', label: 'Sentence pairs', type: 'int', default: 4000, min: 40, max: 100000 },
      { key: 'hidden', label: 'Hidden size', type: 'int', default: 64, min: 2, max: 1024 },
      { key: 'epochs', label: 'Epochs', type: 'int', default: 5, min: 1, max: 100 },
      { key: 'batchSize', label: 'Batch size', type: 'int', default: 64, min: 1, max: 1024 },
      { key: 'lr', label: 'Learning rate', type: 'number', default: 0.002, min: 1e-6, max: 1 },
      { key: 'maxMinutes', label: 'Time budget (minutes)', type: 'number', default: 10, min: 0.01, max: 600 },
      { key: 'seed', label: 'Seed', type: 'int', default: 1, min: 0, max: 2 ** 31 - 1 },
    ],
  },
  {
    id: 'translate-tatoeba', prefix: 'tatoeba', title: 'A short Tatoeba run',
    description: 'Real sentences: put the Tatoeba cmn.txt (tab-separated English, Chinese) into the runs folder and name it here.',
    params: [
      { key: 'file', label: 'Tatoeba file in the runs folder', type: 'file', default: 'cmn.txt' },
      { key: 'model', label: 'Model', type: 'choice', default: 'attention', choices: ['attention', 'plain'] },
      { key: 'hidden', label: 'Hidden size', type: 'int', default: 256, min: 2, max: 1024 },
      { key: 'epochs', label: 'Epochs', type: 'int', default: 30, min: 1, max: 100 },
      { key: 'maxMinutes', label: 'Time budget (minutes)', type: 'number', default: 5, min: 0.01, max: 600 },
      { key: 'seed', label: 'Seed', type: 'int', default: 1, min: 0, max: 2 ** 31 - 1 },
    ],
  },
  {
    id: 'pretrain', prefix: 'pretrain', title: 'RBM pretraining on MNIST',
    description: 'Greedy layer-wise pretraining of a stack of RBMs, then fine-tuning; writes the first layer’s filters and Gibbs samples.',
    params: [
      { key: 'method', label: 'Method', type: 'choice', default: 'rbm', choices: ['rbm', 'ae', 'dae'] },
      { key: 'hidden', label: 'Hidden units per layer', type: 'int', default: 100, min: 4, max: 1000 },
      { key: 'epochs', label: 'Epochs per layer', type: 'int', default: 2, min: 1, max: 50 },
      { key: 'trainSize', label: 'Training digits', type: 'int', default: 2000, min: 100, max: 8000 },
      { key: 'seed', label: 'Seed', type: 'int', default: 0, min: 0, max: 2 ** 31 - 1 },
    ],
  },
  {
    id: 'caption-quick', prefix: 'caption', title: 'Captioning, quick',
    description: 'Show, Attend and Tell (or Show and Tell) on fresh digit scenes: a small convolutional encoder and an LSTM that describes where each digit is. A few minutes give captions that the Caption / draw view can show with their attention.',
    params: [
      { key: 'model', label: 'Model', type: 'choice', default: 'attention', choices: ['attention', 'show-tell'] },
      { key: 'hidden', label: 'LSTM size', type: 'int', default: 64, min: 8, max: 512 },
      { key: 'epochs', label: 'Epochs (100 batches of 64 scenes)', type: 'int', default: 3, min: 1, max: 100 },
      { key: 'maxMinutes', label: 'Time budget (minutes)', type: 'number', default: 5, min: 0.01, max: 600 },
      { key: 'seed', label: 'Seed', type: 'int', default: 0, min: 0, max: 2 ** 31 - 1 },
    ],
  },
  {
    id: 'text2image-quick', prefix: 'text2image', title: 'Text to image, quick',
    description: 'A caption LSTM that draws the digit scene it describes, judged by a digit classifier trained first. A few minutes draw recognisable digits in the right cells.',
    params: [
      { key: 'maxMinutes', label: 'Time budget (minutes)', type: 'number', default: 4, min: 0.01, max: 600 },
      { key: 'seed', label: 'Seed', type: 'int', default: 1, min: 0, max: 2 ** 31 - 1 },
    ],
  },
  ...(['vanishing', 'overfitting', 'pretraining', 'data-size'] as const).map((name): Recipe => ({
    id: `experiment-${name}`, prefix: name, title: `Experiment: ${name}`,
    description: {
      vanishing: 'A deep MLP on MNIST trained five ways (sigmoid, tanh, ReLU, pretraining, Adam) with per-layer gradient norms recorded.',
      overfitting: 'An MLP on 1,000 digits without a remedy and with dropout, L1, L2, early stopping and input noise.',
      pretraining: 'Fine-tuning from RBM pretraining against random initialisation, over several seeds.',
      'data-size': 'Test accuracy as the training set grows.',
    }[name],
    params: [
      { key: 'size', label: 'Size', type: 'choice', default: 'quick', choices: ['quick', 'full'], help: 'quick: seconds to a minute; full: the measured version (minutes)' },
      { key: 'seed', label: 'Seed', type: 'int', default: 0, min: 0, max: 2 ** 31 - 1 },
    ],
  })),
];

/** Checks a recipe's settings; unknown keys and out-of-range values are errors. */
export function parseRecipeParams(recipe: Recipe, raw: unknown): Record<string, number | string> {
  const body = raw === undefined || raw === null ? {} : raw;
  if (typeof body !== 'object' || Array.isArray(body)) throw new RequestError('train: "params" must be a JSON object');
  const b = body as Record<string, unknown>;
  const known = new Set(recipe.params.map((p) => p.key));
  const extra = Object.keys(b).filter((k) => !known.has(k));
  if (extra.length > 0) throw new RequestError(`train: recipe '${recipe.id}' has no setting ${extra.map((k) => JSON.stringify(k)).join(', ')} (settings: ${[...known].join(', ')})`);
  const out: Record<string, number | string> = {};
  for (const p of recipe.params) {
    const v = b[p.key];
    if (p.type === 'int') out[p.key] = intIn(b, p.key, p.min ?? -Infinity, p.max ?? Infinity, p.default as number);
    else if (p.type === 'number') out[p.key] = numIn(b, p.key, p.min ?? -Infinity, p.max ?? Infinity, p.default as number)!;
    else if (p.type === 'choice') {
      const s = v === undefined ? p.default : v;
      if (typeof s !== 'string' || !p.choices!.includes(s)) throw new RequestError(`${p.key} must be one of ${p.choices!.join(', ')}, got ${JSON.stringify(v)}`);
      out[p.key] = s;
    } else {
      const s = v === undefined ? p.default : v;
      if (typeof s !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(s)) throw new RequestError(`${p.key} must be a file name inside the runs folder (letters, digits, . _ -), got ${JSON.stringify(v)}`);
      out[p.key] = s;
    }
  }
  return out;
}

/**
 * Runs a recipe into the run folder `runDir`, reporting as it goes. Translation progress comes
 * from the trainer's progress lines and its metrics.jsonl (one record per epoch).
 */
export async function runRecipe(recipeId: string, params: Record<string, number | string>, runDir: string, runsDir: string, report: (e: JobEvent) => void): Promise<void> {
  const recipe = RECIPES.find((r) => r.id === recipeId);
  if (!recipe) throw new Error(`unknown recipe '${recipeId}'`);
  const log = (line: string) => report({ type: 'log', line });
  if (recipe.id.startsWith('translate-')) {
    const epochs = params.epochs as number;
    const maxMinutes = params.maxMinutes as number;
    const t0 = Date.now();
    const lineRe = /^epoch (\d+) step (\d+)\/(\d+) loss ([\d.eE+-]+|NaN) .* lr ([\d.eE+-]+)/;
    const epochRe = /^epoch (\d+)( \(partial\))?: train loss/;
    const data = recipe.id === 'translate-embedded'
      ? { kind: 'embedded' as const, nPairs: params.pairs as number, seed: 1 }
      : { kind: 'tatoeba' as const, path: join(runsDir, params.file as string) };
    const summary = await trainTranslation({
      data,
      model: {
        model: params.model as 'attention' | 'plain', attention: (params.attention ?? 'bahdanau') as 'bahdanau',
        hiddenSize: params.hidden as number, srcEmbSize: Math.min(256, params.hidden as number), tgtEmbSize: Math.min(256, params.hidden as number),
      },
      epochs, maxMinutes, batchSize: (params.batchSize as number | undefined) ?? 64, lr: (params.lr as number | undefined) ?? 2e-3,
      seed: params.seed as number, out: runDir, progress: false, validBleuSentences: 200, finalEvalSentences: 200, finalEvalSplits: ['test'],
      log: (line) => {
        log(line);
        const m = lineRe.exec(line);
        if (m) {
          const epoch = Number(m[1]);
          const byEpochs = (epoch - 1 + Number(m[2]) / Number(m[3])) / epochs;
          const byTime = (Date.now() - t0) / (maxMinutes * 60_000);
          report({ type: 'progress', fraction: Math.min(1, Math.max(byEpochs, byTime)), epoch, step: Number(m[2]), stepsPerEpoch: Number(m[3]), loss: Number(m[4]), lr: Number(m[5]) });
        } else if (epochRe.test(line)) {
          const lines = readFileSync(join(runDir, RUN_FILES.metrics), 'utf8').trim().split('\n');
          const r = JSON.parse(lines[lines.length - 1]!);
          report({
            type: 'epoch', epoch: r.epoch, step: r.step, trainLoss: r.trainLoss, validLoss: r.validLoss,
            validBleu: Number.isFinite(r.validBleuGreedy) ? r.validBleuGreedy : null, lr: r.lr,
          });
        }
      },
    });
    report({ type: 'done', summary: summary as unknown as Record<string, unknown> });
    return;
  }
  if (recipe.id === 'caption-quick') {
    const summary = await trainCaption({
      model: params.model as 'attention' | 'show-tell', modelConfig: { hiddenSize: params.hidden as number }, out: runDir,
      epochs: params.epochs as number, maxMinutes: params.maxMinutes as number, seed: params.seed as number, testScenes: 300, progress: false, log,
    });
    report({ type: 'done', summary: summary as unknown as Record<string, unknown> });
    return;
  }
  if (recipe.id === 'text2image-quick') {
    const summary = await trainText2Image({ out: runDir, maxMinutes: params.maxMinutes as number, seed: params.seed as number, testScenes: 300, log });
    report({ type: 'done', summary: summary as unknown as Record<string, unknown> });
    return;
  }
  if (recipe.id === 'pretrain') {
    const h = params.hidden as number;
    const r = await runPretrainCommand({
      layers: [784, h, h], method: params.method as 'rbm', epochs: params.epochs as number, finetuneEpochs: 2, trainSize: params.trainSize as number,
      finetuneLr: 0.1, k: 1, persistent: false, seed: params.seed as number, out: runDir, progress: false, log,
    });
    report({ type: 'done', summary: { testAccuracy: r.testAccuracy } });
    return;
  }
  const name = recipe.id.slice('experiment-'.length);
  const r = runExperiment(name, { quick: params.size === 'quick', seed: params.seed as number, out: runDir, progress: false, log });
  report({ type: 'done', summary: { seconds: r.seconds, rows: r.rows } });
}

// ---------------------------------------------------------------------------------------------
// Caption and draw

/** Test-split scenes the Caption view offers (seed 0 of the scene generator: the same for everyone). */
export const LAB_SCENES = 12;
let scenes: DigitScene[] | null = null;
function labScenes(): DigitScene[] {
  scenes ??= generateScenes({ split: 'test', n: LAB_SCENES, seed: 0 });
  return scenes;
}

function pngDataUrl(gray: ArrayLike<number>): string {
  return `data:image/png;base64,${encodePng(grayToRgba(gray, SCENE_SIDE, SCENE_SIDE)).toString('base64')}`;
}

/** GET /api/scenes: the scenes with their true captions. */
export function sceneList(): SceneInfo[] {
  return labScenes().map((s, index) => ({ index, caption: s.caption, png: pngDataUrl(s.image) }));
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Checks the JSON body of POST /api/caption. */
export function parseCaptionRequest(body: unknown): CaptionRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new RequestError('caption: the body must be a JSON object');
  const b = body as Record<string, unknown>;
  if (typeof b.run !== 'string' || b.run === '') throw new RequestError('caption: "run" (a run folder name) is required');
  const hasScene = b.scene !== undefined && b.scene !== null;
  const hasPng = b.png !== undefined && b.png !== null;
  if (hasScene === hasPng) throw new RequestError('caption: give either "scene" (an index from /api/scenes) or "png" (a PNG file, base64)');
  if (hasPng && (typeof b.png !== 'string' || b.png === '')) throw new RequestError('caption: "png" must be a base64 string or a data URL');
  const search = (b.search ?? 'greedy') as CaptionSearch;
  if (!CAPTION_SEARCHES.includes(search)) throw new RequestError(`caption: search must be one of ${CAPTION_SEARCHES.join(', ')}, got ${JSON.stringify(b.search)}`);
  return {
    run: b.run, search, beamSize: intIn(b, 'beamSize', 1, 20, 5),
    ...(hasScene ? { scene: intIn(b, 'scene', 0, LAB_SCENES - 1, 0) } : { png: b.png as string }),
  };
}

/** An uploaded PNG as an 84×84 scene, with the conversions it needed; bad bytes are a 400 naming the problem. */
function uploadedScene(png: string): { image: Float32Array; conversions: string[] } {
  const b64 = png.replace(/^data:[^,]*;base64,/, '');
  if (!/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(b64)) throw new RequestError('caption: "png" is not base64');
  const bytes = Buffer.from(b64, 'base64');
  if (bytes.length < 8 || PNG_SIGNATURE.some((v, i) => bytes[i] !== v)) throw new RequestError('caption: the upload is not a PNG file (it does not start with the PNG signature)', 415);
  let decoded;
  try {
    decoded = decodePng(bytes);
  } catch (e) {
    throw new RequestError(`caption: the upload is a damaged PNG: ${(e as Error).message}`);
  }
  const r = toSceneImage(decoded);
  return { image: r.image, conversions: r.conversions };
}

interface LoadedCaption { model: CaptionModel; vocab: Vocab }
interface LoadedDraw { run: Text2ImageRun }

/** Captions a scene or an uploaded PNG with the captioning run in `dir`. */
export async function captionWithRun(dir: string, req: CaptionRequest): Promise<CaptionResponse> {
  const info = describeRun(dir, req.run);
  if (!info || info.kind !== 'caption') throw new RequestError(`caption: '${req.run}' is not a captioning run`, 404);
  if (!info.ready) throw new RequestError(`caption: run '${req.run}' has not saved a model yet`, 409);
  const warnings: string[] = [];
  let image: Float32Array;
  let reference: string | null = null;
  if (req.png !== undefined) {
    const up = uploadedScene(req.png);
    image = up.image;
    if (up.conversions.length > 0) warnings.push(`the upload was converted: ${up.conversions.join('; ')}`);
  } else {
    const s = labScenes()[req.scene!];
    image = s.image;
    reference = s.caption;
  }
  const { model, vocab } = await openCached<LoadedCaption>(dir, () => loadCaptionRun(dir));
  const [c] = captionImages(model, vocab, new Tensor(Float32Array.from(image), [1, 1, SCENE_SIDE, SCENE_SIDE]), { method: req.search, beamSize: req.beamSize });
  if (!c.finished) warnings.push('the caption reached the length limit without ending');
  if (c.exact === false) warnings.push('exact search ran out of its node budget: the caption may not be the most probable one');
  const overlay = c.attention && c.words.length > 0
    ? `data:image/png;base64,${encodePng(attentionOverlay(image, SCENE_SIDE, c.words, c.attention, { cols: 6 })).toString('base64')}`
    : null;
  return {
    run: req.run, model: model.config.model === 'attention' ? 'Show, Attend and Tell (soft attention)' : 'Show and Tell (no attention)',
    caption: c.caption, words: c.words, logProb: c.logProb, finished: c.finished, attention: c.attention,
    image: pngDataUrl(image), overlay, reference, warnings,
  };
}

/** Checks the JSON body of POST /api/draw. */
export function parseDrawRequest(body: unknown): DrawRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new RequestError('draw: the body must be a JSON object');
  const b = body as Record<string, unknown>;
  if (typeof b.run !== 'string' || b.run === '') throw new RequestError('draw: "run" (a run folder name) is required');
  if (typeof b.caption !== 'string' || b.caption.trim() === '') throw new RequestError('draw: "caption" must be a non-empty string');
  if (b.caption.length > MAX_TEXT) throw new RequestError(`draw: "caption" is ${b.caption.length} characters; at most ${MAX_TEXT}`);
  return { run: b.run, caption: b.caption.trim() };
}

/** Draws a caption with the text → image run in `dir`; a caption the model cannot read is a 400 with the model's reason. */
export async function drawWithLabRun(dir: string, req: DrawRequest): Promise<DrawResponse> {
  const info = describeRun(dir, req.run);
  if (!info || info.kind !== 'text2image') throw new RequestError(`draw: '${req.run}' is not a text-to-image run`, 404);
  if (!info.ready) throw new RequestError(`draw: run '${req.run}' has not saved a model yet`, 409);
  const { run } = await openCached<LoadedDraw>(dir, async () => ({ run: await loadText2ImageRun(dir) }));
  let parsed;
  try {
    parsed = prepareCaption(req.caption, run.config.vocab, 'draw');
  } catch (e) {
    throw new RequestError((e as Error).message);
  }
  const image = drawCaptions(run.model, [parsed.words], run.config.vocab);
  return { run: req.run, caption: req.caption, cells: formatCells(parsed.cells), image: pngDataUrl(image.subarray(0, SCENE_PIXELS)) };
}

// ---------------------------------------------------------------------------------------------
// Look inside

function jsonLines(path: string): any[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
}

/** Reads what the Look-inside view needs from a run folder. */
export function insideData(dir: string, info: RunInfo): InsideData {
  if (info.kind === 'vanishing') {
    const configs = info.files.filter((f) => /^monitor-.*\.jsonl$/.test(f)).map((f) => {
      const rows = jsonLines(join(dir, f)) as { step: number; index: number; layer: string; gradNorm: number }[];
      const layers = [...new Set(rows.map((r) => r.index))].sort((a, b) => a - b);
      const steps = [...new Set(rows.map((r) => r.step))].sort((a, b) => a - b);
      const at = new Map(rows.map((r) => [`${r.index}/${r.step}`, r.gradNorm]));
      return {
        name: f.slice('monitor-'.length, -'.jsonl'.length),
        layers: layers.map((i) => rows.find((r) => r.index === i)!.layer),
        steps,
        gradNorm: layers.map((i) => steps.map((s) => at.get(`${i}/${s}`) ?? NaN)),
      };
    });
    // The experiment's own order and names ('sigmoid+sgd'), whose file names have '-' for '+'.
    const rows = (readJson(join(dir, 'results.json')) ?? []) as { config?: string }[];
    const names = rows.map((r) => String(r.config ?? ''));
    const fileName = (n: string) => n.replace(/\+/g, '-');
    for (const c of configs) c.name = names.find((n) => fileName(n) === c.name) ?? c.name;
    const rank = (n: string) => (names.includes(n) ? names.indexOf(n) : names.length);
    configs.sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
    return { kind: 'vanishing', configs, rows };
  }
  if (info.kind === 'overfitting') {
    const rows = jsonLines(join(dir, 'curves.jsonl'));
    const names = [...new Set(rows.map((r) => r.config as string))];
    return {
      kind: 'overfitting', rows: readJson(join(dir, 'results.json')) ?? [],
      curves: names.map((config) => {
        const h = rows.filter((r) => r.config === config);
        return {
          config, epoch: h.map((r) => r.epoch), trainAccuracy: h.map((r) => r.trainAccuracy), testAccuracy: h.map((r) => r.testAccuracy),
          trainLoss: h.map((r) => r.trainLoss), validLoss: h.map((r) => (Number.isFinite(r.validLoss) ? r.validLoss : null)),
        };
      }),
    };
  }
  if (info.kind === 'pretrain') {
    return {
      kind: 'pretrain', metrics: jsonLines(join(dir, 'metrics.jsonl')),
      images: [['filters', 'filters.png'], ['Gibbs samples', 'samples.png']].filter(([, f]) => info.files.includes(f)).map(([name, file]) => ({ name, file })),
    };
  }
  if (info.kind === 'translation') {
    return { kind: 'translation', metrics: jsonLines(join(dir, RUN_FILES.metrics)), summary: readJson(join(dir, RUN_FILES.summary)) };
  }
  return { kind: 'table', rows: readJson(join(dir, 'results.json')) ?? [], pictures: info.files.filter((f) => f.endsWith('.svg')) };
}
