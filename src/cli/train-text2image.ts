import { Command, InvalidArgumentError } from 'commander';
import '../autograd/index.js';
import { T2I_TRAIN_DEFAULTS, trainText2Image } from '../models/text2image/train-node.js';

const positive = (name: string, int: boolean) => (v: string): number => {
  const n = Number(v);
  if (!(Number.isFinite(n) && n > 0 && (!int || Number.isInteger(n)))) throw new InvalidArgumentError(`${name} must be a positive ${int ? 'integer' : 'number'}, got '${v}'`);
  return n;
};
const nonNegativeInt = (name: string) => (v: string): number => {
  const n = Number(v);
  if (!(Number.isInteger(n) && n >= 0)) throw new InvalidArgumentError(`${name} must be a non-negative integer, got '${v}'`);
  return n;
};

interface Flags {
  out?: string; maxMinutes?: number; maxSteps?: number; seed?: number; batchSize?: number; lr?: number;
  evalEvery?: number; validScenes?: number; testScenes?: number; judgeEpochs?: number; judgeDigits?: number; hidden?: number;
  cellLossWeight?: number; pool?: 'last' | 'sum' | 'attention'; lrSchedule?: 'constant' | 'wsd';
}

/** `attentive train text2image ...`: trains a caption → picture model on digit scenes into a run folder. */
export function registerTrainText2ImageCommand(program: Command): void {
  const train = program.commands.find((c) => c.name() === 'train') ?? program.command('train').description('train a model (see the tasks below)');
  const d = T2I_TRAIN_DEFAULTS;
  train
    .command('text2image')
    .description('train an LSTM + deconvolution model that draws digit scenes from captions, judged by a digit classifier; writes a run folder')
    .option('--out <dir>', 'run folder (default runs/text2image-<timestamp>; must not exist or be empty)')
    .option('--max-minutes <m>', `time budget of all training in minutes: the judge first, then the drawing model gets the rest (default ${d.maxMinutes})`, positive('--max-minutes', false))
    .option('--max-steps <n>', 'stop after this many optimizer steps (default: the time budget decides)', positive('--max-steps', true))
    .option('--seed <s>', `random seed (default ${d.seed})`, nonNegativeInt('--seed'))
    .option('--batch-size <b>', `scenes per step (default ${d.batchSize})`, positive('--batch-size', true))
    .option('--lr <lr>', `Adam learning rate (default ${d.lr})`, positive('--lr', false))
    .option('--lr-schedule <kind>', `'constant' or 'wsd' (constant, then down to 0 over the last quarter of the budget; default ${d.lrSchedule})`, (v) => {
      if (v !== 'constant' && v !== 'wsd') throw new InvalidArgumentError(`must be 'constant' or 'wsd', got '${v}'`);
      return v;
    })
    .option('--hidden <h>', 'caption LSTM size per direction (default 128)', positive('--hidden', true))
    .option('--pool <kind>', "sentence vector from the LSTM: 'attention' (9 attention hops over its outputs, default), 'sum' (of its outputs) or 'last' (its final states)", (v) => {
      if (v !== 'attention' && v !== 'sum' && v !== 'last') throw new InvalidArgumentError(`must be 'attention', 'sum' or 'last', got '${v}'`);
      return v;
    })
    .option('--cell-loss-weight <w>', `weight of the auxiliary loss reading each cell's digit from its cell vector; 0 = pixel loss only (default ${d.cellLossWeight})`, (v) => {
      const n = Number(v);
      if (!(Number.isFinite(n) && n >= 0)) throw new InvalidArgumentError(`--cell-loss-weight must be a non-negative number, got '${v}'`);
      return n;
    })
    .option('--eval-every <n>', `steps between validation evaluations (default ${d.evalEvery})`, positive('--eval-every', true))
    .option('--valid-scenes <n>', `validation scenes (default ${d.validScenes})`, positive('--valid-scenes', true))
    .option('--test-scenes <n>', `held-out test scenes judged at the end (default ${d.testScenes})`, positive('--test-scenes', true))
    .option('--judge-epochs <n>', `epochs of the judge over the training digits (default ${d.judgeEpochs})`, positive('--judge-epochs', true))
    .option('--judge-digits <n>', 'training digits the judge learns from (default all 7000)', positive('--judge-digits', true))
    .action(async (f: Flags) => {
      const s = await trainText2Image({
        out: f.out, maxMinutes: f.maxMinutes, maxSteps: f.maxSteps, seed: f.seed, batchSize: f.batchSize, lr: f.lr, evalEvery: f.evalEvery,
        validScenes: f.validScenes, testScenes: f.testScenes, judgeEpochs: f.judgeEpochs, judgeDigits: f.judgeDigits,
        cellLossWeight: f.cellLossWeight, lrSchedule: f.lrSchedule, log: (l) => console.log(l),
        model: f.hidden || f.pool ? { ...(f.hidden ? { hiddenSize: f.hidden } : {}), ...(f.pool ? { pool: f.pool } : {}) } : undefined,
      });
      console.log(`\n== held-out test captions (${s.test.scenes}) ==`);
      console.log(`digit cells right   ${(100 * s.test.digitAccuracy).toFixed(2)} %  (${s.test.digitCells} cells)`);
      console.log(`empty cells right   ${(100 * s.test.emptyAccuracy).toFixed(2)} %  (${s.test.emptyCells} cells)`);
      console.log(`whole scenes right  ${(100 * s.test.sceneAccuracy).toFixed(2)} %`);
      console.log(`judge on test digits ${(100 * s.judge.testAccuracy).toFixed(2)} %`);
    });
}
