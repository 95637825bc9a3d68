import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../src/autograd/index.js';
import * as F from '../../src/autograd/ops/index.js';
import { crossEntropy } from '../../src/nn/losses.js';
import { buildCaptionModel, type ShowAttendTell } from '../../src/models/caption/index.js';
import { loadFixture } from '../helpers/fixtures.js';

const fx = loadFixture('caption_sat');

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, atol = 1e-5, rtol = 1e-4): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= atol + rtol * Math.abs(expected[i]))) assert.fail(`${what}[${i}]: ${actual[i]} vs torch ${expected[i]}`);
  }
}

test('Show-Attend-Tell matches PyTorch: logits, attention weights, loss and every parameter gradient', { skip: fx ? false : 'fixture caption_sat missing (tools/make_caption_fixture.py)' }, () => {
  const cfg = fx!.config.config as { vocabSize: number; embSize: number; channels: number[]; hiddenSize: number; attentionSize: number };
  const model = buildCaptionModel({ model: 'attention', ...cfg, dropout: 0 }) as ShowAttendTell;
  const params = new Map(model.namedParameters());
  for (const [name, t] of Object.entries(fx!.tensors)) {
    if (!name.startsWith('param.')) continue;
    const p = params.get(name.slice(6));
    assert.ok(p, `no parameter ${name.slice(6)}`);
    assert.deepEqual(p.shape, t.shape, name);
    (p.data as Float32Array).set(t.values());
  }
  assert.equal(params.size, Object.keys(fx!.tensors).filter((k) => k.startsWith('param.')).length, 'same parameter count as torch');
  model.train();
  const out = model.forward(fx!.tensors['input.images'], fx!.tensors['input.tokens_in']);
  close(out.logits.values(), fx!.tensors['output.logits'].values(), 'logits');
  close(out.attention!.values(), fx!.tensors['output.attention'].values(), 'attention');
  const V = cfg.vocabSize;
  const loss = crossEntropy(F.reshape(out.logits, [-1, V]), F.reshape(fx!.tensors['input.tokens_out'], [-1]));
  close([loss.item()], fx!.tensors['output.loss'].values(), 'loss');
  loss.backward();
  for (const [name, p] of params) close(p.grad!.values(), fx!.tensors[`grad.${name}`].values(), `grad ${name}`, 1e-5, 1e-3);
});
