/**
 * Shared loader and comparison helpers for the PyTorch parity fixtures in test/fixtures/torch/
 * (format described in that folder's README.md).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as F from '../../src/autograd/ops/index.js';
import { backward } from '../../src/autograd/engine.js';
import type { Module } from '../../src/nn/module.js';
import { decodeSafetensors } from '../../src/io/safetensors.js';
import { Tensor } from '../../src/tensor/tensor.js';

/** Folder holding `<case>.json` and `<case>.safetensors`. */
export const FIXTURE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'torch');

/** The JSON description of a case; fields vary with `type` (see the fixtures README). */
export type FixtureConfig = Record<string, unknown> & {
  case: string;
  type: string;
  args?: Record<string, unknown>;
  mode?: string;
  /** Module cases: `param.*` names; optimizer cases: `{name: shape}`. */
  params?: unknown;
  grads?: string[];
};

/** One parity case: its JSON and its tensors by name (`input`, `param.weight`, `grad.input`, ...). */
export interface Fixture {
  config: FixtureConfig;
  tensors: Record<string, Tensor>;
}

/** Reads a case, or returns null when its files are not there. */
export function loadFixture(caseName: string): Fixture | null {
  const jsonPath = join(FIXTURE_DIR, `${caseName}.json`);
  const binPath = join(FIXTURE_DIR, `${caseName}.safetensors`);
  if (!existsSync(jsonPath) || !existsSync(binPath)) return null;
  const config = JSON.parse(readFileSync(jsonPath, 'utf8')) as FixtureConfig;
  const decoded = decodeSafetensors(readFileSync(binPath));
  const tensors: Record<string, Tensor> = {};
  for (const [name, a] of Object.entries(decoded.tensors)) tensors[name] = new Tensor(a.data, a.shape.slice());
  return { config, tensors };
}

/**
 * Registers a test for one fixture case; the test is skipped, with the reason, when the case's
 * files are missing.
 */
export function fixtureTest(caseName: string, fn: (fx: Fixture, t: TestContext) => void | Promise<void>, title?: string): void {
  test(title ?? `torch parity: ${caseName}`, async (t) => {
    const fx = loadFixture(caseName);
    if (!fx) {
      t.skip(`fixture ${caseName} not found in ${FIXTURE_DIR}`);
      return;
    }
    await fn(fx, t);
  });
}

/**
 * The tensors stored under `prefix` (e.g. `param.`), with the prefix stripped: ready for
 * Module.loadStateDict.
 */
export function stripPrefix(tensors: Record<string, Tensor>, prefix: string): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(tensors)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
  return out;
}

/** Returns `tensors[name]` or throws naming the case's available keys. */
export function need(fx: Fixture, name: string): Tensor {
  const t = fx.tensors[name];
  if (!t) throw new Error(`fixture ${fx.config.case}: no tensor '${name}' (has ${Object.keys(fx.tensors).join(', ')})`);
  return t;
}

/** A fresh leaf copy of a fixture tensor (so tests can mark it requiresGrad without aliasing). */
export function leaf(t: Tensor, requiresGrad = false): Tensor {
  const out = new Tensor(t.values().slice(), t.shape.slice());
  out.requiresGrad = requiresGrad;
  return out;
}

export interface Tolerance {
  atol: number;
  rtol: number;
}

/** Forward values: `|a-b| <= 1e-5 + 1e-4·|b|` elementwise (the fixtures README's suggestion). */
export const FORWARD_TOL: Tolerance = { atol: 1e-5, rtol: 1e-4 };
/** Gradients of recurrent and convolution cases: `|a-b| <= 1e-4 + 1e-3·|b|` elementwise. */
export const GRAD_TOL: Tolerance = { atol: 1e-4, rtol: 1e-3 };

/**
 * Asserts elementwise `|actual - expected| <= atol + rtol·|expected|`, same shape, no NaN; the
 * message names the first offending element.
 */
export function assertClose(actual: Tensor | null | undefined, expected: Tensor, tol: Tolerance, what: string): void {
  if (!actual) throw new Error(`${what}: no value (expected shape [${expected.shape.join(',')}])`);
  if (actual.shape.length !== expected.shape.length || actual.shape.some((d, i) => d !== expected.shape[i])) {
    throw new Error(`${what}: shape [${actual.shape.join(',')}] differs from expected [${expected.shape.join(',')}]`);
  }
  const a = actual.values(), b = expected.values();
  let worst = -1, worstExcess = 0;
  for (let i = 0; i < b.length; i++) {
    const diff = Math.abs(a[i] - b[i]);
    const excess = diff - (tol.atol + tol.rtol * Math.abs(b[i]));
    if (!(excess <= 0) && (worst < 0 || !(excess <= worstExcess))) {
      worst = i;
      worstExcess = excess;
      if (Number.isNaN(excess)) break;
    }
  }
  if (worst >= 0) {
    throw new Error(
      `${what}: element ${worst} is ${a[worst]}, expected ${b[worst]} ` +
        `(|diff| ${Math.abs(a[worst] - b[worst])} > ${tol.atol} + ${tol.rtol}·|expected|)`,
    );
  }
}

// ---- the module procedure (fixtures README, "module"): compare every output, back-propagate
// Σ sum(output_k ⊙ upstream_k), compare every listed gradient.

export interface ParityCheck {
  /** Our outputs under the fixture's names (`output`, `output.h_n`, ...): every stored output must be present. */
  outputs: Record<string, Tensor>;
  /** Inputs whose gradients the fixture lists (`input`, `h0`, ...), by fixture name. */
  inputs: Record<string, Tensor>;
  /** The module whose parameter gradients are listed as `grad.param.<name>`. */
  module?: Module;
  forwardTol?: Tolerance;
  gradTol?: Tolerance;
}

/**
 * Runs the comparison; throws on the first mismatch, naming the case and tensor. Every name in the
 * case's `grads` list must be matched to an input or a parameter, so nothing is silently skipped.
 */
export function checkParity(fx: Fixture, c: ParityCheck): void {
  const name = fx.config.case;
  const fTol = c.forwardTol ?? FORWARD_TOL;
  const gTol = c.gradTol ?? GRAD_TOL;
  const stored = Object.keys(fx.tensors).filter((k) => k === 'output' || k.startsWith('output.'));
  assert.deepEqual(Object.keys(c.outputs).sort(), stored.sort(), `${name}: outputs to compare`);
  let loss: Tensor | null = null;
  for (const k of stored) {
    assertClose(c.outputs[k], fx.tensors[k], fTol, `${name} ${k}`);
    const up = need(fx, 'upstream' + k.slice('output'.length));
    const term = F.sum(F.mul(c.outputs[k], up));
    loss = loss ? F.add(loss, term) : term;
  }
  assert.ok(loss, `${name}: no outputs`);
  if (fx.tensors.loss) assertClose(loss, fx.tensors.loss, fTol, `${name} loss`);
  backward(loss);
  const params = new Map(c.module ? c.module.namedParameters() : []);
  const grads = fx.config.grads ?? [];
  assert.ok(grads.length > 0, `${name}: the case lists no gradients`);
  for (const g of grads) {
    const target = g.startsWith('grad.param.') ? params.get(g.slice('grad.param.'.length)) : c.inputs[g.slice('grad.'.length)];
    assert.ok(target, `${name}: nothing to compare ${g} with`);
    assertClose(target.grad, need(fx, g), gTol, `${name} ${g}`);
  }
  if (c.module) assert.equal(params.size, grads.filter((g) => g.startsWith('grad.param.')).length, `${name}: parameters without a stored gradient`);
}
