import type { Command } from 'commander';
import { intOption, outputFolderOption } from './validate.js';
import { runVanishing } from './experiments/vanishing.js';
import { runDataSize } from './experiments/data-size.js';
import { runOverfitting } from './experiments/overfitting.js';
import { runPretraining } from './experiments/pretraining.js';
import { textTable, type ExperimentOptions, type ExperimentResult } from './experiments/report-node.js';

/** Names accepted by `attentive experiment <name>`. */
export const EXPERIMENTS = ['vanishing', 'data-size', 'overfitting', 'pretraining'] as const;
export type ExperimentName = (typeof EXPERIMENTS)[number];

export interface RunExperimentOptions extends ExperimentOptions {
  augment?: boolean;
  seeds?: number;
}

/** Runs one experiment by name (used by the CLI and the tests). */
export function runExperiment(name: string, o: RunExperimentOptions): ExperimentResult {
  switch (name) {
    case 'vanishing': return runVanishing(o);
    case 'data-size': return runDataSize(o);
    case 'overfitting': return runOverfitting(o);
    case 'pretraining': return runPretraining(o);
    default: throw new Error(`experiment: unknown experiment '${name}' (choose one of ${EXPERIMENTS.join(', ')})`);
  }
}

const int = (name: string) => intOption(name, name === '--seeds' ? { min: 1 } : { min: 0 });

export function registerExperimentCommand(program: Command): void {
  program
    .command('experiment')
    .description('run a measured experiment on MNIST: vanishing | data-size | overfitting | pretraining')
    .argument('<name>', `one of ${EXPERIMENTS.join(', ')}`)
    .option('--quick', 'a small, fast version (as the tests run it)', false)
    .option('--json', 'print the result table as one JSON array of rows (and nothing else on stdout)', false)
    .option('--seed <n>', 'random seed (data split, init, batches)', int('--seed'), 0)
    .option('--out <dir>', 'run folder (default runs/<name>-<timestamp>)', outputFolderOption('--out'))
    .option('--progress', 'show a progress bar even when stdout is not a terminal')
    .option('--augment', 'data-size: also train with random shifts of up to 2 pixels', false)
    .option('--seeds <n>', 'pretraining: number of seeds', int('--seeds'), 3)
    .action((name: string, o: { quick: boolean; json: boolean; seed: number; out?: string; progress?: boolean; augment: boolean; seeds: number }) => {
      const log = o.json ? () => {} : (s: string) => console.log(s);
      const r = runExperiment(name, {
        quick: o.quick, seed: o.seed, out: o.out, augment: o.augment, seeds: o.seeds,
        progress: o.progress ?? (!o.json && process.stdout.isTTY === true), log,
      });
      if (o.json) {
        console.log(JSON.stringify(r.rows));
        return;
      }
      console.log('');
      console.log(textTable(r.columns, r.rows));
      console.log(`\nreport: ${r.dir}/report.md  (${r.seconds.toFixed(1)} s)`);
    });
}
