import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { getBackend } from '../../backend/registry.js';
import { Batcher, type Batch } from '../../data/batching.js';
import type { JsonValue } from '../../io/checkpoint-node.js';
import { writeFileAtomic } from '../../io/files-node.js';
import { Adam } from '../../optim/adam.js';
import { LrSchedule } from '../../optim/schedulers.js';
import { manualSeed } from '../../tensor/rng.js';
import { train, type Evaluation, type LoopState } from '../../train/trainer-node.js';
import type { Seq2SeqConfig } from '../seq2seq/config.js';
import { loadCorpus, type DataSpec, type Pair } from '../../data/corpus-node.js';
import { sourceTokenizer } from '../../text/text-pipeline-node.js';
import { batchLoss, evaluateBleu, meanLoss } from './evaluate.js';
import type { TranslationModel } from './model.js';
import { createTranslationModel } from './registry.js';
import { loadRunConfig, pipelineFiles, RUN_FILES, runConfigText, type RunConfig } from './run-node.js';
import { createFolderAtomic } from '../../io/run-folder-node.js';
import type { SearchOptions } from './search.js';
import { TextPipeline, type TextPipelineConfig } from '../../text/text-pipeline.js';

/** Training options; every default is listed in {@link TRAIN_DEFAULTS}. */
export interface TrainTranslationOptions {
  data: DataSpec;
  /** The model's config without the vocabulary sizes; `kind` (or, for the LSTM kinds, `model`) picks the registered kind. */
  model?: Partial<Omit<Seq2SeqConfig, 'srcVocabSize' | 'tgtVocabSize'>> | ({ kind: string } & Record<string, unknown>);
  text?: Partial<TextPipelineConfig>;
  epochs?: number;
  batchSize?: number;
  /** Peak learning rate of Adam. */
  lr?: number;
  /** Adam's moment decay rates (default [0.9, 0.999]; the Transformer paper: [0.9, 0.98]). */
  adamBetas?: [number, number];
  /** Adam's epsilon (default 1e-8; the Transformer paper: 1e-9). */
  adamEps?: number;
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
  /** Stop after this many optimizer steps in total (default no limit); a resumed run can raise it. */
  maxSteps?: number;
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
  adamBetas: [0.9, 0.999] as [number, number],
  adamEps: 1e-8,
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
  maxSteps: Infinity,
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
  stoppedBy: 'epochs' | 'early-stopping' | 'time' | 'steps';
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

/**
 * The entries of `o` that are set. An option left undefined (a CLI flag not given) takes its
 * default, and the run's config.json is JSON, which cannot hold undefined.
 */
function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function timestamp(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/**
 * Trains a translation model with the shared loop of train/trainer-node.ts, writing a run folder:
 *   model.safetensors, config.json   best model so far (by validation BLEU) and how to rebuild it
 *   vocab.src.json, vocab.tgt.json   vocabularies (bpe.json with --bpe, bpe.src.json with --src-bpe)
 *   metrics.jsonl                    one JSON object per epoch
 *   last/                            latest state for --resume (weights, Adam moments, RNG, counters)
 *   summary.json                     final BLEU per split and search method
 * Deterministic for a fixed seed and backend; a resumed run ends with the weights of an
 * uninterrupted one.
 */
export async function trainTranslation(options: TrainTranslationOptions): Promise<TrainSummary> {
  const log = options.log ?? ((s: string) => console.log(s));
  const t0 = performance.now();
  let runDir: string;
  let runConfig: RunConfig;
  let pipeline: TextPipeline;
  let model: TranslationModel;
  let o: Required<Omit<TrainTranslationOptions, 'model' | 'text' | 'out' | 'resume' | 'log' | 'progress' | 'bleuLowercase' | 'data'>> & { bleuLowercase: boolean };

  if (options.resume) {
    runDir = resolve(options.resume);
    ({ config: runConfig, pipeline } = loadRunConfig(runDir));
    const saved = runConfig.train as Partial<typeof o>;
    // Runs saved before an option existed get its default; JSON turns Infinity into null.
    o = { ...TRAIN_DEFAULTS, skipFinalEval: false, bleuLowercase: false, ...saved, maxMinutes: saved.maxMinutes ?? Infinity, maxSteps: saved.maxSteps ?? Infinity,
      finalEvalSentences: saved.finalEvalSentences ?? Infinity, exactSentences: saved.exactSentences ?? Infinity };
    // A resumed run may get more time, a lower learning rate (after a NaN stop), or a final
    // evaluation with other settings (e.g. `--epochs 0` re-evaluates the saved model).
    for (const k of ['epochs', 'maxMinutes', 'maxSteps', 'lr', 'skipFinalEval', 'finalEvalSentences', 'exactNodeBudget', 'exactSentences', 'finalBeamSize', 'finalLengthPenalty', 'finalEvalSplits'] as const) {
      if (options[k] !== undefined) (o as Record<string, unknown>)[k] = options[k];
    }
    // Seeded as a new run: a run killed before its first checkpoint starts again from step 0.
    manualSeed(o.seed);
    model = createTranslationModel(runConfig.model);
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
    // Shared source/target embeddings index one table, so they need one vocabulary for both sides.
    if ((options.model as { shareEmbeddings?: boolean } | undefined)?.shareEmbeddings) {
      if (textConfig.jointVocab === false) throw new Error('trainTranslation: shareEmbeddings (--share-embeddings) needs a joint vocabulary, but text.jointVocab is false');
      textConfig.jointVocab = true;
    }
    const corpus = loadCorpus(options.data);
    pipeline = TextPipeline.learn(textConfig, sourceTokenizer(textConfig.srcTokenizer), corpus.train);
    manualSeed(o.seed);
    model = createTranslationModel({ ...definedOnly(options.model ?? {}), srcVocabSize: pipeline.srcVocab.size, tgtVocabSize: pipeline.tgtVocab.size });
    runConfig = {
      type: 'attentive-translate-run', version: 1, model: model.config as RunConfig['model'], text: textConfig, data: options.data,
      train: { ...o, maxMinutes: Number.isFinite(o.maxMinutes) ? o.maxMinutes : null, maxSteps: Number.isFinite(o.maxSteps) ? o.maxSteps : null, finalEvalSentences: Number.isFinite(o.finalEvalSentences) ? o.finalEvalSentences : null,
        exactSentences: Number.isFinite(o.exactSentences) ? o.exactSentences : null },
    };
    // Vocabularies and config.json appear together, so a kill at any moment leaves a folder --resume can use.
    await createFolderAtomic(runDir, [...pipelineFiles(pipeline), [RUN_FILES.config, runConfigText(runConfig)]]);
  }

  const corpus = loadCorpus(runConfig.data);
  const encodePairs = (ps: Pair[]) => ({ src: ps.map((p) => pipeline.encodeSrc(p.zh).ids), tgt: ps.map((p) => pipeline.encodeTgt(p.en)) });
  const tr = encodePairs(corpus.train);
  const batcher = new Batcher(tr.src, tr.tgt, { batchSize: o.batchSize, seed: o.seed, maxSrcLen: o.maxSrcLen, maxTgtLen: o.maxTgtLen });
  const va = encodePairs(corpus.valid);
  const validBatches = new Batcher(va.src, va.tgt, { batchSize: o.batchSize, seed: o.seed, shuffle: false }).epoch(0);
  const validForBleu = corpus.valid.slice(0, Math.min(o.validBleuSentences, corpus.valid.length));

  const optimizer = new Adam(model.parameters(), { lr: o.lr, betas: [o.adamBetas[0], o.adamBetas[1]], eps: o.adamEps });
  const schedule = new LrSchedule({ kind: o.lrSchedule, peak: o.lr, warmupSteps: o.warmupSteps, decaySteps: o.lrDecaySteps, decayFraction: o.lrDecayFraction,
    final: o.lrFinal, factor: o.lrDecay, patience: o.lrPatience });
  const backend = getBackend().name;
  log(`translate: ${runConfig.data.kind} data, ${corpus.train.length}/${corpus.valid.length}/${corpus.test.length} train/valid/test pairs; ` +
    `vocab ${pipeline.srcVocab.size} zh / ${pipeline.tgtVocab.size} en; ${model.config.kind} model` +
    `${model.config.kind === 'attention' ? ` (${String(runConfig.model.attention)})` : ''}, ${model.numParameters()} parameters; backend ${backend}`);
  log(`run folder: ${runDir}`);

  // Validation loss always; greedy BLEU on the first validation sentences picks the checkpoint
  // (without validation sentences to decode there is no BLEU to select by: the loss decides).
  const byLoss = o.selectBy === 'loss' || validForBleu.length === 0;
  const evaluate = (): Evaluation => {
    const validLoss = meanLoss(model, validBatches);
    const ev = validForBleu.length > 0 ? evaluateBleu(model, pipeline, validForBleu, { method: 'greedy' }, o.bleuLowercase) : { bleu: NaN, seconds: 0 };
    return {
      score: byLoss ? -validLoss : ev.bleu, loss: validLoss,
      metrics: { validLoss, validBleuGreedy: ev.bleu, evalSeconds: +ev.seconds.toFixed(2) },
      text: `valid loss ${validLoss.toFixed(3)}, ${validForBleu.length > 0 ? `valid BLEU (greedy, ${validForBleu.length} sent.) ${ev.bleu.toFixed(2)}` : 'no valid BLEU'}`,
    };
  };

  let summary!: TrainSummary;
  await train({
    model, optimizer, batches: batcher, schedule, evaluate, runDir, config: runConfig as unknown as JsonValue, resume: options.resume !== undefined,
    loss: (b: Batch) => ({ loss: batchLoss(model.forward(b).logits, b.tgtOut, o.labelSmoothing), items: b.tgtTokens }),
    epochs: o.epochs, maxMinutes: o.maxMinutes, maxSteps: o.maxSteps, clip: o.clip, patience: o.patience,
    resumeHint: (lr) => `resume with a lower learning rate: attentive train translate --resume ${runDir} --lr ${+lr.toPrecision(2)}`,
    log, progress: options.progress, name: 'trainTranslation', units: 'tok', upgradeState: (old) => upgradeTrainerState(old, byLoss),
    summarize: async (r) => {
      summary = {
        runDir, backend, epochs: r.epochs, steps: r.steps, stoppedBy: r.stoppedBy, trainSeconds: r.trainSeconds,
        tokensPerSecond: r.itemsPerSecond, bestEpoch: r.bestEpoch,
        // without validation decoding there is no BLEU; JSON cannot hold NaN
        bestValidBleu: Number.isFinite(r.bestMetrics.validBleuGreedy) ? r.bestMetrics.validBleuGreedy : -1,
        bestValidLoss: +r.bestLoss.toFixed(4), parameters: model.numParameters(), results: { valid: {}, test: {} }, bleuSignature: '',
      };
      // Scoring test once after validation chose the run (`--resume RUN --epochs 0 --final-eval-splits test`)
      // must not erase the validation scores: when nothing was trained since, keep the saved results.
      const saved = options.resume ? readSavedSummary(runDir) : null;
      if (saved && saved.steps === r.steps) {
        for (const split of ['valid', 'test'] as const) if (!o.finalEvalSplits.includes(split)) summary.results[split] = saved.results?.[split] ?? {};
        summary.bleuSignature = saved.bleuSignature ?? '';
        // how the training ended is the training's record, not the re-evaluation's (`--epochs 0` would say 'epochs')
        if (saved.stoppedBy) summary.stoppedBy = saved.stoppedBy;
        if (typeof saved.tokensPerSecond === 'number') summary.tokensPerSecond = saved.tokensPerSecond;
      }
      if (!o.skipFinalEval) await finalEvaluation(model, pipeline, corpus, o, runDir, summary, log);
      return summary as unknown as JsonValue;
    },
  });
  log(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s; run folder ${runDir}`);
  return summary;
}

/**
 * last/trainer.json as runs wrote it before the shared training loop: the same counters under
 * translation names, the plateau schedule's fields loose. `byLoss`: how this run selects.
 */
function upgradeTrainerState(old: Record<string, unknown>, byLoss: boolean): LoopState {
  const n = (k: string, d: number) => (typeof old[k] === 'number' ? (old[k] as number) : d);
  const bleu = n('bestValidBleu', -1);
  const loss = typeof old.bestValidLoss === 'number' ? old.bestValidLoss : null;
  const improvedOnce = n('bestEpoch', -1) >= 1;
  return {
    epoch: n('epoch', 0), batchInEpoch: n('batchInEpoch', 0), step: n('step', 0), rng: old.rng as (number | null)[],
    bestScore: improvedOnce ? (byLoss ? (loss === null ? null : -loss) : bleu) : null, bestLoss: loss, bestEpoch: n('bestEpoch', -1),
    bestMetrics: improvedOnce ? { validLoss: loss, validBleuGreedy: bleu < 0 ? null : bleu } : {},
    badEpochs: n('badEpochs', 0), trainSeconds: n('trainSeconds', 0), trainItems: n('trainTokens', 0), finished: old.finished === true,
    schedule: { scale: n('lrScale', 1), plateau: { best: typeof old.minValidLoss === 'number' ? old.minValidLoss : null, badEpochs: n('lrBadEpochs', 0), cooldownLeft: 0 } },
    progress: n('lrProgress', 0),
  };
}

/** summary.json of an earlier finish of this run, or null (none yet, or unreadable: then nothing is kept). */
function readSavedSummary(runDir: string): Partial<TrainSummary> | null {
  const file = join(runDir, 'summary.json');
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Partial<TrainSummary>;
  } catch {
    return null;
  }
}

/** Greedy and beam (and optionally exact) BLEU of the chosen model on valid and test; writes the hypotheses beside. */
async function finalEvaluation(
  model: TranslationModel, pipeline: TextPipeline, corpus: { valid: Pair[]; test: Pair[] },
  o: { finalEvalSplits: readonly ('valid' | 'test')[]; finalEvalSentences: number; finalBeamSize: number; finalLengthPenalty: number; exactNodeBudget: number; exactSentences: number; bleuLowercase: boolean },
  runDir: string, summary: TrainSummary, log: (s: string) => void,
): Promise<void> {
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
