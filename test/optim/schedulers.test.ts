import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../src/tensor/tensor.js';
import { Parameter } from '../../src/nn/parameter.js';
import { SGD } from '../../src/optim/sgd.js';
import { LambdaLR, ReduceLROnPlateau, StepLR } from '../../src/optim/schedulers.js';
import * as schedulers from '../../src/optim/schedulers.js';

const sgd = (lr: number) => new SGD([new Parameter(new Tensor(new Float32Array(2), [2]))], { lr });

test('schedulers set the epoch-0 lr from their own arguments at construction', () => {
  const o = sgd(0.5);
  new LambdaLR(o, (t) => 1 / (t + 2));
  assert.equal(o.lr, 0.25);
  const o2 = sgd(1);
  const s = new StepLR(o2, 2, 0.1);
  assert.deepEqual([0, 1, 2, 3, 4].map(() => { const lr = o2.lr; s.step(); return lr; }), [1, 1, 0.1, 0.1, 0.1 ** 2]);
  // state dict: resume at the same epoch
  const o3 = sgd(1);
  const s3 = new StepLR(o3, 2, 0.1);
  s3.loadStateDict(s.stateDict());
  assert.equal(o3.lr, o2.lr);
  assert.throws(() => new StepLR(sgd(1), 0), /StepLR: stepSize must be positive, got 0/);
});

test('ReduceLROnPlateau: patience, threshold, cooldown, minLr (min mode)', () => {
  const o = sgd(1);
  const s = new ReduceLROnPlateau(o, { patience: 2, factor: 0.5 });
  const metrics = [10, 9, 9.5, 9.2, 9.1, 8, 8.9995, 8.4, 8.3, 7];
  const reduced = metrics.map((m) => s.step(m));
  // 9 is the best until the 3rd bad epoch (9.1); 8.9995 is not 1e-4 (relative) better than 8 either
  assert.deepEqual(reduced, [false, false, false, false, true, false, false, false, true, false]);
  assert.equal(o.lr, 0.25);

  const c = sgd(1);
  const sc = new ReduceLROnPlateau(c, { patience: 0, factor: 0.1, cooldown: 2, minLr: 0.005 });
  // patience 0: every non-improving epoch outside cooldown cuts the lr
  const got = [5, 6, 6, 6, 6, 6, 6, 6].map((m) => { sc.step(m); return c.lr; });
  const r2 = 0.1 * 0.1;
  assert.deepEqual(got, [1, 0.1, 0.1, 0.1, r2, r2, r2, 0.005]);
  assert.equal(sc.step(7), false, 'at minLr no further reduction is reported');
  assert.equal(c.lr, 0.005);
});

test('ReduceLROnPlateau: max mode, absolute threshold, eps and state dict', () => {
  const o = sgd(0.1);
  const s = new ReduceLROnPlateau(o, { mode: 'max', patience: 1, threshold: 0.5, thresholdMode: 'abs' });
  // 1.4 and 1.5 are not 0.5 above 1.0
  assert.deepEqual([1, 1.4, 1.5, 2.1, 2.2].map((m) => s.step(m)), [false, false, true, false, false]);
  assert.ok(Math.abs(o.lr - 0.01) < 1e-15);
  const saved = s.stateDict();
  assert.deepEqual(saved, { best: 2.1, badEpochs: 1, cooldownLeft: 0 });
  const o2 = sgd(0.01);
  const s2 = new ReduceLROnPlateau(o2, { mode: 'max', patience: 1, threshold: 0.5, thresholdMode: 'abs' });
  s2.loadStateDict(saved);
  assert.equal(s2.step(2.3), true, 'resumes with one bad epoch already counted');
  // a reduction smaller than eps is not applied
  const tiny = sgd(1e-9);
  const st = new ReduceLROnPlateau(tiny, { patience: 0 });
  st.step(1);
  assert.equal(st.step(1), false);
  assert.equal(tiny.lr, 1e-9);
  assert.throws(() => new ReduceLROnPlateau(sgd(1), { factor: 1 }), /ReduceLROnPlateau: factor must be < 1, got 1/);
});

test('LrSchedule: each kind gives its step function; Noam is inverse-sqrt with a scaled peak', () => {
  const { LrSchedule, inverseSqrtRate, linearDecayRate, wsdRate, NoamLR } = schedulers;
  assert.equal(new LrSchedule({ kind: 'constant', peak: 2, warmupSteps: 4 }).rate(1), 0.5);
  assert.equal(new LrSchedule({ kind: 'constant', peak: 2, warmupSteps: 4 }).rate(9), 2);
  const inv = new LrSchedule({ kind: 'inverse-sqrt', peak: 1, warmupSteps: 10 });
  for (const s of [1, 5, 10, 40, 1000]) assert.equal(inv.rate(s), inverseSqrtRate(1, 10, s));
  assert.equal(inverseSqrtRate(1, 10, 40), 0.5);
  const lin = new LrSchedule({ kind: 'linear', peak: 1, warmupSteps: 10, decaySteps: 110, final: 0.1 });
  for (const s of [1, 10, 60, 110, 500]) assert.equal(lin.rate(s), linearDecayRate(1, 10, 110, 0.1, s));
  assert.ok(Math.abs(lin.rate(60) - 0.55) < 1e-12);
  const wsd = new LrSchedule({ kind: 'wsd', peak: 2, decayFraction: 0.25, final: 0.1 });
  assert.equal(wsd.rate(100, 0.5), 2);
  assert.ok(Math.abs(wsd.rate(100, 1) - 0.2) < 1e-12);
  assert.equal(wsd.rate(100, 0.875), wsdRate(2, 0, 100, 0.875, 0.25, 0.1));
  // Noam against its closed form base·d^-½·min(s^-½, s·w^-1.5)
  const o = sgd(1);
  const noam = new NoamLR(o, 512, 400);
  for (let t = 0; t < 2000; t += 37) {
    const s = t + 1;
    const want = 512 ** -0.5 * Math.min(s ** -0.5, s * 400 ** -1.5);
    assert.ok(Math.abs(o.lr - want) <= 1e-15 + 1e-12 * want, `step ${t}: ${o.lr} vs ${want}`);
    for (let k = 0; k < 37; k++) noam.step();
  }
  assert.throws(() => new NoamLR(sgd(1), 512, 0), /NoamLR: warmup must be positive, got 0/);
});

test('LrSchedule plateau: cuts by factor after patience+1 whole epochs without a lower loss, same rule as ReduceLROnPlateau; state round-trips', () => {
  const { LrSchedule, ReduceLROnPlateau } = schedulers;
  const s = new LrSchedule({ kind: 'plateau', peak: 1, factor: 0.5, patience: 1 });
  const o = sgd(1);
  const torchLike = new ReduceLROnPlateau(o, { factor: 0.5, patience: 1, threshold: 0, thresholdMode: 'abs' });
  const losses = [3, 2, 2.5, 2.1, 2.2, 1, 1, 1, 0.5];
  const got: number[] = [];
  for (const l of losses) {
    s.observe(l);
    torchLike.step(l);
    got.push(s.rate(100));
    assert.equal(s.rate(100), o.lr);
  }
  assert.deepEqual(got, [1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25]);
  const t = new LrSchedule({ kind: 'plateau', peak: 1, factor: 0.5, patience: 1 });
  t.loadStateDict(JSON.parse(JSON.stringify(s.stateDict())));
  assert.equal(t.rate(100), 0.25);
  s.observe(0.6);
  t.observe(0.6);
  s.observe(0.6);
  t.observe(0.6);
  assert.equal(t.rate(100), s.rate(100));
  assert.equal(t.rate(100), 0.125);
  assert.throws(() => new LrSchedule({ kind: 'linear', peak: 1, warmupSteps: 10, decaySteps: 5 }), /'linear' schedule needs decaySteps above the warmup steps \(10\), got 5/);
  assert.throws(() => new LrSchedule({ kind: 'wsd', peak: 1, decayFraction: 0 }), /decayFraction must be in \(0, 1\], got 0/);
  assert.throws(() => new LrSchedule({ kind: 'cosine' as never, peak: 1 }), /kind must be one of constant, inverse-sqrt, plateau, linear, wsd, got 'cosine'/);
});
