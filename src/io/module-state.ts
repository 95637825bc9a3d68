/**
 * Conversions between live modules/optimizers and the plain named arrays that safetensors and
 * checkpoints store. Browser-safe: no file access here.
 */
import type { Module } from '../nn/module.js';
import type { OptimizerStateDict } from '../optim/optimizer.js';
import { Tensor } from '../tensor/tensor.js';
import type { NamedArrays } from './named-arrays.js';
import { assertStateDictMatches } from './state-dict.js';

/** A module's parameters and persistent buffers as named arrays (copies: later training leaves them unchanged). */
export function weightsOf(model: Module): NamedArrays {
  const out: NamedArrays = {};
  for (const [k, t] of Object.entries(model.stateDict())) {
    if (t.dtype === 'float64') throw new Error(`weightsOf: ${k} is float64; weights are stored as float32 (convert the module with .to('float32') first)`);
    out[k] = { dtype: t.dtype, shape: t.shape.slice(), data: t.values().slice() as Float32Array | Int32Array };
  }
  return out;
}

/**
 * Copies named arrays into a module. Strict: every problem (missing or unexpected keys, shape
 * or dtype mismatches) is listed in one error naming `source` (e.g. the file path).
 */
export function loadWeightsInto(model: Module, weights: NamedArrays, source = 'weights'): void {
  const expected: Record<string, { dtype: string; shape: readonly number[] }> = {};
  for (const [k, t] of Object.entries(model.stateDict())) expected[k] = { dtype: t.dtype, shape: t.shape };
  assertStateDictMatches(expected, weights, `loadWeightsInto: ${source}`);
  const state: Record<string, Tensor> = {};
  for (const [k, a] of Object.entries(weights)) state[k] = new Tensor(a.data, a.shape.slice());
  model.loadStateDict(state);
}

/** An optimizer state dict split into tensors (for safetensors) and plain JSON (groups, steps). */
export function optimizerToArrays(sd: OptimizerStateDict): { tensors: NamedArrays; state: { kind: string; groups: OptimizerStateDict['groups']; steps: Record<string, number> } } {
  const tensors: NamedArrays = {};
  for (const [k, t] of Object.entries(sd.buffers)) tensors[k] = { dtype: 'float32', shape: t.shape.slice(), data: t.values().slice() as Float32Array };
  return { tensors, state: JSON.parse(JSON.stringify({ kind: sd.kind, groups: sd.groups, steps: sd.steps })) };
}

/** The inverse of optimizerToArrays. */
export function optimizerFromArrays(tensors: NamedArrays, state: { kind: string; groups: OptimizerStateDict['groups']; steps: Record<string, number> }): OptimizerStateDict {
  const buffers: Record<string, Tensor> = {};
  for (const [k, a] of Object.entries(tensors)) buffers[k] = new Tensor(a.data, a.shape.slice());
  return { kind: state.kind, groups: state.groups, steps: state.steps, buffers };
}
