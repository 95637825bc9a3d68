import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import '../../src/autograd/index.js';
import * as F from '../../src/autograd/ops/index.js';
import { loadCheckpoint } from '../../src/io/checkpoint-node.js';
import { Tanh } from '../../src/nn/layers/activations.js';
import { Sequential } from '../../src/nn/layers/containers.js';
import { Dropout } from '../../src/nn/layers/dropout.js';
import { Linear } from '../../src/nn/layers/linear.js';
import { mseLoss } from '../../src/nn/losses.js';
import { Adam } from '../../src/optim/adam.js';
import { LrSchedule } from '../../src/optim/schedulers.js';
import { randn } from '../../src/tensor/creation.js';
import { manualSeed } from '../../src/tensor/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { NonFiniteLossError, train, type TrainSetup } from '../../src/train/trainer-node.js';

const quiet = () => {};
const newRunDir = () => join(mkdtempSync(join(tmpdir(), 'trainer-')), 'run');

interface XYBatch { x: Tensor; y: Tensor; shift: number }

/**
 * A small regression task with dropout (so the RNG matters): 48 rows in batches of 8, shuffled
 * per epoch by a seeded permutation. `badFromEpoch`: from that epoch on every batch asks for the
 * log of a negative number (bad input), which must stop training.
 */
function task(runDir: string, o: { resume?: boolean; badFromEpoch?: number } & Partial<TrainSetup<XYBatch>> = {}): TrainSetup<XYBatch> {
  manualSeed(11);
  const x = randn([48, 3]);
  const y = F.sum(F.mul(x, x), 1, true);
  const model = new Sequential(new Linear(3, 16), new Tanh(), new Dropout(0.2), new Linear(16, 1));
  const rows = (idx: number[]) => new Tensor(Int32Array.from(idx), [idx.length]);
  const batches = {
    epoch(e: number): XYBatch[] {
      const order = Array.from({ length: 48 }, (_, i) => (i * (7 + 2 * e) + e) % 48);
      const shift = o.badFromEpoch !== undefined && e >= o.badFromEpoch ? -1e6 : 1;
      return Array.from({ length: 6 }, (_, b) => {
        const idx = order.slice(b * 8, b * 8 + 8);
        return { x: F.indexSelect(x, 0, rows(idx)), y: F.indexSelect(y, 0, rows(idx)), shift };
      });
    },
  };
  const optimizer = new Adam(model.parameters(), { lr: 0.01 });
  return {
    model, optimizer, batches, runDir, config: { kind: 'regression' }, log: quiet, progress: false,
    schedule: new LrSchedule({ kind: 'inverse-sqrt', peak: 0.01, warmupSteps: 4 }),
    // log(mse + shift): finite for shift 1, the log of a negative number for shift −1e6
    loss: (b) => ({ loss: F.log(F.add(mseLoss(model.forward(b.x), b.y), b.shift)), items: 8 }),
    evaluate: () => {
      const loss = mseLoss(model.forward(x), y).item();
      return { score: -loss, loss, metrics: { validLoss: loss }, text: `valid loss ${loss.toFixed(4)}` };
    },
    clip: 1,
    ...o,
  };
}

const weightBytes = async (dir: string) => {
  const c = await loadCheckpoint(join(dir, 'last'));
  return {
    weights: Object.fromEntries(Object.entries(c.weights).map(([k, a]) => [k, Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength).toString('hex')])),
    optimizer: Object.fromEntries(Object.entries(c.optimizer!.tensors).map(([k, a]) => [k, Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength).toString('hex')])),
  };
};

test('train: writes metrics.jsonl per epoch, the best model with its config, last/ and summary.json', async () => {
  const dir = newRunDir();
  const r = await train(task(dir, { epochs: 3 }));
  assert.equal(r.epochs, 3);
  assert.equal(r.steps, 18);
  assert.equal(r.stoppedBy, 'epochs');
  for (const f of ['model.safetensors', 'config.json', 'metrics.jsonl', 'summary.json', 'last/trainer.json', 'last/optimizer.safetensors']) assert.ok(existsSync(join(dir, f)), f);
  const lines = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => l.step), [6, 12, 18]);
  assert.ok(lines.every((l) => Number.isFinite(l.validLoss) && Number.isFinite(l.trainLoss)));
  assert.equal(lines.at(-1).lr, 0.01 * Math.sqrt(4 / 18));
  const bestLine = lines.reduce((a, b) => (b.validLoss < a.validLoss ? b : a));
  assert.equal(r.bestEpoch, bestLine.epoch);
  assert.equal(r.bestLoss, bestLine.validLoss);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')), { kind: 'regression' });
  assert.equal(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')).steps, 18);
});

test('train: a run stopped mid-epoch and resumed ends with the same weights and optimizer state as an uninterrupted one, bit for bit', async () => {
  const whole = newRunDir();
  await train(task(whole, { epochs: 3 }));
  const cut = newRunDir();
  // stop at step 8 (inside epoch 2), then at step 13, then finish
  const r1 = await train(task(cut, { epochs: 3, maxSteps: 8 }));
  assert.equal(r1.stoppedBy, 'steps');
  assert.equal(r1.steps, 8);
  await train(task(cut, { epochs: 3, maxSteps: 13, resume: true }));
  const r3 = await train(task(cut, { epochs: 3, resume: true }));
  assert.equal(r3.steps, 18);
  const a = await weightBytes(whole);
  const b = await weightBytes(cut);
  assert.deepEqual(b.weights, a.weights);
  assert.deepEqual(b.optimizer, a.optimizer);
  // and the uninterrupted run differs from one with another dropout stream: the comparison can fail
  const other = newRunDir();
  const t = task(other, { epochs: 3 });
  manualSeed(99);
  await train(t);
  assert.notDeepEqual((await weightBytes(other)).weights, a.weights);
});

test('train: a NaN loss stops the run naming the op, keeps the last good checkpoint and says how to resume with a lower lr', async () => {
  const dir = newRunDir();
  const good = newRunDir();
  await train(task(good, { epochs: 1 }));
  await assert.rejects(train(task(dir, { epochs: 3, badFromEpoch: 1 })), (e: Error) => {
    assert.ok(e instanceof NonFiniteLossError, e.message);
    assert.match(e.message, /the loss became NaN at step 7 \(epoch 2, batch 1\/6/);
    assert.match(e.message, /produced by log: produced NaN/);
    assert.match(e.message, /keeps its last good checkpoint \(.*last, step 6, end of epoch 1\)/);
    assert.match(e.message, /resume from .* with a lower learning rate \(e\.g\. /);
    return true;
  });
  const c = await loadCheckpoint(join(dir, 'last'));
  assert.equal((c.trainer as { step: number }).step, 6);
  assert.deepEqual((await weightBytes(dir)).weights, (await weightBytes(good)).weights, 'last/ holds the weights after epoch 1');
  assert.ok(!existsSync(join(dir, 'summary.json')));
});

test('train: an Inf loss from weights that diverged is reported as such', async () => {
  const dir = newRunDir();
  const t = task(dir, { epochs: 1 });
  (t.model.parameters()[3].data as Float32Array)[0] = Infinity;
  await assert.rejects(train(t), /the loss became Infinity at step 1 .*the weights already hold Infinity \(3\.bias\[0\]\): an earlier update diverged/);
});

test('train: a progress-based schedule without any run length is rejected', async () => {
  const t = task(newRunDir(), { schedule: new LrSchedule({ kind: 'wsd', peak: 0.01 }) });
  await assert.rejects(train(t), /the 'wsd' schedule needs a run length/);
});
