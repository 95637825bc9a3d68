import { Command } from 'commander';
import { VERSION } from '../version.js';
import { backendInfo, selectBackend } from '../backend/select-node.js';
import { registerBleuCommand } from './bleu.js';
import { registerDemoCommand } from './demo.js';
import { registerTrainCommand } from './train.js';
import { registerTranslateCommand } from './translate.js';
import { registerStartCommand } from './start.js';
import { registerExperimentCommand } from './experiment.js';
import { registerPretrainCommand } from './pretrain.js';
import { registerDataCommand } from './data.js';
import { registerTrainText2ImageCommand } from './train-text2image.js';
import { registerDrawCommand } from './draw.js';
import { registerDataScenesCommand } from './data-scenes.js';
import { registerTrainCaptionCommand } from './train-caption.js';
import { registerCaptionCommand } from './caption.js';
import { registerLabCommand } from './lab.js';

/** Builds the `attentive` command tree (exported so tests can run commands in-process). */
export function buildProgram(): Command {
  const program = new Command();
  program
    .name('attentive')
    .description('Train, run and look inside classic deep sequence models: LSTMs, attention, beam search, BLEU.')
    .version(VERSION, '-V, --version', 'print the version')
    .showHelpAfterError();
  program
    .command('version')
    .description('print the version and the active compute backend')
    .action(() => {
      const b = backendInfo();
      console.log(`attentive ${VERSION}`);
      console.log(`backend: ${b.name}${b.nativeAvailable ? '' : ` (native unavailable: ${b.nativeLoadError ?? 'not built'})`}`);
      console.log(`node: ${process.version}`);
    });
  registerBleuCommand(program);
  registerDemoCommand(program);
  registerTrainCommand(program);
  registerTranslateCommand(program);
  registerStartCommand(program);
  registerExperimentCommand(program);
  registerPretrainCommand(program);
  registerDataCommand(program);
  registerTrainText2ImageCommand(program);
  registerDrawCommand(program);
  registerDataScenesCommand(program);
  registerTrainCaptionCommand(program);
  registerCaptionCommand(program);
  registerLabCommand(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  // `attentive bleu ... | head -1`: a reader that closes the pipe early is not an error
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  try {
    selectBackend();
    await buildProgram().parseAsync(argv);
  } catch (err) {
    console.error(`attentive: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
}
