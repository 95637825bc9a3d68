import { Command, InvalidArgumentError, Option } from 'commander';
import { CAPTION_MODEL_KINDS, type CaptionModelKind } from '../models/caption/config.js';
import { trainCaption, type TrainCaptionOptions } from '../models/caption/train-node.js';

const num = (flag: string) => (v: string): number => {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`${flag} must be a number, got '${v}'`);
  return n;
};
const int = (flag: string, min = 0) => (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${flag} must be an integer >= ${min}, got '${v}'`);
  return n;
};
const intList = (flag: string) => (v: string): number[] => {
  const xs = v.split(',').map(Number);
  if (xs.length !== 3 || !xs.every((n) => Number.isInteger(n) && n > 0)) throw new InvalidArgumentError(`${flag} must be three positive integers like 16,32,64, got '${v}'`);
  return xs;
};

interface Flags {
  model?: CaptionModelKind; out?: string; resume?: string; maxMinutes?: number; epochs?: number; maxSteps?: number; seed?: number;
  mnistSeed?: number; order?: 'reading' | 'random'; batchSize?: number; stepsPerEpoch?: number; lr?: number; lambda?: number; clip?: number;
  validScenes?: number; testScenes?: number; beamSize?: number; channels?: number[]; emb?: number; hidden?: number; attentionSize?: number;
  batchNorm?: 'none' | 'last' | 'all'; gate?: boolean; imageEveryStep?: boolean; dropout?: number; skipFinalEval?: boolean; progress?: boolean;
}

/** The library options of a `train caption` command line. */
export function trainCaptionOptions(f: Flags): TrainCaptionOptions {
  if (!f.model && !f.resume) throw new Error('train caption: --model show-tell|attention is required (or --resume RUN)');
  const modelConfig = Object.fromEntries(Object.entries({
    channels: f.channels, embSize: f.emb, hiddenSize: f.hidden, attentionSize: f.attentionSize, batchNorm: f.batchNorm,
    gate: f.gate === false ? false : undefined, imageEveryStep: f.imageEveryStep, dropout: f.dropout,
  }).filter(([, v]) => v !== undefined));
  return {
    model: f.model ?? 'attention', modelConfig, out: f.out, resume: f.resume, maxMinutes: f.maxMinutes, epochs: f.epochs, maxSteps: f.maxSteps,
    seed: f.seed, mnistSeed: f.mnistSeed, order: f.order, batchSize: f.batchSize, stepsPerEpoch: f.stepsPerEpoch, lr: f.lr, lambda: f.lambda,
    clip: f.clip, validScenes: f.validScenes, testScenes: f.testScenes, beamSize: f.beamSize, skipFinalEval: f.skipFinalEval, progress: f.progress,
  };
}

/** Registers `attentive train caption` under the `train` command group. */
export function registerTrainCaptionCommand(program: Command): void {
  const train = program.commands.find((c) => c.name() === 'train') ?? program.command('train').description('train a model (see the tasks below)');
  train
    .command('caption')
    .description('train an image captioner on digit scenes (Show-and-Tell or Show-Attend-Tell) and write a run folder')
    .addOption(new Option('--model <kind>', 'show-tell (pooled image starts the LSTM) | attention (soft attention over the 3x3 regions)').choices([...CAPTION_MODEL_KINDS]))
    .option('--out <dir>', 'run folder (default runs/caption-<model>-<timestamp>)')
    .option('--resume <dir>', 'continue the run in this folder from its last checkpoint')
    .option('--max-minutes <m>', 'training time budget in minutes (default 10)', num('--max-minutes'))
    .option('--epochs <n>', 'maximum epochs (default: until the time budget)', int('--epochs', 1))
    .option('--max-steps <n>', 'maximum optimizer steps', int('--max-steps', 1))
    .option('--seed <s>', 'random seed (default 0)', int('--seed'))
    .option('--mnist-seed <s>', 'seed of the MNIST split into train/valid/test digits (default 0)', int('--mnist-seed'))
    .addOption(new Option('--order <order>', 'order in which captions mention the digits (default reading)').choices(['reading', 'random']))
    .option('--batch-size <b>', 'scenes per batch (default 64)', int('--batch-size', 1))
    .option('--steps-per-epoch <n>', 'batches of fresh scenes per epoch (default 100)', int('--steps-per-epoch', 1))
    .option('--lr <lr>', 'Adam learning rate (default 2e-3)', num('--lr'))
    .option('--lambda <l>', 'weight λ of the doubly stochastic attention regulariser λ·Σ_i(1 − Σ_t α_ti)² (default 0)', num('--lambda'))
    .option('--clip <norm>', 'gradient-norm clipping (default 5)', num('--clip'))
    .option('--valid-scenes <n>', 'validation scenes (default 300)', int('--valid-scenes', 1))
    .option('--test-scenes <n>', 'held-out test scenes for the final scores (default 1000)', int('--test-scenes', 1))
    .option('--beam-size <k>', 'beam width of the final beam evaluation, 0 to skip (default 5)', int('--beam-size'))
    .option('--channels <a,b,c>', 'conv channels of the three encoder blocks (default 16,32,64)', intList('--channels'))
    .option('--emb <e>', 'word embedding size (default 32)', int('--emb', 1))
    .option('--hidden <h>', 'decoder LSTM size (default 128)', int('--hidden', 1))
    .option('--attention-size <a>', 'additive attention size (default 64)', int('--attention-size', 1))
    .addOption(new Option('--batch-norm <where>', 'BatchNorm after the convolutions: none, last (default) or all').choices(['none', 'last', 'all']))
    .option('--no-gate', 'attention model: no gating scalar β')
    .option('--image-every-step', 'show-tell model: feed the pooled image at every step too')
    .option('--dropout <p>', 'dropout before the output layer (default 0.1)', num('--dropout'))
    .option('--skip-final-eval', 'no test evaluation at the end')
    .option('--progress', 'progress bar')
    .action(async (f: Flags) => {
      await trainCaption(trainCaptionOptions(f));
    });
}
