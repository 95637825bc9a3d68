/**
 * The training loop every task shares (translation, captioning, ...). A task hands it a model, an
 * optimizer, a batch source, a loss, an evaluator and a run folder; the loop does the rest:
 *
 *   for each epoch, for each batch:   lr from the schedule → loss → NaN/Inf check → backward
 *                                     → clip → optimizer step → progress bar
 *   after each epoch (or a cut):      evaluate → metrics.jsonl → plateau rule → best checkpoint
 *                                     → early stopping → last/ checkpoint
 *   at the end:                       best weights back into the model → summary.json
 *
 * Run folder: model.safetensors + config.json (the best model so far), metrics.jsonl (one line
 * per evaluation), last/ (weights, optimizer moments, RNG, data position, schedule state: what
 * an exact resume needs), summary.json. Same seed + backend + settings give the same bits, and a
 * resumed run gives the bits an uninterrupted one gives.
 */
import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import { detectAnomaly } from '../autograd/anomaly.js';
import { noGrad } from '../autograd/grad-mode.js';
import { loadCheckpoint, saveCheckpoint, type JsonValue } from '../io/checkpoint-node.js';
import { loadSafetensors, writeFileAtomic } from '../io/files-node.js';
import { loadWeightsInto, optimizerFromArrays, optimizerToArrays, weightsOf } from '../io/module-state.js';
import type { NamedArrays } from '../io/named-arrays.js';
import { encodeSafetensors } from '../io/safetensors.js';
import type { Module } from '../nn/module.js';
import { clipGradNorm } from '../optim/clip.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { LrSchedule, LrScheduleState } from '../optim/schedulers.js';
import { defaultGenerator } from '../tensor/rng.js';
import type { Tensor } from '../tensor/tensor.js';

/** File names of a run folder written by {@link train}; tasks add their own files beside them. */
export const TRAIN_FILES = {
  weights: 'model.safetensors',
  config: 'config.json',
  metrics: 'metrics.jsonl',
  summary: 'summary.json',
  last: 'last',
} as const;

/** Where batches come from. `epoch(e)` must return the same batches in the same order each time it is asked (resume relies on it). */
export interface BatchSource<B> {
  epoch(epoch: number): readonly B[];
}

/** What the evaluator reports after an epoch. */
export interface Evaluation {
  /** Higher is better: picks the best checkpoint and drives early stopping (use −loss to select by loss). */
  score: number;
  /** Validation loss: breaks ties between equal scores and feeds the 'plateau' schedule. */
  loss: number;
  /** Written to metrics.jsonl (finite numbers or NaN; NaN is written as null). */
  metrics: Record<string, number>;
  /** What the log line says about it, e.g. "valid loss 1.234, valid BLEU 20.1". */
  text: string;
}

/** Everything the loop needs. */
export interface TrainSetup<B> {
  model: Module;
  optimizer: Optimizer<object>;
  batches: BatchSource<B>;
  /** Loss of one batch in training mode, and how many items (e.g. target tokens) it averages over. */
  loss: (batch: B) => { loss: Tensor; items: number };
  /** Validation; the loop runs it in eval mode without gradients. It must not draw from the RNG, or a resumed run would differ from an uninterrupted one. */
  evaluate: () => Evaluation;
  schedule: LrSchedule;
  /** Run folder (created if missing). */
  runDir: string;
  /** Written as config.json beside the best weights and into last/: enough to rebuild the model. */
  config: JsonValue;
  /** Continue from runDir's last/ checkpoint (weights, optimizer, RNG, position, schedule). */
  resume?: boolean;
  /** Maximum epochs (default Infinity: then maxMinutes or maxSteps must end the run). */
  epochs?: number;
  /** Training time budget of this session in minutes (default Infinity; evaluation included, final evaluation not). */
  maxMinutes?: number;
  /** Stop after this many optimizer steps in total (default Infinity). */
  maxSteps?: number;
  /** Global gradient-norm cap (default Infinity: no clipping). */
  clip?: number;
  /** Evaluations without a better score before stopping (default Infinity). */
  patience?: number;
  /** How to tell a user to resume with a lower learning rate (the NaN stop's message); default names the run folder. */
  resumeHint?: (lowerLr: number) => string;
  /** Converts a last/trainer.json written in an older format (one without `schedule`) into a LoopState. */
  upgradeState?: (old: Record<string, unknown>) => LoopState;
  /** Turns the loop's result into summary.json (default: the result itself). */
  summarize?: (result: TrainResult) => Promise<JsonValue> | JsonValue;
  log?: (line: string) => void;
  /** Progress bar (default: when stdout is a terminal). */
  progress?: boolean;
  /** Name in log lines (default 'train'). */
  name?: string;
  /** What the loss counts, for speeds in the log (default 'items'; translation says 'tok'). */
  units?: string;
}

/** How the loop ended and the best evaluation. */
export interface TrainResult {
  runDir: string;
  /** Whole epochs done. */
  epochs: number;
  steps: number;
  stoppedBy: 'epochs' | 'early-stopping' | 'time' | 'steps';
  trainSeconds: number;
  itemsPerSecond: number;
  /** 1-based epoch of the best evaluation (−1: none yet). */
  bestEpoch: number;
  bestScore: number;
  bestLoss: number;
  bestMetrics: Record<string, number>;
}

/** The loop's counters, saved in last/trainer.json. */
export interface LoopState {
  epoch: number;
  batchInEpoch: number;
  step: number;
  /** Generator state; null stands for NaN (no cached normal deviate), which JSON cannot hold. */
  rng: (number | null)[];
  bestScore: number | null;
  bestLoss: number | null;
  bestEpoch: number;
  bestMetrics: Record<string, number | null>;
  badEpochs: number;
  trainSeconds: number;
  trainItems: number;
  finished: boolean;
  schedule: LrScheduleState;
  /** The part of the run that was over at the last step (the 'wsd' schedule continues from it). */
  progress: number;
}

/** Raised when the loss stops being a finite number; the run folder keeps its last good checkpoint. */
export class NonFiniteLossError extends Error {
  constructor(message: string, readonly step: number, readonly lossValue: number) {
    super(message);
    this.name = 'NonFiniteLossError';
  }
}

const rngState = (): (number | null)[] => defaultGenerator.getState().map((v) => (Number.isNaN(v) ? null : v));
const setRngState = (s: (number | null)[]) => defaultGenerator.setState(s.map((v) => v ?? NaN));
const jsonNumbers = (m: Record<string, number>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Number.isFinite(v) ? v : null]));
const fromJsonNumbers = (m: Record<string, number | null>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v ?? NaN]));

/**
 * Why the loss is not finite: the weights already hold NaN/Inf (an earlier update diverged), or
 * an op produced it, found by re-running the batch's forward pass under anomaly detection with
 * the RNG as it was (so dropout masks match).
 */
function diagnose<B>(setup: TrainSetup<B>, batch: B, rngBefore: number[]): string {
  for (const [name, p] of setup.model.namedParameters()) {
    const v = p.values();
    for (let i = 0; i < v.length; i++) {
      if (!Number.isFinite(v[i])) return `the weights already hold ${v[i]} (${name}[${i}]): an earlier update diverged`;
    }
  }
  const after = defaultGenerator.getState();
  defaultGenerator.setState(rngBefore);
  try {
    const again = detectAnomaly(() => setup.loss(batch).loss.item());
    return Number.isFinite(again)
      ? 'it was finite when recomputed under anomaly detection'
      : `no op produced NaN from finite inputs under anomaly detection (an overflow to ${again} in the forward pass)`;
  } catch (e) {
    return `produced by ${(e as Error).message}`;
  } finally {
    defaultGenerator.setState(after);
  }
}

/** Runs the loop (see the top of this file). Returns when the run ends; throws {@link NonFiniteLossError} on a NaN/Inf loss. */
export async function train<B>(setup: TrainSetup<B>): Promise<TrainResult> {
  const { model, optimizer, schedule } = setup;
  const log = setup.log ?? ((s: string) => console.log(s));
  const name = setup.name ?? 'train';
  const units = setup.units ?? 'items';
  const runDir = resolve(setup.runDir);
  const epochs = setup.epochs ?? Infinity;
  const maxSteps = setup.maxSteps ?? Infinity;
  const maxMinutes = setup.maxMinutes ?? Infinity;
  const clip = setup.clip ?? Infinity;
  const patience = setup.patience ?? Infinity;
  const files = (f: keyof typeof TRAIN_FILES) => join(runDir, TRAIN_FILES[f]);

  let s: LoopState;
  let bestWeights: NamedArrays | null = null;
  if (setup.resume) {
    const last = await loadCheckpoint(files('last')).catch((e: Error) => {
      throw new Error(`${name}: cannot resume ${runDir}: ${e.message}`);
    });
    loadWeightsInto(model, last.weights, join(files('last'), TRAIN_FILES.weights));
    if (last.optimizer) optimizer.loadStateDict(optimizerFromArrays(last.optimizer.tensors, last.optimizer.state as never));
    const saved = last.trainer as Record<string, unknown>;
    if (saved.schedule === undefined && !setup.upgradeState) throw new Error(`${name}: cannot resume ${runDir}: ${join(files('last'), 'trainer.json')} has an older format`);
    s = saved.schedule === undefined ? setup.upgradeState!(saved) : (saved as unknown as LoopState);
    schedule.loadStateDict(s.schedule);
    if (existsSync(files('weights'))) bestWeights = (await loadSafetensors(files('weights'))).tensors;
    log(`resuming ${runDir} at epoch ${s.epoch + 1}, step ${s.step}`);
  } else {
    mkdirSync(runDir, { recursive: true });
    s = {
      epoch: 0, batchInEpoch: 0, step: 0, rng: rngState(), bestScore: null, bestLoss: null, bestEpoch: -1, bestMetrics: {},
      badEpochs: 0, trainSeconds: 0, trainItems: 0, finished: false, schedule: schedule.stateDict(), progress: 0,
    };
  }
  setRngState(s.rng);
  const bestScore = () => s.bestScore ?? -Infinity;
  const bestLoss = () => s.bestLoss ?? Infinity;

  // What last/ holds, for the NaN stop's message.
  const describe = () => (s.batchInEpoch === 0 ? `step ${s.step}, end of epoch ${s.epoch}` : `step ${s.step}, epoch ${s.epoch + 1} batch ${s.batchInEpoch}`);
  let savedAt = setup.resume ? describe() : null;
  const saveLast = async () => {
    savedAt = describe();
    s.rng = rngState();
    s.schedule = schedule.stateDict();
    await saveCheckpoint(files('last'), {
      weights: weightsOf(model), config: setup.config,
      optimizer: optimizerToArrays(optimizer.stateDict()) as never, trainer: s as unknown as JsonValue,
    });
  };

  const sessionStart = performance.now();
  const budgetMs = maxMinutes * 60_000;
  const deadline = sessionStart + budgetMs;
  const secondsBefore = s.trainSeconds;
  const progressBefore = s.progress;
  // The part of the run that is over, by this session's clock or by steps, whichever is further;
  // a resumed run carries on from the progress it had reached, never back up the ramp.
  const runProgress = (batchesPerEpoch: number): number => {
    const byTime = Number.isFinite(budgetMs) && budgetMs > 0 ? progressBefore + (1 - progressBefore) * (performance.now() - sessionStart) / budgetMs : 0;
    const bySteps = Math.max(
      Number.isFinite(epochs) && epochs > 0 ? (s.step + 1) / (epochs * batchesPerEpoch) : 0,
      Number.isFinite(maxSteps) && maxSteps > 0 ? (s.step + 1) / maxSteps : 0,
    );
    s.progress = Math.min(1, Math.max(byTime, bySteps, s.progress));
    return s.progress;
  };
  if (schedule.needsProgress && !Number.isFinite(budgetMs) && !Number.isFinite(epochs) && !Number.isFinite(maxSteps)) {
    throw new Error(`${name}: the '${schedule.o.kind}' schedule needs a run length: maxMinutes, a finite epochs or maxSteps`);
  }
  const useBar = setup.progress ?? process.stdout.isTTY === true;
  let stoppedBy: TrainResult['stoppedBy'] = 'epochs';

  while (!s.finished && s.epoch < epochs && s.step < maxSteps) {
    const batches = setup.batches.epoch(s.epoch);
    const bar = useBar
      ? new cliProgress.SingleBar({ format: `epoch {epoch} |{bar}| {value}/{total} loss {loss} | {ips} ${units}/s | ETA {eta_formatted}`, hideCursor: true, clearOnComplete: true },
        cliProgress.Presets.shades_classic)
      : null;
    bar?.start(batches.length, s.batchInEpoch, { epoch: s.epoch + 1, loss: '-', ips: '-' });
    let lossSum = 0, lossItems = 0;
    const epochStart = performance.now();
    let cut: 'time' | 'steps' | null = null;
    model.train();
    for (let i = s.batchInEpoch; i < batches.length; i++) {
      const batch = batches[i];
      const step = s.step + 1;
      optimizer.lr = schedule.rate(step, schedule.needsProgress ? runProgress(batches.length) : 0);
      const rngBefore = defaultGenerator.getState();
      const { loss, items } = setup.loss(batch);
      const l = loss.item();
      if (!Number.isFinite(l)) {
        bar?.stop();
        const why = diagnose(setup, batch, rngBefore);
        const kept = savedAt ? `its last good checkpoint (${files('last')}, ${savedAt})` : 'no checkpoint yet (the first epoch did not finish)';
        const lower = optimizer.lr / 10;
        const hint = setup.resumeHint ? setup.resumeHint(lower) : `resume from ${runDir} with a lower learning rate (e.g. ${lower.toExponential(1)})`;
        throw new NonFiniteLossError(`${name}: the loss became ${l} at step ${step} (epoch ${s.epoch + 1}, batch ${i + 1}/${batches.length}, lr ${optimizer.lr.toExponential(2)}): ${why}. ` +
          `Training stopped; the run folder keeps ${kept}. To go on, ${hint}`, step, l);
      }
      optimizer.zeroGrad();
      loss.backward();
      // a non-finite gradient norm skips the update (clipGradNorm leaves the gradients as they are)
      if (Number.isFinite(clipGradNorm(model.parameters(), clip))) optimizer.step();
      s.step++;
      s.batchInEpoch = i + 1;
      lossSum += l * items;
      lossItems += items;
      const ips = lossItems / ((performance.now() - epochStart) / 1000);
      if (bar) bar.update(i + 1, { loss: (lossSum / lossItems).toFixed(3), ips: ips.toFixed(0) });
      else if ((i + 1) % Math.max(1, Math.ceil(batches.length / 5)) === 0 || i + 1 === batches.length) {
        log(`epoch ${s.epoch + 1} step ${i + 1}/${batches.length} loss ${(lossSum / lossItems).toFixed(3)} ${ips.toFixed(0)} ${units}/s lr ${optimizer.lr.toExponential(2)}`);
      }
      if (performance.now() > deadline) cut = 'time';
      else if (s.step >= maxSteps) cut = 'steps';
      if (cut) break;
    }
    bar?.stop();
    s.trainItems += lossItems;
    s.trainSeconds = secondsBefore + (performance.now() - sessionStart) / 1000;
    const epochDone = s.batchInEpoch >= batches.length;

    // Evaluation after every epoch, and once more for a partial epoch cut by the budget.
    model.eval();
    const ev = noGrad(() => setup.evaluate());
    const improved = ev.score > bestScore() || (ev.score === bestScore() && ev.loss < bestLoss());
    const record = {
      epoch: s.epoch + 1, partial: !epochDone, step: s.step, trainLoss: lossSum / Math.max(1, lossItems), ...ev.metrics,
      lr: optimizer.lr, trainSeconds: +s.trainSeconds.toFixed(2), tokensPerSecond: +(lossItems / ((performance.now() - epochStart) / 1000)).toFixed(1), best: improved,
    };
    appendFileSync(files('metrics'), `${JSON.stringify(record, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v))}\n`);
    log(`epoch ${record.epoch}${record.partial ? ' (partial)' : ''}: train loss ${record.trainLoss.toFixed(3)}, ${ev.text}${improved ? ' *' : ''}, ` +
      `${record.tokensPerSecond} ${units}/s, lr ${optimizer.lr.toExponential(2)}`);
    // Only whole epochs count for the plateau rule, so a partial epoch cut by the budget cannot cut the lr.
    if (epochDone && schedule.observe(ev.loss)) log(`validation loss did not improve: lr × ${schedule.o.factor} → ${schedule.rate(s.step).toExponential(2)}`);
    if (improved) {
      s.bestScore = ev.score;
      s.bestLoss = ev.loss;
      s.bestEpoch = s.epoch + 1;
      s.bestMetrics = jsonNumbers(ev.metrics);
      s.badEpochs = 0;
      bestWeights = weightsOf(model);
      await writeFileAtomic(files('weights'), encodeSafetensors(bestWeights, { format: 'pt' }));
      await writeFileAtomic(files('config'), `${JSON.stringify(setup.config, null, 2)}\n`);
    } else if (epochDone) {
      s.badEpochs++;
    }
    if (epochDone) {
      s.epoch++;
      s.batchInEpoch = 0;
    }
    if (s.badEpochs >= patience) {
      stoppedBy = 'early-stopping';
      s.finished = true;
      log(`early stopping: no better validation score for ${patience} epochs (best at epoch ${s.bestEpoch})`);
    }
    await saveLast();
    if (cut === 'time') log(`time budget of ${maxMinutes} min reached`);
    if (cut) {
      stoppedBy = cut;
      break;
    }
  }
  if (stoppedBy === 'epochs' && s.step >= maxSteps && s.epoch < epochs) stoppedBy = 'steps';

  if (bestWeights) loadWeightsInto(model, bestWeights, files('weights'));
  model.eval();
  const result: TrainResult = {
    runDir, epochs: s.epoch, steps: s.step, stoppedBy, trainSeconds: +s.trainSeconds.toFixed(2),
    itemsPerSecond: +(s.trainItems / Math.max(1e-9, s.trainSeconds)).toFixed(1),
    bestEpoch: s.bestEpoch, bestScore: bestScore(), bestLoss: bestLoss(), bestMetrics: fromJsonNumbers(s.bestMetrics),
  };
  const summary = setup.summarize ? await setup.summarize(result) : (JSON.parse(JSON.stringify(result)) as JsonValue);
  await writeFileAtomic(files('summary'), `${JSON.stringify(summary, null, 2)}\n`);
  return result;
}
