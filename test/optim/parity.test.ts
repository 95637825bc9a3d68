/**
 * Optimizers and schedulers against PyTorch (test/fixtures/torch, types "optimizer" and
 * "scheduler"): parameters and state buffers after each of two steps; lr sequences.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Backend } from '../../src/backend/backend.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { nativeBackend, nativeLoadError } from '../../src/backend/native/index-node.js';
import { withBackend } from '../../src/backend/registry.js';
import { Parameter } from '../../src/nn/parameter.js';
import type { Optimizer } from '../../src/optim/optimizer.js';
import { SGD } from '../../src/optim/sgd.js';
import { Adam, AdamW } from '../../src/optim/adam.js';
import { RMSprop } from '../../src/optim/rmsprop.js';
import { Adagrad } from '../../src/optim/adagrad.js';
import { CosineAnnealingLR, ExponentialLR, LinearLR, NoamLR, StepLR, type LRScheduler } from '../../src/optim/schedulers.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { assertClose, FIXTURE_DIR, fixtureTest, leaf, need, type Fixture, type Tolerance } from '../helpers/fixtures.js';

/** Optimizer arithmetic is a handful of float ops: compare to 1e-5 relative. */
const OPT_TOL: Tolerance = { atol: 1e-8, rtol: 1e-5 };

function build(fx: Fixture, params: Parameter[]): Optimizer<object> {
  const a = fx.config.args as Record<string, number & boolean & [number, number]>;
  switch (fx.config.torch_class) {
    case 'torch.optim.SGD':
      return new SGD(params, { lr: a.lr, momentum: a.momentum, dampening: a.dampening, weightDecay: a.weight_decay, nesterov: a.nesterov });
    case 'torch.optim.Adam':
      return new Adam(params, { lr: a.lr, betas: a.betas, eps: a.eps, weightDecay: a.weight_decay, amsgrad: a.amsgrad });
    case 'torch.optim.AdamW':
      return new AdamW(params, { lr: a.lr, betas: a.betas, eps: a.eps, weightDecay: a.weight_decay, amsgrad: a.amsgrad });
    case 'torch.optim.RMSprop':
      return new RMSprop(params, { lr: a.lr, alpha: a.alpha, eps: a.eps, weightDecay: a.weight_decay, momentum: a.momentum, centered: a.centered });
    case 'torch.optim.Adagrad':
      return new Adagrad(params, { lr: a.lr, lrDecay: a.lr_decay, weightDecay: a.weight_decay, initialAccumulatorValue: a.initial_accumulator_value, eps: a.eps });
    default:
      throw new Error(`${fx.config.case}: no optimizer for ${String(fx.config.torch_class)}`);
  }
}

const OPTIMIZER_CASES = [
  'sgd_momentum', 'sgd_nesterov', 'sgd_weight_decay', 'sgd_dampening', 'sgd_nesterov_no_decay',
  'adam', 'adamw', 'adam_amsgrad', 'adamw_amsgrad', 'adam_no_decay',
  'rmsprop', 'rmsprop_momentum', 'rmsprop_centered', 'rmsprop_centered_momentum', 'rmsprop_weight_decay',
  'adagrad', 'adagrad_lr_decay', 'adagrad_weight_decay',
];

// SGD and Adam have fused native kernels: their fixtures run on both backends
const backends: [string, Backend | null][] = [['js', jsBackend], ['native', nativeBackend]];

test('every optimizer fixture in the index is checked here', () => {
  const index = JSON.parse(readFileSync(join(FIXTURE_DIR, 'index.json'), 'utf8')) as { cases: { case: string; type: string }[] };
  const listed = index.cases.filter((c) => c.type === 'optimizer').map((c) => c.case).sort();
  assert.deepEqual(listed, [...OPTIMIZER_CASES].sort());
});

for (const name of OPTIMIZER_CASES) for (const [backendName, backend] of backends) {
  const fused = name.startsWith('sgd') || name.startsWith('adam');
  if (backendName === 'native' && !fused) continue;
  const run = (fx: Fixture): void => withBackend(backend!, () => checkOptimizer(name, fx));
  if (backendName === 'native' && !backend) {
    test(`${name} (native backend)`, { skip: `native backend not available: ${nativeLoadError}` }, () => {});
    continue;
  }
  fixtureTest(name, run, backendName === 'js' ? undefined : `torch parity: ${name} (native backend)`);
}

function checkOptimizer(name: string, fx: Fixture): void {
  {
    const names = Object.keys(fx.config.params as unknown as Record<string, number[]>);
    assert.deepEqual(names, ['weight', 'bias']);
    const params = names.map((n) => new Parameter(leaf(need(fx, `step0.param.${n}`))));
    const opt = build(fx, params);
    const keys = fx.config.state_keys as string[];
    const scalar = fx.config.scalar_state as { step: number; scalar_state: Record<string, { step: number } | undefined> }[];
    for (let s = 1; s <= (fx.config.steps as number); s++) {
      names.forEach((n, i) => (params[i].grad = leaf(need(fx, `step${s}.grad.${n}`))));
      opt.step();
      names.forEach((n, i) => {
        assertClose(params[i], need(fx, `step${s}.param.${n}`), OPT_TOL, `${name} step ${s} ${n}`);
        const st = opt.getState(params[i]);
        assert.ok(st, `${name}: no state for ${n}`);
        // torch's SGD keeps no step counter; the others store it per parameter
        const torchStep = scalar[s - 1].scalar_state[n]?.step ?? s;
        assert.equal(st.step, torchStep, `${name} step ${s} ${n} step counter`);
        assert.deepEqual(Object.keys(st.buffers).sort(), [...keys].sort(), `${name} state buffers of ${n}`);
        for (const k of keys) {
          assertClose(new Tensor(st.buffers[k], params[i].shape.slice()), need(fx, `step${s}.state.${n}.${k}`), OPT_TOL, `${name} step ${s} ${n}.${k}`);
        }
      });
    }
  }
}

function scheduler(fx: Fixture, opt: SGD): LRScheduler {
  const a = fx.config.args as Record<string, number>;
  switch (fx.config.torch_class) {
    case 'torch.optim.lr_scheduler.StepLR': return new StepLR(opt, a.step_size, a.gamma);
    case 'torch.optim.lr_scheduler.ExponentialLR': return new ExponentialLR(opt, a.gamma);
    case 'torch.optim.lr_scheduler.CosineAnnealingLR': return new CosineAnnealingLR(opt, a.T_max, a.eta_min);
    case 'torch.optim.lr_scheduler.LinearLR': return new LinearLR(opt, a.start_factor, a.end_factor, a.total_iters);
    case 'torch.optim.lr_scheduler.LambdaLR':
      assert.equal(fx.config.args!.lr_lambda, 'noam');
      return new NoamLR(opt, a.d_model, a.warmup);
    default: throw new Error(`${fx.config.case}: no scheduler for ${String(fx.config.torch_class)}`);
  }
}

for (const name of ['scheduler_step_lr', 'scheduler_exponential_lr', 'scheduler_cosine_annealing_lr', 'scheduler_linear_lr', 'scheduler_noam']) {
  fixtureTest(name, (fx) => {
    const optCfg = fx.config.optimizer as { class: string; lr: number };
    assert.equal(optCfg.class, 'torch.optim.SGD');
    const p = new Parameter(new Tensor(new Float32Array([1, 2]), [2]));
    const opt = new SGD([p], { lr: optCfg.lr });
    const sched = scheduler(fx, opt);
    const lrs = fx.config.lrs as number[];
    assert.equal(lrs.length, fx.config.steps);
    for (let i = 0; i < lrs.length; i++) {
      const got = opt.paramGroups[0].options.lr;
      assert.ok(Math.abs(got - lrs[i]) <= 1e-9 * Math.abs(lrs[i]), `${name}: lr ${i} is ${got}, torch ${lrs[i]}`);
      assert.equal(sched.getLastLr()[0], got);
      p.grad = new Tensor(new Float32Array([0.5, -0.5]), [2]);
      opt.step();
      sched.step();
    }
  });
}
