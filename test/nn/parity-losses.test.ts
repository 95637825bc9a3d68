/**
 * Loss functions against PyTorch (test/fixtures/torch, type "loss"): the value and the gradient
 * of the input, elementwise |a-b| <= 1e-5 + 1e-4·|b|.
 */
import assert from 'node:assert/strict';
import { backward } from '../../src/autograd/engine.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import * as L from '../../src/nn/losses.js';
import { FORWARD_TOL, assertClose, checkParity, fixtureTest, leaf, need, type Fixture } from '../helpers/fixtures.js';

/** A tensor argument is written `"tensor 'name'"` in the JSON and stored under that name. */
function tensorArg(fx: Fixture, v: unknown): Tensor | null {
  if (v === null || v === undefined) return null;
  const m = /^tensor '(.+)'$/.exec(String(v));
  assert.ok(m, `${fx.config.case}: unexpected tensor argument ${JSON.stringify(v)}`);
  return need(fx, m[1]);
}

function compute(fx: Fixture, input: Tensor): Tensor {
  const a = fx.config.args ?? {};
  const fn = String(fx.config.function);
  const target = need(fx, 'target');
  const reduction = (a.reduction ?? 'mean') as L.Reduction;
  switch (fn) {
    case 'torch.nn.functional.cross_entropy':
      return L.crossEntropy(input, target, {
        weight: tensorArg(fx, a.weight),
        ignoreIndex: a.ignore_index as number,
        reduction,
        labelSmoothing: a.label_smoothing as number,
      });
    case 'torch.nn.functional.nll_loss':
      return L.nllLoss(input, target, { weight: tensorArg(fx, a.weight), ignoreIndex: a.ignore_index as number, reduction });
    case 'torch.nn.functional.mse_loss':
      return L.mseLoss(input, target, reduction);
    case 'torch.nn.functional.l1_loss':
      return L.l1Loss(input, target, reduction);
    case 'torch.nn.functional.binary_cross_entropy':
      return L.binaryCrossEntropy(input, target, { weight: tensorArg(fx, a.weight), reduction });
    case 'torch.nn.functional.binary_cross_entropy_with_logits':
      return L.binaryCrossEntropyWithLogits(input, target, { weight: tensorArg(fx, a.weight), posWeight: tensorArg(fx, a.pos_weight), reduction });
    case 'torch.nn.functional.kl_div':
      return L.klDiv(input, target, a.reduction as L.KlReduction, a.log_target as boolean);
    default:
      throw new Error(`${fx.config.case}: no loss for ${fn}`);
  }
}

const CASES = [
  'cross_entropy_ignore_index', 'cross_entropy_ignore_index0', 'cross_entropy_label_smoothing',
  'cross_entropy_label_smoothing_ignore_index', 'cross_entropy_weights', 'cross_entropy_sum', 'cross_entropy_none',
  'nll_loss', 'mse_loss', 'l1_loss', 'bce', 'bce_with_logits', 'bce_with_logits_pos_weight', 'kl_div',
];

for (const name of CASES) {
  fixtureTest(name, (fx) => {
    assert.equal(fx.config.type, 'loss');
    const input = leaf(need(fx, 'input'), true);
    const out = compute(fx, input);
    if (fx.tensors.upstream) {
      // reduction 'none': loss = sum(output * upstream)
      checkParity(fx, { outputs: { output: out }, inputs: { input }, forwardTol: FORWARD_TOL, gradTol: FORWARD_TOL });
      return;
    }
    assertClose(out, need(fx, 'output'), FORWARD_TOL, `${name} output`);
    backward(out);
    assertClose(input.grad, need(fx, 'grad.input'), FORWARD_TOL, `${name} grad.input`);
  });
}
