/**
 * Training captioners on digit scenes with the shared loop of train/trainer-node.ts. Training
 * scenes are drawn fresh for every batch (seeded by epoch and batch, so a resumed run sees the
 * same batches) from the training digits; validation and test scenes are fixed sets drawn from
 * their own digits. Run folder: model.safetensors + config.json, metrics.jsonl, last/,
 * summary.json with the test scores (BLEU-4, exact match, scene and attention accuracy).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { getBackend } from '../../backend/registry.js';
import { makeScenes, scenesToTensor, type DigitScene } from '../../data/digit-scenes.js';
import { generateScenes, loadSceneDigits } from '../../data/digit-scenes-node.js';
import { noGrad } from '../../autograd/grad-mode.js';
import type { JsonValue } from '../../io/checkpoint-node.js';
import { loadSafetensors } from '../../io/files-node.js';
import { loadWeightsInto } from '../../io/module-state.js';
import { Adam } from '../../optim/adam.js';
import { LrSchedule } from '../../optim/schedulers.js';
import { manualSeed } from '../../tensor/rng.js';
import { Tensor } from '../../tensor/tensor.js';
import type { Vocab } from '../../text/vocab.js';
import { train, TRAIN_FILES, type Evaluation } from '../../train/trainer-node.js';
import { buildCaptionModel } from './build.js';
import type { CaptionConfig, CaptionModelKind } from './config.js';
import { captionLoss } from './loss.js';
import { captionScores, type CaptionScores } from './metrics.js';
import type { CaptionModel } from './model.js';
import { captionImages, type CaptionSearchOptions } from './search.js';
import { captionBatch, captionVocab, encodeCaption } from './vocab.js';

/** Options of {@link trainCaption}. */
export interface TrainCaptionOptions {
  model: CaptionModelKind;
  /** Model sizes; training defaults: channels [16, 32, 64], BatchNorm on the last block, emb 32, hidden 128, attention 64. */
  modelConfig?: Partial<Omit<CaptionConfig, 'model' | 'vocabSize'>>;
  /** Run folder (default runs/caption-<model>-<time>). */
  out?: string;
  /** Continue the run in this folder from its last/ checkpoint (other options come from its config.json, except epochs, maxMinutes, maxSteps). */
  resume?: string;
  seed?: number;
  /** Seed of the MNIST split into train/valid/test digits (default 0). */
  mnistSeed?: number;
  /** Order in which captions mention digits (default 'reading': then a caption is a function of the picture). */
  order?: 'reading' | 'random';
  batchSize?: number;
  /** Batches of fresh scenes per epoch (default 100). */
  stepsPerEpoch?: number;
  epochs?: number;
  /** Training time budget in minutes (default 10). */
  maxMinutes?: number;
  maxSteps?: number;
  /** Adam learning rate (default 2e-3). */
  lr?: number;
  /**
   * Weight λ of the doubly stochastic regulariser (attention only; default 0). The loss is the mean
   * cross-entropy per word plus λ·Σ_i(1 − Σ_t α_ti)² per caption; with captions of up to 32 words over
   * 9 regions Σ_t α_ti = 1 cannot hold, and the term then pulls every word's attention towards uniform.
   */
  lambda?: number;
  /** Gradient norm cap (default 5). */
  clip?: number;
  /** Validation scenes, decoded greedily after each epoch (default 300). */
  validScenes?: number;
  /** Test scenes for the final scores (default 1000). */
  testScenes?: number;
  /** Beam width of the final beam evaluation (default 5; 0 skips it). */
  beamSize?: number;
  skipFinalEval?: boolean;
  log?: (line: string) => void;
  progress?: boolean;
}

type TrainSettings = Required<Omit<TrainCaptionOptions, 'model' | 'modelConfig' | 'out' | 'resume' | 'log' | 'progress' | 'maxSteps' | 'epochs' | 'maxMinutes'>> & {
  epochs: number | null; maxMinutes: number | null; maxSteps: number | null;
};

/** config.json of a captioning run. */
export interface CaptionRunConfig {
  type: 'attentive-caption-run';
  version: 1;
  model: CaptionConfig;
  vocab: string[];
  train: TrainSettings;
}

/** summary.json of a captioning run. */
export interface CaptionSummary {
  runDir: string;
  backend: string;
  model: CaptionModelKind;
  parameters: number;
  epochs: number;
  steps: number;
  stoppedBy: string;
  trainSeconds: number;
  scenesPerSecond: number;
  bestEpoch: number;
  bestValid: Record<string, number | null>;
  /** Scores on the held-out test scenes, per search. */
  test: Record<string, CaptionScores>;
}

const DEFAULTS: Omit<TrainSettings, 'epochs' | 'maxMinutes' | 'maxSteps'> = {
  seed: 0, mnistSeed: 0, order: 'reading', batchSize: 64, stepsPerEpoch: 100, lr: 2e-3, lambda: 0, clip: 5,
  validScenes: 300, testScenes: 1000, beamSize: 5, skipFinalEval: false,
};
const MODEL_DEFAULTS = { channels: [16, 32, 64], batchNorm: 'last' as const, embSize: 32, hiddenSize: 128, attentionSize: 64 };

/** Reads a captioning run folder: the model with its best weights, in eval mode, and the vocabulary. */
export async function loadCaptionRun(dir: string): Promise<{ model: CaptionModel; vocab: Vocab; config: CaptionRunConfig }> {
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new Error(`loadCaptionRun: no run folder at ${root}`);
  const cfgPath = join(root, TRAIN_FILES.config);
  if (!existsSync(cfgPath)) throw new Error(`loadCaptionRun: ${cfgPath} is missing; is this a run folder written by 'attentive train caption'?`);
  let config: CaptionRunConfig;
  try {
    config = JSON.parse(readFileSync(cfgPath, 'utf8')) as CaptionRunConfig;
  } catch (e) {
    throw new Error(`loadCaptionRun: ${cfgPath} is corrupt (not valid JSON: ${(e as Error).message})`);
  }
  if (config?.type !== 'attentive-caption-run') throw new Error(`loadCaptionRun: ${cfgPath} is not a captioning run config (type ${JSON.stringify(config?.type)})`);
  const vocab = captionVocab();
  if (JSON.stringify(config.vocab) !== JSON.stringify(vocab.tokens)) throw new Error(`loadCaptionRun: the vocabulary in ${cfgPath} is not this version's caption vocabulary`);
  const model = buildCaptionModel(config.model);
  const wPath = join(root, TRAIN_FILES.weights);
  if (!existsSync(wPath)) throw new Error(`loadCaptionRun: ${wPath} is missing (the run has not finished an epoch yet)`);
  loadWeightsInto(model, (await loadSafetensors(wPath)).tensors, wPath);
  model.eval();
  return { model, vocab, config };
}

/** Images, teacher-forcing tokens and references of a set of scenes. */
function sceneBatch(vocab: Vocab, scenes: readonly DigitScene[]): { images: Tensor; tokensIn: Tensor; tokensOut: Tensor; words: number } {
  const ids = scenes.map((s) => encodeCaption(vocab, s.caption));
  const b = captionBatch(ids);
  return {
    images: scenesToTensor(scenes), tokensIn: new Tensor(b.tokensIn, [b.B, b.T]), tokensOut: new Tensor(b.tokensOut, [b.B, b.T]),
    words: ids.reduce((s, c) => s + c.length + 1, 0),
  };
}

/** Captions and scores a set of scenes with one search. */
export function scoreScenes(model: CaptionModel, vocab: Vocab, scenes: readonly DigitScene[], search: CaptionSearchOptions): CaptionScores {
  const hyps = captionImages(model, vocab, scenesToTensor(scenes), search);
  return captionScores(scenes, hyps);
}

function timestamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
}

/** Trains a captioner (see the top of this file); returns the summary also written to summary.json. */
export async function trainCaption(options: TrainCaptionOptions): Promise<CaptionSummary> {
  const log = options.log ?? ((s: string) => console.log(s));
  let runDir: string;
  let cfg: CaptionRunConfig;
  const vocab = captionVocab();
  const budget = (v: number | undefined) => (v === undefined ? undefined : Number.isFinite(v) ? v : null);
  if (options.resume) {
    runDir = resolve(options.resume);
    const cfgPath = join(runDir, 'last', TRAIN_FILES.config);
    if (!existsSync(cfgPath)) throw new Error(`trainCaption: cannot resume ${runDir}: ${cfgPath} is missing`);
    cfg = JSON.parse(readFileSync(cfgPath, 'utf8')) as CaptionRunConfig;
    for (const k of ['epochs', 'maxMinutes', 'maxSteps'] as const) {
      const v = budget(options[k]);
      if (v !== undefined) cfg.train[k] = v;
    }
  } else {
    const t: TrainSettings = { ...DEFAULTS, epochs: null, maxMinutes: 10, maxSteps: null };
    for (const [k, v] of Object.entries(options)) {
      if (v !== undefined && k in t) (t as Record<string, unknown>)[k] = ['epochs', 'maxMinutes', 'maxSteps'].includes(k) ? budget(v as number) : v;
    }
    for (const k of ['batchSize', 'stepsPerEpoch', 'validScenes', 'testScenes'] as const) {
      if (!(Number.isInteger(t[k]) && t[k] > 0)) throw new Error(`trainCaption: ${k} must be a positive integer, got ${t[k]}`);
    }
    if (!(t.lr > 0)) throw new Error(`trainCaption: lr must be positive, got ${t.lr}`);
    if (!(t.lambda >= 0)) throw new Error(`trainCaption: lambda must be >= 0, got ${t.lambda}`);
    if (t.order !== 'reading' && t.order !== 'random') throw new Error(`trainCaption: order must be reading or random, got ${String(t.order)}`);
    manualSeed(t.seed);
    const probe = buildCaptionModel({ ...MODEL_DEFAULTS, ...options.modelConfig, model: options.model, vocabSize: vocab.size });
    cfg = { type: 'attentive-caption-run', version: 1, model: probe.config, vocab: [...vocab.tokens], train: t };
    runDir = resolve(options.out ?? join('runs', `caption-${options.model}-${timestamp()}`));
  }
  const t = cfg.train;
  manualSeed(t.seed);
  const model = buildCaptionModel(cfg.model);
  const trainPool = loadSceneDigits('train', { mnistSeed: t.mnistSeed });
  const valid = generateScenes({ split: 'valid', n: t.validScenes, seed: t.seed, order: t.order, mnistSeed: t.mnistSeed });
  const backend = getBackend().name;
  const lambda = cfg.model.model === 'attention' ? t.lambda : 0;
  log(`caption: ${cfg.model.model} model, ${model.numParameters()} parameters, backend ${backend}; batches of ${t.batchSize} fresh training scenes, ` +
    `${t.stepsPerEpoch} per epoch; ${valid.length} validation scenes; captions in ${t.order} order`);
  log(`run folder: ${runDir}`);

  const batchSeed = (epoch: number, i: number) => t.seed * 1_000_003 + epoch * 10_007 + i + 1;
  const batches = { epoch: (e: number) => Array.from({ length: t.stepsPerEpoch }, (_, i) => ({ epoch: e, index: i })) };
  const validBatches = Array.from({ length: Math.ceil(valid.length / t.batchSize) }, (_, i) => sceneBatch(vocab, valid.slice(i * t.batchSize, (i + 1) * t.batchSize)));
  const evaluate = (): Evaluation => {
    const was = model.training;
    model.eval();
    try {
      let sum = 0, words = 0;
      noGrad(() => {
        for (const b of validBatches) {
          sum += captionLoss(model, b.images, b.tokensIn, b.tokensOut, 0).crossEntropy * b.words;
          words += b.words;
        }
      });
      const validLoss = sum / words;
      const s = scoreScenes(model, vocab, valid, { method: 'greedy' });
      return {
        score: s.sceneAccuracy, loss: validLoss,
        metrics: { validLoss, validSceneAccuracy: s.sceneAccuracy, validExactMatch: s.exactMatch, validBleu: s.bleu, validAttentionAccuracy: s.attentionAccuracy },
        text: `valid loss ${validLoss.toFixed(3)}, scene accuracy ${s.sceneAccuracy.toFixed(1)}%, exact ${s.exactMatch.toFixed(1)}%, BLEU ${s.bleu.toFixed(2)}` +
          (Number.isFinite(s.attentionAccuracy) ? `, attention accuracy ${s.attentionAccuracy.toFixed(1)}%` : ''),
      };
    } finally {
      if (was) model.train();
    }
  };

  const optimizer = new Adam(model.parameters(), { lr: t.lr });
  const schedule = new LrSchedule({ kind: 'constant', peak: t.lr });
  let summary!: CaptionSummary;
  await train({
    model, optimizer, batches, schedule, evaluate, runDir, config: cfg as unknown as JsonValue, resume: options.resume !== undefined,
    loss: (b) => {
      const scenes = makeScenes(trainPool, t.batchSize, batchSeed(b.epoch, b.index), { order: t.order });
      const sb = sceneBatch(vocab, scenes);
      return { loss: captionLoss(model, sb.images, sb.tokensIn, sb.tokensOut, lambda).loss, items: t.batchSize };
    },
    epochs: t.epochs ?? Infinity, maxMinutes: t.maxMinutes ?? Infinity, maxSteps: t.maxSteps ?? Infinity, clip: t.clip,
    resumeHint: () => `resume: attentive train caption --resume ${runDir}`,
    log, progress: options.progress, name: 'trainCaption', units: 'scenes',
    summarize: (r) => {
      summary = {
        runDir, backend, model: cfg.model.model, parameters: model.numParameters(), epochs: r.epochs, steps: r.steps, stoppedBy: r.stoppedBy,
        trainSeconds: r.trainSeconds, scenesPerSecond: r.itemsPerSecond, bestEpoch: r.bestEpoch,
        bestValid: Object.fromEntries(Object.entries(r.bestMetrics).map(([k, v]) => [k, Number.isFinite(v) ? v : null])), test: {},
      };
      if (!t.skipFinalEval) {
        const test = generateScenes({ split: 'test', n: t.testScenes, seed: t.seed, order: t.order, mnistSeed: t.mnistSeed });
        const searches: [string, CaptionSearchOptions][] = [['greedy', { method: 'greedy' }]];
        if (t.beamSize > 0) searches.push([`beam${t.beamSize}`, { method: 'beam', beamSize: t.beamSize }]);
        for (const [name, search] of searches) {
          const t0 = performance.now();
          const s = scoreScenes(model, vocab, test, search);
          summary.test[name] = s;
          log(`test (${test.length} scenes, ${name}): BLEU-4 ${s.bleu.toFixed(2)}, exact match ${s.exactMatch.toFixed(1)}%, scene accuracy ${s.sceneAccuracy.toFixed(1)}%` +
            `${Number.isFinite(s.attentionAccuracy) ? `, attention accuracy ${s.attentionAccuracy.toFixed(1)}% of ${s.digitWords} digit words` : ''} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
        }
      }
      return JSON.parse(JSON.stringify(summary, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v))) as JsonValue;
    },
  });
  return summary;
}
