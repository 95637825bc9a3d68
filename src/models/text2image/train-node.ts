/**
 * Training a text → image model into a run folder (Node only), with the shared training loop
 * (src/train/trainer-node.ts).
 *
 * Every step draws a fresh batch of training scenes (seeded) from the training digits, so the model
 * rarely sees the same caption–picture pair twice; validation and test scenes come from their own
 * digits. Before the generator, a judge ({@link DigitJudge}) is trained on the training digits; it
 * scores drawings of validation captions during training and of held-out test captions at the end.
 *
 * Run folder (the loop's files, and this task's):
 *   config.json          model architecture, vocabulary and training options
 *   model.safetensors    generator weights (those with the lowest validation pixel loss)
 *   last/                the latest state, for the loop's exact resume
 *   judge.safetensors    judge weights
 *   metrics.jsonl        one line per evaluation
 *   summary.json         the judge's scores on held-out test captions, and the judge's own accuracy
 *   samples.svg          test captions, their real scenes and the drawings
 *   samples.png          the same pictures without text (real, drawn, real, drawn, ...)
 * Every file is written atomically; summary.json comes last, so a run folder without it is unfinished.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as F from '../../autograd/index.js';
import { getBackend } from '../../backend/registry.js';
import { captionWords, makeScene, SCENE_PIXELS, type DigitScene } from '../../data/digit-scenes.js';
import { generateScenes, loadSceneDigits } from '../../data/digit-scenes-node.js';
import { writeFileAtomic } from '../../io/files-node.js';
import type { JsonValue } from '../../io/checkpoint-node.js';
import { weightsOf } from '../../io/module-state.js';
import { encodeSafetensors } from '../../io/safetensors.js';
import { Adam } from '../../optim/adam.js';
import { LrSchedule } from '../../optim/schedulers.js';
import { train } from '../../train/trainer-node.js';
import { Generator, manualSeed } from '../../tensor/rng.js';
import { Tensor } from '../../tensor/tensor.js';
import { MNIST_PIXELS } from '../../data/mnist-node.js';
import { defaultCaptionVocab, encodeCaptions } from './captions.js';
import { evaluateOnScenes, type SceneEvaluation } from './evaluate.js';
import { judgeImages, trainJudge, type DigitJudge, type JudgeScores } from './judge.js';
import { cellLoss, pixelLoss, TextToImage, type TextToImageConfig } from './model.js';
import { T2I_RUN_FILES, type Text2ImageRunConfig } from './run-node.js';
import { writeSamples } from './samples-node.js';

/** Options of {@link trainText2Image}; every field has a default. */
export interface Text2ImageTrainOptions {
  /** Run folder (default runs/text2image-<timestamp>); must not exist or be empty. */
  out?: string;
  /** Time budget of all training, the judge's and then the drawing model's, in minutes (default 10; the final evaluation comes after it). */
  maxMinutes?: number;
  /** Upper bound on optimizer steps (default: no bound, the time budget decides). */
  maxSteps?: number;
  /** Seed of weights, scene draws and shuffles (default 1). */
  seed?: number;
  /** Scenes per step (default 32). */
  batchSize?: number;
  /** Adam learning rate (default 3e-3). */
  lr?: number;
  /** 'constant' lr, or 'wsd': constant, then down to 0 over the last quarter of the time budget (default 'wsd'). */
  lrSchedule?: 'constant' | 'wsd';
  /** Weight of the auxiliary loss that reads each cell's digit from its latent ({@link cellLoss}); 0 = pixel loss only (default 1). */
  cellLossWeight?: number;
  /** Global gradient-norm clip (default 5). */
  clip?: number;
  /** Steps between validation evaluations (default 100). */
  evalEvery?: number;
  /** Validation scenes, from the validation digits (default 200). */
  validScenes?: number;
  /** Held-out test scenes, from the test digits, judged at the end (default 1000). */
  testScenes?: number;
  /** Epochs of the judge over the 7000 training digits (default 4). */
  judgeEpochs?: number;
  /** Training digits the judge learns from (default all 7000). */
  judgeDigits?: number;
  /** Architecture overrides (see TextToImageConfig). */
  model?: Partial<Omit<TextToImageConfig, 'vocabSize'>>;
  /** Progress lines. */
  log?: (line: string) => void;
}

export const T2I_TRAIN_DEFAULTS = {
  maxMinutes: 10, seed: 1, batchSize: 32, lr: 3e-3, lrSchedule: 'wsd', cellLossWeight: 1, clip: 5, evalEvery: 100, validScenes: 200, testScenes: 1000, judgeEpochs: 4,
} as const;

/** What {@link trainText2Image} returns (summary.json holds the same). */
export interface Text2ImageSummary {
  dir: string;
  steps: number;
  stoppedBy: string;
  /** Minutes spent on the judge and the data before the drawing model's training. */
  judgeMinutes: number;
  /** Minutes of the drawing model's training loop. */
  trainMinutes: number;
  totalMinutes: number;
  backend: string;
  judge: { testDigits: number; testAccuracy: number; realTestScenes: SceneEvaluation | { digitAccuracy: number; emptyAccuracy: number } };
  test: SceneEvaluation & { unseenCaptions: number };
  /** The judge's scores on the test captions that no training batch held (null if there were none). */
  testUnseenCaptions: JudgeScores | null;
  /** The validation evaluation of the kept weights. */
  bestValid: Record<string, number>;
}

function stack(scenes: readonly DigitScene[]): Tensor {
  const data = new Float32Array(scenes.length * SCENE_PIXELS);
  scenes.forEach((s, i) => data.set(s.image, i * SCENE_PIXELS));
  return new Tensor(data, [scenes.length, 1, 84, 84]);
}

function checkOptions(o: Text2ImageTrainOptions): void {
  const positive = (name: string, v: number | undefined, int: boolean) => {
    if (v === undefined) return;
    if (!(Number.isFinite(v) && v > 0 && (!int || Number.isInteger(v)))) {
      throw new Error(`train text2image: ${name} must be a positive ${int ? 'integer' : 'number'}, got ${v}`);
    }
  };
  positive('maxMinutes', o.maxMinutes, false);
  positive('maxSteps', o.maxSteps, true);
  positive('batchSize', o.batchSize, true);
  positive('lr', o.lr, false);
  positive('clip', o.clip, false);
  positive('evalEvery', o.evalEvery, true);
  positive('validScenes', o.validScenes, true);
  positive('testScenes', o.testScenes, true);
  positive('judgeEpochs', o.judgeEpochs, true);
  positive('judgeDigits', o.judgeDigits, true);
  if (o.cellLossWeight !== undefined && !(Number.isFinite(o.cellLossWeight) && o.cellLossWeight >= 0)) throw new Error(`train text2image: cellLossWeight must be a non-negative number, got ${o.cellLossWeight}`);
  if (o.lrSchedule !== undefined && o.lrSchedule !== 'constant' && o.lrSchedule !== 'wsd') throw new Error(`train text2image: lrSchedule must be 'constant' or 'wsd', got ${JSON.stringify(o.lrSchedule)}`);
  if (o.seed !== undefined && !(Number.isInteger(o.seed) && o.seed >= 0)) throw new Error(`train text2image: seed must be a non-negative integer, got ${o.seed}`);
}

/** Trains a judge and a text → image model and writes the run folder (see the top of this file). */
export async function trainText2Image(options: Text2ImageTrainOptions = {}): Promise<Text2ImageSummary> {
  checkOptions(options);
  // a flag not given arrives as undefined and must not hide its default
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Text2ImageTrainOptions;
  const o = { ...T2I_TRAIN_DEFAULTS, ...given };
  const log = options.log ?? (() => {});
  const t0 = performance.now();
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  const dir = resolve(o.out ?? join('runs', `text2image-${stamp}`));
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new Error(`train text2image: ${dir} already exists and is not empty; choose another --out`);

  manualSeed(o.seed);
  const g = new Generator(o.seed);
  const vocab = defaultCaptionVocab();
  const model = new TextToImage({ vocabSize: vocab.length, ...o.model }, g);
  const config: Text2ImageRunConfig = {
    type: 'attentive-text2image-run', version: 1, model: model.config, vocab,
    train: { ...given, log: undefined, maxMinutes: o.maxMinutes, seed: o.seed, batchSize: o.batchSize, lr: o.lr, clip: o.clip, lrSchedule: o.lrSchedule, cellLossWeight: o.cellLossWeight } as Record<string, unknown>,
  };
  for (const k of Object.keys(config.train)) if (config.train[k] === undefined) delete config.train[k];

  // the judge, on the training digits only; its accuracy on the test digits is reported
  const trainDigits = loadSceneDigits('train');
  const testDigits = loadSceneDigits('test');
  const nJudge = Math.min(options.judgeDigits ?? trainDigits.count, trainDigits.count);
  const asSet = (p: typeof trainDigits, n: number) => ({
    x: new Tensor(p.images.slice(0, n * MNIST_PIXELS), [n, MNIST_PIXELS]),
    y: new Tensor(Int32Array.from(p.labels as ArrayLike<number>).slice(0, n), [n]),
  });
  log(`text2image: training the judge on ${nJudge} training digits (${o.judgeEpochs} epochs), backend ${getBackend().name}`);
  const { judge, rows } = trainJudge(asSet(trainDigits, nJudge), { epochs: o.judgeEpochs, generator: new Generator(o.seed + 1000) }, asSet(testDigits, testDigits.count));
  const judgeAccuracy = rows[rows.length - 1].testAccuracy;
  log(`text2image: judge accuracy on ${testDigits.count} test digits ${(100 * judgeAccuracy).toFixed(2)} %`);

  const valid = generateScenes({ split: 'valid', n: o.validScenes, seed: o.seed });
  const test = generateScenes({ split: 'test', n: o.testScenes, seed: o.seed });
  const realScenes = new Float32Array(test.length * SCENE_PIXELS);
  test.forEach((s, i) => realScenes.set(s.image, i * SCENE_PIXELS));
  const realScores = judgeImages(judge, realScenes, test.map((s) => s.cells));
  log(`text2image: the judge on the real test scenes: digit cells ${(100 * realScores.digitAccuracy).toFixed(2)} %, empty cells ${(100 * realScores.emptyAccuracy).toFixed(2)} %`);

  mkdirSync(dir, { recursive: true });
  await writeFileAtomic(join(dir, T2I_RUN_FILES.judge), encodeSafetensors(weightsOf(judge), { format: 'pt' }));

  // An "epoch" of the loop is evalEvery steps of fresh scenes; batch i of epoch e is drawn from its
  // own seeded generator, so any batch can be redrawn (a resumed run sees the same scenes).
  const seenCaptions = new Set<string>();
  let summary: Omit<Text2ImageSummary, 'dir'> | null = null as Omit<Text2ImageSummary, 'dir'> | null;
  const sceneBatch = (e: number, i: number) => {
    const bg = new Generator(((o.seed * 1_000_003) ^ (e * 10_007 + i)) >>> 0);
    return Array.from({ length: o.batchSize }, () => makeScene(trainDigits, bg));
  };
  // the drawing model gets what the judge left of the budget
  const judgeMinutes = (performance.now() - t0) / 60_000;
  const modelMinutes = o.maxMinutes - judgeMinutes;
  if (!(modelMinutes > 0)) throw new Error(`train text2image: the judge and the data took ${judgeMinutes.toFixed(1)} min, the whole --max-minutes ${o.maxMinutes}; give more time`);
  log(`text2image: training for ${modelMinutes.toFixed(1)} min${options.maxSteps ? ` or ${options.maxSteps} steps` : ''}, batches of ${o.batchSize} fresh scenes`);
  const result = await train<{ epoch: number; index: number }>({
    model, optimizer: new Adam(model.parameters(), { lr: o.lr }), runDir: dir, config: config as unknown as JsonValue,
    batches: { epoch: (e) => Array.from({ length: o.evalEvery }, (_, index) => ({ epoch: e, index })) },
    loss: ({ epoch, index }) => {
      const scenes = sceneBatch(epoch, index);
      for (const s of scenes) seenCaptions.add(s.caption);
      const { tokens, lengths } = encodeCaptions(scenes.map((s) => captionWords(s.caption)), vocab);
      const grid = model.cells(tokens, lengths);
      let loss = pixelLoss(model.paint(grid), stack(scenes));
      if (o.cellLossWeight > 0) loss = F.add(loss, F.mul(cellLoss(model, grid, scenes.map((s) => s.cells)), o.cellLossWeight));
      return { loss, items: scenes.length };
    },
    evaluate: () => {
      const { scores } = evaluateOnScenes(model, judge, valid, vocab);
      return {
        score: -scores.pixelLoss, loss: scores.pixelLoss,
        metrics: { validLoss: scores.pixelLoss, validDigitAccuracy: scores.digitAccuracy, validEmptyAccuracy: scores.emptyAccuracy, validSceneAccuracy: scores.sceneAccuracy },
        text: `valid BCE ${scores.pixelLoss.toFixed(4)}, judged digit cells ${(100 * scores.digitAccuracy).toFixed(1)} %, empty cells ${(100 * scores.emptyAccuracy).toFixed(1)} %`,
      };
    },
    schedule: new LrSchedule({ kind: o.lrSchedule, peak: o.lr, decayFraction: 0.25 }),
    maxMinutes: modelMinutes, maxSteps: options.maxSteps, clip: o.clip, progress: false, name: 'train text2image', units: 'scenes', log,
    summarize: async (r) => {
      const { scores, images } = evaluateOnScenes(model, judge, test, vocab);
      const isNew = test.map((s) => !seenCaptions.has(s.caption));
      const unseen = isNew.filter(Boolean).length / test.length;
      // the same scores on the captions no training batch held (most 3- and 4-digit captions)
      const newIdx = test.map((_, i) => i).filter((i) => isNew[i]);
      const newImages = new Float32Array(newIdx.length * SCENE_PIXELS);
      newIdx.forEach((i, k) => newImages.set(images.subarray(i * SCENE_PIXELS, (i + 1) * SCENE_PIXELS), k * SCENE_PIXELS));
      const unseenScores = newIdx.length ? judgeImages(judge, newImages, newIdx.map((i) => test[i].cells)) : null;
      log(`text2image: held-out test captions (${test.length}): digit cells ${(100 * scores.digitAccuracy).toFixed(2)} %, empty cells ${(100 * scores.emptyAccuracy).toFixed(2)} %, whole scenes ${(100 * scores.sceneAccuracy).toFixed(2)} % (${(100 * unseen).toFixed(1)} % of the captions never seen in training` +
        (unseenScores ? `; on those: digit cells ${(100 * unseenScores.digitAccuracy).toFixed(2)} %, empty cells ${(100 * unseenScores.emptyAccuracy).toFixed(2)} %)` : ')'));
      const shown = test.slice(0, 12);
      writeSamples(dir, shown.map((s) => s.caption), realScenes.subarray(0, shown.length * SCENE_PIXELS), images.subarray(0, shown.length * SCENE_PIXELS));
      summary = {
        steps: r.steps, stoppedBy: r.stoppedBy, judgeMinutes, trainMinutes: r.trainSeconds / 60, totalMinutes: (performance.now() - t0) / 60_000, backend: getBackend().name,
        judge: { testDigits: testDigits.count, testAccuracy: judgeAccuracy, realTestScenes: { digitAccuracy: realScores.digitAccuracy, emptyAccuracy: realScores.emptyAccuracy } },
        test: { ...scores, unseenCaptions: unseen },
        testUnseenCaptions: unseenScores,
        bestValid: { epoch: r.bestEpoch, ...r.bestMetrics },
      };
      return summary as unknown as JsonValue;
    },
  });
  if (!summary) throw new Error(`train text2image: ${result.runDir}: the run ended without a summary`);
  log(`text2image: wrote ${dir} (${summary.totalMinutes.toFixed(1)} min in all)`);
  return { dir, ...summary };
}
