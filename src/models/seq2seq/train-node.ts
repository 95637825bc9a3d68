import { appendFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import { Batcher, type Batch } from '../../data/batching.js';
import { getBackend } from '../../backend/registry.js';
import { loadCheckpoint, recoverCheckpoint, saveCheckpoint, type JsonValue } from '../../io/checkpoint-node.js';
import { createFolderAtomic, trimJsonLines } from '../../io/run-folder-node.js';
import type { NamedArrays } from '../../io/named-arrays.js';
import { Adam } from '../../optim/adam.js';
import { clipGradNorm } from '../../optim/clip.js';
import type { OptimizerStateDict } from '../../optim/optimizer.js';
import { defaultGenerator, manualSeed } from '../../tensor/rng.js';
import { Tensor } from '../../tensor/tensor.js';
import { createSeq2Seq } from './build.js';
import type { Seq2SeqConfig } from './config.js';
import { loadCorpus, sourceTokenizer, type DataSpec, type Pair } from './corpus-node.js';
import { batchLoss, evaluateBleu, meanLoss } from './evaluate.js';
import type { SearchOptions } from './search.js';
import type { Seq2SeqModel } from './model.js';
import { optimizerFromArrays, optimizerToArrays } from '../../io/module-state.js';
import { loadRunConfig, loadWeightsInto, RUN_FILES, pipelineFiles, runConfigText, saveModel, weightsOf, type RunConfig } from './run-node.js';
import { TextPipeline, type TextPipelineConfig } from './text-pipeline.js';
import { loadSafetensors, writeFileAtomic } from '../../io/files-node.js';

/** Training options; every default is listed in {@link TRAIN_DEFAULTS}. */
export interface TrainTranslationOptions {
  data: DataSpec;
  model?: Partial<Omit<Seq2SeqConfig, 'srcVocabSize' | 'tgtVocabSize'>>;
  text?: Partial<TextPipelineConfig>;
  epochs?: number;
  batchSize?: number;
  /** Peak learning rate of Adam. */
  lr?: number;
  /** Linear warmup steps; after them lr follows `lrSchedule`. */
  warmupSteps?: number;
  /**
   * 'inverse-sqrt': lr decays as 1/√step after warmup. 'plateau': lr stays at its peak and is
   * multiplied by `lrDecay` whenever the validation loss has not improved for more than
   * `lrPatience` whole epochs (PyTorch's ReduceLROnPlateau, checked once per epoch).
   * 'linear': lr falls linearly from its peak (after warmup) to `lrFinal` × peak at step
   * `lrDecaySteps`, then stays there. With a time budget, a schedule that has decayed by the end
   * of the budget beats a constant rate that never gets the chance to halve; `lrDecaySteps` is
   * a step count (not a time), so a seeded run stays reproducible.
   * 'wsd' (warmup, stable, decay): lr holds its peak, then falls linearly to `lrFinal` × peak
   * over the last `lrDecayFraction` of the run. The run's length is whichever ends first of the
   * time budget (`maxMinutes`) and `epochs`; measured by the clock, the decay always completes
   * inside the budget whatever the machine's speed, at the price of step-exact reproducibility
   * (which a time budget already gives up: the step count depends on the clock). A resumed run
   * continues from the progress it had reached: its own budget covers the rest of the run, and
   * the rate never climbs back (a finished run resumed with more epochs stays at the floor).
   * Early stopping can end a run before the decay.
   */
  lrSchedule?: 'inverse-sqrt' | 'plateau' | 'linear' | 'wsd';
  /** 'wsd' schedule: the final part of the run over which lr decays (default 0.2). */
  lrDecayFraction?: number;
  /** 'linear' schedule: the step at which lr reaches its floor. */
  lrDecaySteps?: number;
  /** 'linear' and 'wsd' schedules: the floor, as a fraction of the peak (default 0). */
  lrFinal?: number;
  lrDecay?: number;
  lrPatience?: number;
  /** Which validation number picks the saved model and drives early stopping ('bleu' falls back to the loss when no validation sentences are decoded). */
  selectBy?: 'bleu' | 'loss';
  /** Global gradient-norm cap. */
  clip?: number;
  labelSmoothing?: number;
  /** Epochs without a better validation BLEU before stopping. */
  patience?: number;
  /** Training time budget in minutes (final evaluation not included). */
  maxMinutes?: number;
  seed?: number;
  /** Run folder (default runs/translate-<timestamp>). */
  out?: string;
  /** Continue the run in this folder from its last checkpoint (its saved options are used). */
  resume?: string;
  /** Validation sentences decoded greedily after every epoch (default all, at most 500; 0 = none). */
  validBleuSentences?: number;
  /** Beam width of the final evaluation. */
  finalBeamSize?: number;
  /** Beam score of the final evaluation: logProb / length^lengthPenalty (default 1). */
  finalLengthPenalty?: number;
  /** Sentences per split in the final evaluation (default all): beam search on thousands of sentences can cost minutes. */
  finalEvalSentences?: number;
  /** Node budget of an exact-search evaluation of the test split (0 = skip it). */
  exactNodeBudget?: number;
  /** Exact search only on the first this many test sentences (default all): it costs up to nodeBudget steps each. */
  exactSentences?: number;
  /** Splits decoded by the final evaluation (default both). */
  finalEvalSplits?: ('valid' | 'test')[];
  /** Source / target token caps for training pairs (longer pairs are cut). */
  maxSrcLen?: number;
  maxTgtLen?: number;
  /** Lowercase BLEU (default: true for Tatoeba, false for the embedded corpus). */
  bleuLowercase?: boolean;
  /** Skip the final greedy/beam evaluation of valid and test. */
  skipFinalEval?: boolean;
  log?: (line: string) => void;
  /** Progress bar (default: when stdout is a terminal). */
  progress?: boolean;
}

export const TRAIN_DEFAULTS = {
  epochs: 30,
  batchSize: 64,
  lr: 2e-3,
  warmupSteps: 100,
  clip: 5,
  labelSmoothing: 0.1,
  lrSchedule: 'inverse-sqrt',
  lrDecay: 0.5,
  lrPatience: 0,
  lrDecaySteps: 0,
  lrDecayFraction: 0.2,
  lrFinal: 0,
  selectBy: 'bleu',
  patience: 4,
  maxMinutes: Infinity,
  seed: 1,
  validBleuSentences: 500,
  finalBeamSize: 5,
  finalLengthPenalty: 1,
  finalEvalSentences: Infinity,
  exactNodeBudget: 0,
  exactSentences: Infinity,
  finalEvalSplits: ['valid', 'test'] as ('valid' | 'test')[],
  maxSrcLen: 60,
  maxTgtLen: 60,
} as const;

/** Final numbers of a run (summary.json). */
export interface TrainSummary {
  runDir: string;
  backend: string;
  epochs: number;
  steps: number;
  stoppedBy: 'epochs' | 'early-stopping' | 'time';
  trainSeconds: number;
  tokensPerSecond: number;
  bestEpoch: number;
  bestValidBleu: number;
  parameters: number;
  /** Validation loss of the saved model. */
  bestValidLoss: number;
  /**
   * BLEU and mean model log-probability per split and search method; for exact search also how
   * many sentences were proven optimal within the node budget, out of `sentences`.
   */
  results: Record<'valid' | 'test', Record<string, {
    bleu: number; meanLogProb: number; seconds: number; sentences: number; proven?: number;
    /** Exact search on a subset: the other searches' mean log-probability on the same sentences, for a fair comparison. */
    othersOnSameSentences?: Record<string, number>;
    /** Beam search only: the length penalty it used. */
    lengthPenalty?: number;
  }>>;
  bleuSignature: string;
}

interface TrainerState {
  epoch: number;
  batchInEpoch: number;
  step: number;
  /** Generator state; null stands for NaN (no cached normal deviate), which JSON cannot hold. */
  rng: (number | null)[];
  bestValidBleu: number;
  bestValidLoss: number;
  bestEpoch: number;
  badEpochs: number;
  trainSeconds: number;
  trainTokens: number;
  finished: boolean;
  /** Plateau schedule: current lr multiplier, lowest validation loss (null before the first whole epoch: JSON has no Infinity) and epochs since it fell; absent in older runs. */
  lrScale?: number;
  minValidLoss?: number | null;
  lrBadEpochs?: number;
  /** 'wsd' schedule: the part of the run that was over at the last step (a resumed run continues from it). */
  lrProgress?: number;
}

/** Linear warmup factor at optimizer step `step` (1-based); every schedule starts with it. */
function warmupFactor(warmup: number, step: number): number {
  return warmup > 0 ? Math.min(1, step / warmup) : 1;
}

/** Factor of a straight-line decay to `final` over the last `fraction` of a run that is `progress` done. */
function decayTail(progress: number, fraction: number, final: number): number {
  const frac = Math.min(1, Math.max(0, (progress - (1 - fraction)) / fraction));
  return 1 - (1 - final) * frac;
}

/** lr at optimizer step `step` (1-based): linear warmup, then inverse square root decay. */
export function learningRate(peak: number, warmup: number, step: number): number {
  if (warmup <= 0) return peak;
  return step <= warmup ? (peak * step) / warmup : peak * Math.sqrt(warmup / step);
}

/**
 * lr at optimizer step `step` (1-based) of the 'linear' schedule: linear warmup to `peak`, then a
 * straight line down to `final`·peak at step `decaySteps`, flat after it.
 */
export function linearDecayRate(peak: number, warmup: number, decaySteps: number, final: number, step: number): number {
  const w = Math.max(0, warmup);
  return peak * warmupFactor(warmup, step) * decayTail((step - w) / (decaySteps - w), 1, final);
}

/**
 * lr of the 'wsd' schedule at optimizer step `step` (1-based) when a fraction `progress` ∈ [0, 1]
 * of the run is over: linear warmup, the peak until `1 − decayFraction`, then a straight line to
 * `final`·peak at the end of the run.
 */
export function wsdRate(peak: number, warmup: number, step: number, progress: number, decayFraction: number, final: number): number {
  return peak * warmupFactor(warmup, step) * decayTail(progress, decayFraction, final);
}

/**
 * The entries of `o` that are set. An option left undefined (a CLI flag not given) takes its
 * default, and the run's config.json is JSON, which cannot hold undefined.
 */
function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function newTrainerState(): TrainerState {
  return {
    epoch: 0, batchInEpoch: 0, step: 0, rng: rngState(), bestValidBleu: -1, bestValidLoss: Infinity,
    bestEpoch: -1, badEpochs: 0, trainSeconds: 0, trainTokens: 0, finished: false, lrScale: 1, minValidLoss: null, lrBadEpochs: 0,
  };
}

function rngState(): (number | null)[] {
  return defaultGenerator.getState().map((v) => (Number.isNaN(v) ? null : v));
}

function timestamp(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/**
 * Trains a translation model, writing a run folder:
 *   model.safetensors, config.json   best model so far (by validation BLEU) and how to rebuild it
 *   vocab.src.json, vocab.tgt.json   vocabularies (bpe.json with --bpe)
 *   metrics.jsonl                    one JSON object per epoch
 *   last/                            latest state for --resume (weights, Adam moments, RNG, counters)
 *   summary.json                     final BLEU per split and search method
 * Deterministic for a fixed seed and backend.
 */
export async function trainTranslation(options: TrainTranslationOptions): Promise<TrainSummary> {
  const log = options.log ?? ((s: string) => console.log(s));
  const t0 = performance.now();
  let runDir: string;
  let runConfig: RunConfig;
  let pipeline: TextPipeline;
  let model: Seq2SeqModel;
  let trainer: TrainerState;
  let optimizerState: OptimizerStateDict | null = null;
  let bestWeights: NamedArrays | null = null;
  let o: Required<Omit<TrainTranslationOptions, 'model' | 'text' | 'out' | 'resume' | 'log' | 'progress' | 'bleuLowercase' | 'data'>> & { bleuLowercase: boolean };

  if (options.resume) {
    runDir = resolve(options.resume);
    ({ config: runConfig, pipeline } = loadRunConfig(runDir));
    const saved = runConfig.train as Partial<typeof o>;
    // Runs saved before an option existed get its default; JSON turns Infinity into null.
    o = { ...TRAIN_DEFAULTS, skipFinalEval: false, bleuLowercase: false, ...saved, maxMinutes: saved.maxMinutes ?? Infinity,
      finalEvalSentences: saved.finalEvalSentences ?? Infinity, exactSentences: saved.exactSentences ?? Infinity };
    if (options.epochs !== undefined) o.epochs = options.epochs;
    if (options.maxMinutes !== undefined) o.maxMinutes = options.maxMinutes;
    // The final evaluation may be re-run on a finished run with other settings (e.g. `--epochs 0`).
    for (const k of ['skipFinalEval', 'finalEvalSentences', 'exactNodeBudget', 'exactSentences', 'finalBeamSize', 'finalLengthPenalty', 'finalEvalSplits'] as const) {
      if (options[k] !== undefined) (o as Record<string, unknown>)[k] = options[k];
    }
    // A save the process was killed in is finished (or undone) first; without any checkpoint the
    // run was killed before its first one and starts again from step 0, as a new run would.
    const lastDir = join(runDir, RUN_FILES.last);
    await recoverCheckpoint(lastDir);
    if (existsSync(lastDir)) {
      const last = await loadCheckpoint(lastDir).catch((e: Error) => {
        throw new Error(`trainTranslation: cannot resume ${runDir}: ${e.message}`);
      });
      model = createSeq2Seq(runConfig.model);
      loadWeightsInto(model, last.weights);
      if (last.optimizer) optimizerState = optimizerFromArrays(last.optimizer.tensors, last.optimizer.state as never);
      trainer = last.trainer as unknown as TrainerState;
      if (existsSync(join(runDir, RUN_FILES.weights))) bestWeights = (await loadSafetensors(join(runDir, RUN_FILES.weights))).tensors;
    } else {
      manualSeed(o.seed);
      model = createSeq2Seq(runConfig.model);
      trainer = newTrainerState();
    }
    // Records of steps after the checkpoint (and a line torn by the kill) are written again.
    await trimJsonLines(join(runDir, RUN_FILES.metrics), (r) => typeof (r as { step?: unknown }).step === 'number' && (r as { step: number }).step <= trainer.step);
    log(`resuming ${runDir} at epoch ${trainer.epoch + 1}, step ${trainer.step}`);
  } else {
    o = {
      ...TRAIN_DEFAULTS,
      skipFinalEval: false,
      bleuLowercase: options.data.kind === 'tatoeba',
      ...Object.fromEntries(Object.entries(definedOnly(options)).filter(([k]) => !['model', 'text', 'out', 'resume', 'log', 'progress', 'data'].includes(k))),
    } as typeof o;
    if (o.lrSchedule === 'linear' && !(Number.isInteger(o.lrDecaySteps) && o.lrDecaySteps > Math.max(0, o.warmupSteps))) {
      throw new Error(`trainTranslation: the 'linear' schedule needs lrDecaySteps (--lr-decay-steps) above the warmup steps (${o.warmupSteps}), got ${o.lrDecaySteps}`);
    }
    if (o.lrSchedule === 'wsd' && !(o.lrDecayFraction > 0 && o.lrDecayFraction <= 1)) throw new Error(`trainTranslation: lrDecayFraction (--lr-decay-fraction) must be in (0, 1], got ${o.lrDecayFraction}`);
    if (o.lrSchedule === 'wsd' && !Number.isFinite(o.maxMinutes) && !Number.isFinite(o.epochs)) {
      throw new Error("trainTranslation: the 'wsd' schedule needs a run length: maxMinutes (--max-minutes) or a finite epochs (--epochs)");
    }
    if (!(o.lrFinal >= 0 && o.lrFinal <= 1)) throw new Error(`trainTranslation: lrFinal (--lr-final) must be in [0, 1], got ${o.lrFinal}`);
    runDir = resolve(options.out ?? join('runs', `translate-${timestamp()}`));
    const textConfig: TextPipelineConfig = { srcTokenizer: 'char', lowercase: false, bpeMerges: 0, ...definedOnly(options.text ?? {}) };
    const corpus = loadCorpus(options.data);
    pipeline = TextPipeline.learn(textConfig, sourceTokenizer(textConfig.srcTokenizer), corpus.train);
    manualSeed(o.seed);
    model = createSeq2Seq({ ...options.model, srcVocabSize: pipeline.srcVocab.size, tgtVocabSize: pipeline.tgtVocab.size });
    runConfig = {
      type: 'attentive-translate-run', version: 1, model: model.config, text: textConfig, data: options.data,
      train: { ...o, maxMinutes: Number.isFinite(o.maxMinutes) ? o.maxMinutes : null, finalEvalSentences: Number.isFinite(o.finalEvalSentences) ? o.finalEvalSentences : null,
        exactSentences: Number.isFinite(o.exactSentences) ? o.exactSentences : null },
    };
    trainer = newTrainerState();
    // Vocabularies and config.json appear together, so a kill at any moment leaves a folder --resume can use.
    await createFolderAtomic(runDir, [...pipelineFiles(pipeline), [RUN_FILES.config, runConfigText(runConfig)]]);
  }
  defaultGenerator.setState(trainer.rng.map((v) => v ?? NaN));

  const corpus = loadCorpus(runConfig.data);
  const encodePairs = (ps: Pair[]) => ({ src: ps.map((p) => pipeline.encodeSrc(p.zh).ids), tgt: ps.map((p) => pipeline.encodeTgt(p.en)) });
  const tr = encodePairs(corpus.train);
  const batcher = new Batcher(tr.src, tr.tgt, { batchSize: o.batchSize, seed: o.seed, maxSrcLen: o.maxSrcLen, maxTgtLen: o.maxTgtLen });
  const va = encodePairs(corpus.valid);
  const validBatches = new Batcher(va.src, va.tgt, { batchSize: o.batchSize, seed: o.seed, shuffle: false }).epoch(0);
  const validForBleu = corpus.valid.slice(0, Math.min(o.validBleuSentences, corpus.valid.length));

  const optimizer = new Adam(model.parameters(), { lr: o.lr });
  if (optimizerState) optimizer.loadStateDict(optimizerState);
  const backend = getBackend().name;
  log(`translate: ${runConfig.data.kind} data, ${corpus.train.length}/${corpus.valid.length}/${corpus.test.length} train/valid/test pairs; ` +
    `vocab ${pipeline.srcVocab.size} zh / ${pipeline.tgtVocab.size} en; ${runConfig.model.model} model` +
    `${runConfig.model.model === 'attention' ? ` (${runConfig.model.attention})` : ''}, ${model.numParameters()} parameters; backend ${backend}`);
  log(`run folder: ${runDir}`);

  const saveLast = async () => {
    trainer.rng = rngState();
    await saveCheckpoint(join(runDir, RUN_FILES.last), {
      weights: weightsOf(model), config: runConfig as unknown as JsonValue,
      optimizer: optimizerToArrays(optimizer.stateDict()) as never, trainer: trainer as unknown as JsonValue,
    });
  };
  const sessionStart = performance.now();
  const deadline = sessionStart + o.maxMinutes * 60_000;
  const secondsBefore = trainer.trainSeconds;
  let stoppedBy: TrainSummary['stoppedBy'] = 'epochs';
  const useBar = options.progress ?? process.stdout.isTTY === true;
  // The part of the run that is over, by the clock (this session's budget) or by steps, whichever
  // is further. A resumed run carries on from the progress it had reached, never back up the ramp.
  const progressBefore = trainer.lrProgress ?? 0;
  const runProgress = (batchesPerEpoch: number): number => {
    const budget = deadline - sessionStart;
    const byTime = Number.isFinite(budget) && budget > 0
      ? progressBefore + (1 - progressBefore) * (performance.now() - sessionStart) / budget : 0;
    const bySteps = Number.isFinite(o.epochs) && o.epochs > 0 ? (trainer.step + 1) / (o.epochs * batchesPerEpoch) : 0;
    trainer.lrProgress = Math.min(1, Math.max(byTime, bySteps, trainer.lrProgress ?? 0));
    return trainer.lrProgress;
  };

  while (!trainer.finished && trainer.epoch < o.epochs) {
    const batches = batcher.epoch(trainer.epoch);
    const bar = useBar
      ? new cliProgress.SingleBar({
        format: 'epoch {epoch} |{bar}| {value}/{total} loss {loss} | {tps} tok/s | ETA {eta_formatted}',
        hideCursor: true, clearOnComplete: true,
      }, cliProgress.Presets.shades_classic)
      : null;
    bar?.start(batches.length, trainer.batchInEpoch, { epoch: trainer.epoch + 1, loss: '-', tps: '-' });
    let lossSum = 0, lossTokens = 0, epochTokens = 0;
    const epochStart = performance.now();
    let outOfTime = false;
    model.train();
    for (let i = trainer.batchInEpoch; i < batches.length; i++) {
      const b: Batch = batches[i];
      const step = trainer.step + 1;
      switch (o.lrSchedule) {
        case 'plateau': optimizer.lr = o.lr * (trainer.lrScale ?? 1) * warmupFactor(o.warmupSteps, step); break;
        case 'linear': optimizer.lr = linearDecayRate(o.lr, o.warmupSteps, o.lrDecaySteps, o.lrFinal, step); break;
        case 'wsd': optimizer.lr = wsdRate(o.lr, o.warmupSteps, step, runProgress(batches.length), o.lrDecayFraction, o.lrFinal); break;
        default: optimizer.lr = learningRate(o.lr, o.warmupSteps, step);
      }
      const loss = batchLoss(model.forward(b).logits, b.tgtOut, o.labelSmoothing);
      optimizer.zeroGrad();
      loss.backward();
      const norm = clipGradNorm(model.parameters(), o.clip);
      if (Number.isFinite(norm)) optimizer.step();
      trainer.step++;
      trainer.batchInEpoch = i + 1;
      const l = loss.item();
      lossSum += l * b.tgtTokens;
      lossTokens += b.tgtTokens;
      epochTokens += b.tgtTokens;
      const tps = epochTokens / ((performance.now() - epochStart) / 1000);
      if (bar) bar.update(i + 1, { loss: (lossSum / lossTokens).toFixed(3), tps: tps.toFixed(0) });
      else if ((i + 1) % Math.max(1, Math.ceil(batches.length / 5)) === 0 || i + 1 === batches.length) {
        log(`epoch ${trainer.epoch + 1} step ${i + 1}/${batches.length} loss ${(lossSum / lossTokens).toFixed(3)} ${tps.toFixed(0)} tok/s lr ${optimizer.lr.toExponential(2)}`);
      }
      if (performance.now() > deadline) {
        outOfTime = true;
        break;
      }
    }
    bar?.stop();
    trainer.trainTokens += epochTokens;
    trainer.trainSeconds = secondsBefore + (performance.now() - sessionStart) / 1000;
    const epochDone = trainer.batchInEpoch >= batches.length;

    // Validation after every epoch, and once more for a partial epoch cut by the time budget.
    const validLoss = meanLoss(model, validBatches);
    const ev = validForBleu.length > 0 ? evaluateBleu(model, pipeline, validForBleu, { method: 'greedy' }, o.bleuLowercase) : { bleu: NaN, seconds: 0 };
    // without validation sentences to decode there is no BLEU to select by: the loss decides
    const improved = o.selectBy === 'loss' || validForBleu.length === 0
      ? validLoss < trainer.bestValidLoss
      : ev.bleu > trainer.bestValidBleu || (ev.bleu === trainer.bestValidBleu && validLoss < trainer.bestValidLoss);
    const record = {
      epoch: trainer.epoch + 1, partial: !epochDone, step: trainer.step, trainLoss: lossSum / Math.max(1, lossTokens), validLoss,
      validBleuGreedy: ev.bleu, lr: optimizer.lr, trainSeconds: +trainer.trainSeconds.toFixed(2),
      tokensPerSecond: +(epochTokens / ((performance.now() - epochStart) / 1000)).toFixed(1), evalSeconds: +ev.seconds.toFixed(2), best: improved,
    };
    appendFileSync(join(runDir, RUN_FILES.metrics), `${JSON.stringify(record)}\n`);
    log(`epoch ${record.epoch}${record.partial ? ' (partial)' : ''}: train loss ${record.trainLoss.toFixed(3)}, valid loss ${validLoss.toFixed(3)}, ` +
      `${validForBleu.length > 0 ? `valid BLEU (greedy, ${validForBleu.length} sent.) ${ev.bleu.toFixed(2)}` : 'no valid BLEU'}${improved ? ' *' : ''}, ${record.tokensPerSecond} tok/s, lr ${optimizer.lr.toExponential(2)}`);
    // Plateau schedule: only whole epochs count, so a partial epoch cut by the budget cannot halve lr.
    if (o.lrSchedule === 'plateau' && epochDone) {
      if (trainer.minValidLoss == null || validLoss < trainer.minValidLoss) {
        trainer.minValidLoss = validLoss;
        trainer.lrBadEpochs = 0;
      } else if ((trainer.lrBadEpochs = (trainer.lrBadEpochs ?? 0) + 1) > o.lrPatience) {
        trainer.lrScale = (trainer.lrScale ?? 1) * o.lrDecay;
        trainer.lrBadEpochs = 0;
        log(`validation loss did not improve: lr × ${o.lrDecay} → ${(o.lr * trainer.lrScale).toExponential(2)}`);
      }
    }
    if (improved) {
      // Without validation decoding (validBleuSentences 0) there is no BLEU; JSON cannot hold NaN.
      trainer.bestValidBleu = Number.isNaN(ev.bleu) ? -1 : ev.bleu;
      trainer.bestValidLoss = validLoss;
      trainer.bestEpoch = trainer.epoch + 1;
      trainer.badEpochs = 0;
      bestWeights = weightsOf(model);
      await saveModel(runDir, bestWeights, runConfig);
    } else if (epochDone) {
      trainer.badEpochs++;
    }
    if (epochDone) {
      trainer.epoch++;
      trainer.batchInEpoch = 0;
    }
    if (trainer.badEpochs >= o.patience) {
      stoppedBy = 'early-stopping';
      trainer.finished = true;
      log(`early stopping: no better validation ${o.selectBy === 'loss' || validForBleu.length === 0 ? 'loss' : 'BLEU'} for ${o.patience} epochs (best at epoch ${trainer.bestEpoch})`);
    }
    await saveLast();
    if (outOfTime) {
      stoppedBy = 'time';
      log(`time budget of ${o.maxMinutes} min reached`);
      break;
    }
  }

  if (bestWeights) loadWeightsInto(model, bestWeights);
  model.eval();
  const summary: TrainSummary = {
    runDir, backend, epochs: trainer.epoch, steps: trainer.step, stoppedBy, trainSeconds: +trainer.trainSeconds.toFixed(2),
    tokensPerSecond: +(trainer.trainTokens / Math.max(1e-9, trainer.trainSeconds)).toFixed(1),
    bestEpoch: trainer.bestEpoch, bestValidBleu: trainer.bestValidBleu, bestValidLoss: +trainer.bestValidLoss.toFixed(4), parameters: model.numParameters(),
    results: { valid: {}, test: {} }, bleuSignature: '',
  };
  if (!o.skipFinalEval) {
    for (const [split, all] of [['valid', corpus.valid], ['test', corpus.test]] as const) {
      if (!o.finalEvalSplits.includes(split)) continue;
      const pairs = all.slice(0, Math.min(all.length, o.finalEvalSentences));
      const searches: [string, SearchOptions][] = [['greedy', { method: 'greedy' }], [`beam${o.finalBeamSize}`, { method: 'beam', beamSize: o.finalBeamSize, lengthPenalty: o.finalLengthPenalty }]];
      if (split === 'test' && o.exactNodeBudget > 0) searches.push(['exact', { method: 'exact', nodeBudget: o.exactNodeBudget }]);
      const perSentence: Record<string, number[]> = {};
      for (const [name, search] of searches) {
        const ev = evaluateBleu(model, pipeline, search.method === 'exact' ? pairs.slice(0, Math.min(pairs.length, o.exactSentences)) : pairs, search, o.bleuLowercase);
        const proven = search.method === 'exact' ? ev.translations.filter((t) => t.exact === true).length : undefined;
        perSentence[name] = ev.translations.map((t) => t.nBest[0]?.logProb ?? 0);
        const n = ev.hypotheses.length;
        const othersOnSameSentences = search.method === 'exact' && n < pairs.length
          ? Object.fromEntries(Object.entries(perSentence).filter(([k]) => k !== name).map(([k, v]) => [k, +(v.slice(0, n).reduce((a, b) => a + b, 0) / n).toFixed(4)]))
          : undefined;
        // the hypotheses themselves, so the scores can be checked with any BLEU implementation
        await writeFileAtomic(join(runDir, `${split}.${name}.en`), ev.hypotheses.map((h) => `${h}\n`).join(''));
        summary.results[split][name] = { bleu: +ev.bleu.toFixed(2), meanLogProb: +ev.meanLogProb.toFixed(4), seconds: +ev.seconds.toFixed(2), sentences: n, proven, othersOnSameSentences,
          lengthPenalty: search.method === 'beam' ? o.finalLengthPenalty : undefined };
        summary.bleuSignature = ev.signature;
        log(`${split} BLEU ${name}: ${ev.bleu.toFixed(2)} (mean log-prob ${ev.meanLogProb.toFixed(3)}, ${n} sent., ${ev.seconds.toFixed(1)} s` +
          `${proven !== undefined ? `, ${proven}/${n} proven exact with ${o.exactNodeBudget} nodes` : ''})` +
          `${othersOnSameSentences ? `; same sentences: ${Object.entries(othersOnSameSentences).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ')}` : ''}`);
      }
    }
  }
  await writeFileAtomic(join(runDir, RUN_FILES.summary), `${JSON.stringify(summary, null, 2)}\n`);
  log(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s; run folder ${runDir}`);
  return summary;
}
