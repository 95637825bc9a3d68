/**
 * Training a text → image model into a run folder (Node only).
 *
 * Every step draws a fresh batch of training scenes (seeded) from the training digits, so the model
 * never sees the same caption–picture pair twice; validation and test scenes come from their own
 * digits. Before the generator, a judge ({@link DigitJudge}) is trained on the training digits; it
 * scores drawings of validation captions during training and of held-out test captions at the end.
 *
 * The run folder is built as a hidden sibling and renamed into place when complete, so a failed
 * or interrupted run leaves no half-written folder behind:
 *   config.json          model architecture, vocabulary and training options
 *   model.safetensors    generator weights (those with the lowest validation pixel loss)
 *   judge.safetensors    judge weights
 *   metrics.jsonl        one line per evaluation
 *   summary.json         the judge's scores on held-out test captions, and the judge's own accuracy
 *   samples.svg          test captions, their real scenes and the drawings
 *   samples.png          the same pictures without text (real, drawn, real, drawn, ...)
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmdirSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import '../../autograd/index.js';
import { getBackend } from '../../backend/registry.js';
import { captionWords, makeScene, SCENE_PIXELS, type DigitScene } from '../../data/digit-scenes.js';
import { generateScenes, loadSceneDigits } from '../../data/digit-scenes-node.js';
import { siblingName, writeFileAtomic } from '../../io/files-node.js';
import { weightsOf, loadWeightsInto } from '../../io/module-state.js';
import type { NamedArrays } from '../../io/named-arrays.js';
import { encodeSafetensors } from '../../io/safetensors.js';
import { Adam } from '../../optim/adam.js';
import { clipGradNorm } from '../../optim/clip.js';
import { Generator, manualSeed } from '../../tensor/rng.js';
import { Tensor } from '../../tensor/tensor.js';
import { MNIST_PIXELS } from '../../data/mnist-node.js';
import { defaultCaptionVocab, encodeCaptions } from './captions.js';
import { evaluateOnScenes, type SceneEvaluation } from './evaluate.js';
import { judgeImages, trainJudge, type DigitJudge } from './judge.js';
import { pixelLoss, TextToImage, type TextToImageConfig } from './model.js';
import { T2I_RUN_FILES, type Text2ImageRunConfig } from './run-node.js';
import { writeSamples } from './samples-node.js';

/** Options of {@link trainText2Image}; every field has a default. */
export interface Text2ImageTrainOptions {
  /** Run folder (default runs/text2image-<timestamp>); must not exist or be empty. */
  out?: string;
  /** Time budget of the generator's training loop, in minutes (default 8). */
  maxMinutes?: number;
  /** Upper bound on optimizer steps (default: no bound, the time budget decides). */
  maxSteps?: number;
  /** Seed of weights, scene draws and shuffles (default 1). */
  seed?: number;
  /** Scenes per step (default 64). */
  batchSize?: number;
  /** Adam learning rate (default 2e-3). */
  lr?: number;
  /** Global gradient-norm clip (default 5). */
  clip?: number;
  /** Steps between validation evaluations (default 100). */
  evalEvery?: number;
  /** Validation scenes, from the validation digits (default 300). */
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
  maxMinutes: 8, seed: 1, batchSize: 64, lr: 2e-3, clip: 5, evalEvery: 100, validScenes: 300, testScenes: 1000, judgeEpochs: 4,
} as const;

/** What {@link trainText2Image} returns (summary.json holds the same). */
export interface Text2ImageSummary {
  dir: string;
  steps: number;
  trainMinutes: number;
  totalMinutes: number;
  backend: string;
  judge: { testDigits: number; testAccuracy: number; realTestScenes: SceneEvaluation | { digitAccuracy: number; emptyAccuracy: number } };
  test: SceneEvaluation & { unseenCaptions: number };
  bestValid: { step: number; validLoss: number; digitAccuracy: number; emptyAccuracy: number };
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
    train: { ...given, log: undefined, maxMinutes: o.maxMinutes, seed: o.seed, batchSize: o.batchSize, lr: o.lr, clip: o.clip } as Record<string, unknown>,
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

  const metricsLines: string[] = [];
  const seenCaptions = new Set<string>();
  const opt = new Adam(model.parameters(), { lr: o.lr });
  const budgetMs = o.maxMinutes * 60_000;
  const tTrain = performance.now();
  let best = { step: 0, validLoss: Infinity, digitAccuracy: NaN, emptyAccuracy: NaN };
  let bestWeights: NamedArrays = weightsOf(model);
  let step = 0, lossSum = 0, lossCount = 0;
  const evaluate = () => {
    const { scores } = evaluateOnScenes(model, judge, valid, vocab);
    const row = {
      step, minutes: (performance.now() - tTrain) / 60_000, trainLoss: lossCount ? lossSum / lossCount : NaN,
      validLoss: scores.pixelLoss, validDigitAccuracy: scores.digitAccuracy, validEmptyAccuracy: scores.emptyAccuracy, validSceneAccuracy: scores.sceneAccuracy,
    };
    metricsLines.push(JSON.stringify(row));
    log(`  step ${step}  ${row.minutes.toFixed(1)} min  train BCE ${row.trainLoss.toFixed(4)}  valid BCE ${row.validLoss.toFixed(4)}  digit cells ${(100 * row.validDigitAccuracy).toFixed(1)} %  empty cells ${(100 * row.validEmptyAccuracy).toFixed(1)} %`);
    lossSum = 0;
    lossCount = 0;
    if (scores.pixelLoss < best.validLoss) {
      best = { step, validLoss: scores.pixelLoss, digitAccuracy: scores.digitAccuracy, emptyAccuracy: scores.emptyAccuracy };
      bestWeights = weightsOf(model);
    }
  };
  log(`text2image: training for ${o.maxMinutes} min${options.maxSteps ? ` or ${options.maxSteps} steps` : ''}, batches of ${o.batchSize} fresh scenes`);
  model.train();
  while (performance.now() - tTrain < budgetMs && (options.maxSteps === undefined || step < options.maxSteps)) {
    const scenes = Array.from({ length: o.batchSize }, () => makeScene(trainDigits, g));
    for (const s of scenes) seenCaptions.add(s.caption);
    const { tokens, lengths } = encodeCaptions(scenes.map((s) => captionWords(s.caption)), vocab);
    const loss = pixelLoss(model.forward(tokens, lengths), stack(scenes));
    opt.zeroGrad();
    loss.backward();
    const norm = clipGradNorm(model.parameters(), o.clip);
    if (!Number.isFinite(norm)) throw new Error(`train text2image: gradient norm became ${norm} at step ${step + 1}`);
    opt.step();
    step++;
    lossSum += loss.item();
    lossCount++;
    if (step % o.evalEvery === 0) evaluate();
  }
  if (step % o.evalEvery !== 0 || step === 0) evaluate();
  const trainMinutes = (performance.now() - tTrain) / 60_000;
  loadWeightsInto(model, bestWeights);
  model.eval();

  const { scores, images } = evaluateOnScenes(model, judge, test, vocab);
  const unseen = test.filter((s) => !seenCaptions.has(s.caption)).length / test.length;
  log(`text2image: held-out test captions (${test.length}): digit cells ${(100 * scores.digitAccuracy).toFixed(2)} %, empty cells ${(100 * scores.emptyAccuracy).toFixed(2)} %, whole scenes ${(100 * scores.sceneAccuracy).toFixed(2)} % (${(100 * unseen).toFixed(1)} % of the captions never seen in training)`);
  const summary: Text2ImageSummary = {
    dir, steps: step, trainMinutes, totalMinutes: 0, backend: getBackend().name,
    judge: { testDigits: testDigits.count, testAccuracy: judgeAccuracy, realTestScenes: { digitAccuracy: realScores.digitAccuracy, emptyAccuracy: realScores.emptyAccuracy } },
    test: { ...scores, unseenCaptions: unseen },
    bestValid: best,
  };

  // write everything into a hidden sibling, then rename it into place
  mkdirSync(dirname(dir), { recursive: true });
  const temp = siblingName(dirname(dir), basename(dir), 'partial');
  mkdirSync(temp);
  try {
    await writeFileAtomic(join(temp, T2I_RUN_FILES.config), `${JSON.stringify(config, null, 2)}\n`);
    await writeFileAtomic(join(temp, T2I_RUN_FILES.weights), encodeSafetensors(weightsOf(model), { format: 'pt' }));
    await writeFileAtomic(join(temp, T2I_RUN_FILES.judge), encodeSafetensors(weightsOf(judge), { format: 'pt' }));
    await writeFileAtomic(join(temp, T2I_RUN_FILES.metrics), metricsLines.map((l) => `${l}\n`).join(''));
    const shown = test.slice(0, 12);
    writeSamples(temp, shown.map((s) => s.caption), realScenes.subarray(0, shown.length * SCENE_PIXELS), images.subarray(0, shown.length * SCENE_PIXELS));
    summary.totalMinutes = (performance.now() - t0) / 60_000;
    const { dir: _dir, ...onDisk } = summary;
    await writeFileAtomic(join(temp, T2I_RUN_FILES.summary), `${JSON.stringify(onDisk, null, 2)}\n`);
    if (existsSync(dir)) rmdirSync(dir); // empty (checked above)
    renameSync(temp, dir);
  } catch (e) {
    rmSync(temp, { recursive: true, force: true });
    throw new Error(`train text2image: cannot write ${dir}: ${(e as Error).message}`, { cause: e });
  }
  log(`text2image: wrote ${dir} (${summary.totalMinutes.toFixed(1)} min in all)`);
  return summary;
}
