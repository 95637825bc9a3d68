import type { Command } from 'commander';
import { intOption } from './validate.js';
import { makeMoons } from '../data/two-moons.js';
import * as F from '../autograd/ops/index.js';
import { noGrad } from '../autograd/grad-mode.js';
import { manualSeed } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { Linear, ReLU, Sequential, crossEntropy } from '../nn/index.js';
import { Adam } from '../optim/index.js';
import { getBackend } from '../backend/registry.js';

export interface DemoOptions {
  steps: number;
  seed: number;
  log: (line: string) => void;
}

/** Trains a 2-32-32-2 MLP on two moons with Adam; returns the first and last loss and accuracy. */
export function runDemo(o: DemoOptions): { firstLoss: number; lastLoss: number; accuracy: number } {
  manualSeed(o.seed);
  const n = 512;
  const data = makeMoons(n, 0.15, o.seed);
  const x = new Tensor(data.x, [n, 2]);
  const y = new Tensor(data.y, [n]);
  const model = new Sequential(new Linear(2, 32), new ReLU(), new Linear(32, 32), new ReLU(), new Linear(32, 2));
  const opt = new Adam(model.parameters(), { lr: 0.01 });
  o.log(`two moons: ${n} points, MLP 2-32-32-2, Adam(0.01), backend ${getBackend().name}`);
  let firstLoss = NaN, lastLoss = NaN;
  for (let step = 1; step <= o.steps; step++) {
    const logits = model.forward(x);
    const loss = crossEntropy(logits, y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    lastLoss = loss.item();
    if (step === 1) firstLoss = lastLoss;
    if (step === 1 || step % Math.max(1, Math.floor(o.steps / 10)) === 0) o.log(`step ${String(step).padStart(4)}  loss ${lastLoss.toFixed(4)}`);
  }
  const accuracy = noGrad(() => {
    const pred = F.argmax(model.forward(x), 1).values();
    let correct = 0;
    for (let i = 0; i < n; i++) if (pred[i] === data.y[i]) correct++;
    return correct / n;
  });
  o.log(`training accuracy ${(accuracy * 100).toFixed(1)}%  (loss ${firstLoss.toFixed(3)} -> ${lastLoss.toFixed(3)})`);
  return { firstLoss, lastLoss, accuracy };
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('train a small MLP on two moons and print the loss falling (a quick check that everything works)')
    .option('--steps <n>', 'training steps', intOption('--steps', { min: 1 }), 300)
    .option('--seed <n>', 'random seed', intOption('--seed', { min: 0 }), 0)
    .action((o: { steps: number; seed: number }) => {
      runDemo({ steps: o.steps, seed: o.seed, log: (s) => console.log(s) });
    });
}
