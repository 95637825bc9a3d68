/**
 * Loss functions with PyTorch's semantics (argument names, reductions, ignore_index, label
 * smoothing, class weights). Each is composed from differentiable ops, so its gradient is exact
 * by construction and covered by the ops' gradient checks; the exception is cross-entropy
 * without class weights, which runs as one fused op (softmaxCrossEntropy): over a translation
 * model's vocabulary the composition allocated and walked several [N, C] temporaries in each
 * direction (tens of MB per step, with a scalar exp per logit). With class weights the composed
 * path is kept: that case is rare and not worth a second kernel.
 */
import * as F from '../autograd/ops/index.js';
import { Tensor } from '../tensor/tensor.js';
import { fmtShape, shapesEqual } from '../tensor/shape.js';
import { Module } from './module.js';

export type Reduction = 'mean' | 'sum' | 'none';

function reduce(x: Tensor, reduction: Reduction, op: string): Tensor {
  switch (reduction) {
    case 'mean': return F.mean(x);
    case 'sum': return F.sum(x);
    case 'none': return x;
    default: throw new Error(`${op}: reduction must be 'mean', 'sum' or 'none', got '${reduction as string}'`);
  }
}

function sameShape(op: string, input: Tensor, target: Tensor): void {
  if (!shapesEqual(input.shape, target.shape)) {
    throw new Error(`${op}: input shape ${fmtShape(input.shape)} and target shape ${fmtShape(target.shape)} differ`);
  }
}

/** Moves the class dim (1) last and flattens: [N, C, d...] -> [N·d..., C]; targets [N, d...] -> [N·d...]. */
function flattenClasses(op: string, input: Tensor, target: Tensor): { x: Tensor; t: Tensor; targetShape: readonly number[] } {
  if (target.dtype !== 'int32') throw new Error(`${op}: target must hold int32 class indices, got ${target.dtype}`);
  if (input.ndim === 1) return { x: F.unsqueeze(input, 0), t: F.reshape(target, [1]), targetShape: [] };
  const expected = [input.shape[0], ...input.shape.slice(2)];
  if (!shapesEqual(target.shape, expected)) {
    throw new Error(`${op}: input ${fmtShape(input.shape)} (classes in dim 1) needs target of shape ${fmtShape(expected)}, got ${fmtShape(target.shape)}`);
  }
  if (input.ndim === 2) return { x: input, t: target, targetShape: target.shape };
  const perm = [0, ...Array.from({ length: input.ndim - 2 }, (_, i) => i + 2), 1];
  const x = F.reshape(F.permute(input, perm), [-1, input.shape[1]]);
  return { x, t: F.reshape(target, [-1]), targetShape: target.shape };
}

export interface NllOptions {
  weight?: Tensor | null;
  ignoreIndex?: number;
  reduction?: Reduction;
}

/** Picks -logp[target] per row with weights and the ignore mask; returns (losses, weights-per-row). */
function pick(op: string, logp: Tensor, t: Tensor, o: NllOptions): { losses: Tensor; w: Tensor; mask: Float32Array } {
  const [n, c] = logp.shape;
  const ignore = o.ignoreIndex ?? -100;
  const tv = t.values() as Int32Array;
  const safe = new Int32Array(n);
  const mask = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const k = tv[i];
    if (k === ignore) continue;
    if (k < 0 || k >= c) throw new Error(`${op}: target ${k} at position ${i} is out of range for ${c} classes (ignoreIndex ${ignore})`);
    safe[i] = k;
    mask[i] = 1;
  }
  if (o.weight && (o.weight.ndim !== 1 || o.weight.shape[0] !== c)) {
    throw new Error(`${op}: weight must be 1-D with ${c} entries, got ${fmtShape(o.weight.shape)}`);
  }
  const wv = o.weight ? o.weight.values() : null;
  // class weights keep the logits' precision (float64 for double-precision gradient checks)
  const w = logp.dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) w[i] = mask[i] * (wv ? wv[safe[i]] : 1);
  const wt = new Tensor(w, [n]);
  const picked = F.reshape(F.gather(logp, 1, new Tensor(safe, [n, 1])), [n]);
  return { losses: F.neg(F.mul(picked, wt)), w: wt, mask };
}

/** Negative log-likelihood of log-probabilities [N, C] (or [N, C, d...]) given int32 targets. */
export function nllLoss(input: Tensor, target: Tensor, o: NllOptions = {}): Tensor {
  const { x, t, targetShape } = flattenClasses('nllLoss', input, target);
  const { losses, w } = pick('nllLoss', x, t, o);
  const reduction = o.reduction ?? 'mean';
  if (reduction === 'mean') return F.div(F.sum(losses), sumOf(w));
  if (reduction === 'sum') return F.sum(losses);
  return F.reshape(losses, targetShape);
}

function sumOf(w: Tensor): number {
  const v = w.values();
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i];
  return s; // 0 when every target is ignored: the mean is then NaN, as in torch
}

export interface CrossEntropyOptions extends NllOptions {
  labelSmoothing?: number;
}

/**
 * Cross-entropy of logits [N, C] (or [N, C, d...]) with int32 class targets. Label smoothing
 * mixes in a uniform target as torch does: (1-ε)·nll + ε/C · Σ_c -logp_c (weighted by class weights).
 */
export function crossEntropy(input: Tensor, target: Tensor, o: CrossEntropyOptions = {}): Tensor {
  const eps = o.labelSmoothing ?? 0;
  if (!(eps >= 0 && eps <= 1)) throw new Error(`crossEntropy: labelSmoothing must be in [0, 1], got ${eps}`);
  const { x, t, targetShape } = flattenClasses('crossEntropy', input, target);
  if (!o.weight) return fusedCrossEntropy(x, t, targetShape, eps, o);
  const logp = F.logSoftmax(x, 1);
  const { losses, w, mask } = pick('crossEntropy', logp, t, o);
  const reduction = o.reduction ?? 'mean';
  const nll = reduction === 'mean' ? F.div(F.sum(losses), sumOf(w)) : reduction === 'sum' ? F.sum(losses) : losses;
  if (eps === 0) return reduction === 'none' ? F.reshape(nll, targetShape) : nll;
  const c = x.shape[1];
  const weighted = o.weight ? F.mul(logp, o.weight) : logp;
  const maskT = new Tensor(mask, [mask.length]);
  let smooth = F.mul(F.neg(F.sum(weighted, 1)), maskT); // [N]
  if (reduction === 'mean') smooth = F.div(F.sum(smooth), o.weight ? sumOf(w) : sumOf(maskT));
  else if (reduction === 'sum') smooth = F.sum(smooth);
  const out = F.add(F.mul(nll, 1 - eps), F.mul(smooth, eps / c));
  return reduction === 'none' ? F.reshape(out, targetShape) : out;
}

function fusedCrossEntropy(x: Tensor, t: Tensor, targetShape: readonly number[], eps: number, o: CrossEntropyOptions): Tensor {
  const ignore = o.ignoreIndex ?? -100;
  const tv = t.values() as Int32Array;
  const losses = F.softmaxCrossEntropy(x, tv, ignore, eps, 'crossEntropy');
  const reduction = o.reduction ?? 'mean';
  if (reduction === 'mean') {
    let kept = 0;
    for (let i = 0; i < tv.length; i++) if (tv[i] !== ignore) kept++;
    return F.div(F.sum(losses), kept); // 0/0 = NaN when every target is ignored, as in torch
  }
  if (reduction === 'sum') return F.sum(losses);
  return F.reshape(losses, targetShape);
}

export function mseLoss(input: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  sameShape('mseLoss', input, target);
  return reduce(F.square(F.sub(input, target)), reduction, 'mseLoss');
}

export function l1Loss(input: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  sameShape('l1Loss', input, target);
  return reduce(F.abs(F.sub(input, target)), reduction, 'l1Loss');
}

export interface BceOptions {
  weight?: Tensor | null;
  reduction?: Reduction;
}

/** Binary cross-entropy on probabilities; log terms clamped at -100 as torch does. */
export function binaryCrossEntropy(input: Tensor, target: Tensor, o: BceOptions = {}): Tensor {
  sameShape('binaryCrossEntropy', input, target);
  const v = input.values();
  for (let i = 0; i < v.length; i++) {
    if (!(v[i] >= 0 && v[i] <= 1)) throw new Error(`binaryCrossEntropy: input must hold probabilities in [0, 1]; found ${v[i]} at flat index ${i}`);
  }
  const logP = F.clamp(F.log(input), -100);
  const log1mP = F.clamp(F.log(F.sub(1, input)), -100);
  let l = F.neg(F.add(F.mul(target, logP), F.mul(F.sub(1, target), log1mP)));
  if (o.weight) l = F.mul(l, o.weight);
  return reduce(l, o.reduction ?? 'mean', 'binaryCrossEntropy');
}

export interface BceLogitsOptions extends BceOptions {
  posWeight?: Tensor | null;
}

/**
 * BCE on logits, stable for large |x|: (1-y)·x + (1 + (pw-1)·y)·softplus(-x), which is torch's
 * formula written with softplus.
 */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, o: BceLogitsOptions = {}): Tensor {
  sameShape('binaryCrossEntropyWithLogits', input, target);
  const sp = logSigmoidNeg(input); // log(1 + e^{-x})
  let l: Tensor;
  if (o.posWeight) {
    const coef = F.add(F.mul(F.sub(o.posWeight, 1), target), 1);
    l = F.add(F.mul(F.sub(1, target), input), F.mul(coef, sp));
  } else {
    l = F.add(F.mul(F.sub(1, target), input), sp);
  }
  if (o.weight) l = F.mul(l, o.weight);
  return reduce(l, o.reduction ?? 'mean', 'binaryCrossEntropyWithLogits');
}

/** log(1 + e^{-x}) = max(-x, 0) + log1p(e^{-|x|}), exact for all x. */
function logSigmoidNeg(x: Tensor): Tensor {
  return F.add(F.relu(F.neg(x)), F.log1p(F.exp(F.neg(F.abs(x)))));
}

export type KlReduction = Reduction | 'batchmean';

/** KL(target ‖ exp(input)) with input as log-probabilities (torch.nn.functional.kl_div). */
export function klDiv(input: Tensor, target: Tensor, reduction: KlReduction = 'mean', logTarget = false): Tensor {
  sameShape('klDiv', input, target);
  let l: Tensor;
  if (logTarget) l = F.mul(F.exp(target), F.sub(target, input));
  else {
    // t·log t - t·input, with 0·log 0 = 0 (torch's xlogy). t·log t is recorded, so the target's
    // gradient is log t + 1 - input as in torch (and 0 where t = 0, not -∞)
    const safe = F.where(F.gt(target, 0), target, 1);
    l = F.sub(F.mul(target, F.log(safe)), F.mul(target, input));
  }
  if (reduction === 'batchmean') return F.div(F.sum(l), input.ndim > 0 ? input.shape[0] : 1);
  return reduce(l, reduction, 'klDiv');
}

/** Module wrappers, for Sequential-style code. */
export class CrossEntropyLoss extends Module {
  constructor(readonly options: CrossEntropyOptions = {}) { super(); }
  forward(input: Tensor, target: Tensor): Tensor { return crossEntropy(input, target, this.options); }
}

export class MSELoss extends Module {
  constructor(readonly reduction: Reduction = 'mean') { super(); }
  forward(input: Tensor, target: Tensor): Tensor { return mseLoss(input, target, this.reduction); }
}
