import { noGrad } from '../autograd/grad-mode.js';
import type { Module } from './module.js';

/** Runs `fn` in eval mode without gradients, restoring the previous mode. */
export function inference<T>(model: Module, fn: () => T): T {
  const was = model.training;
  if (was) model.eval();
  try {
    return noGrad(fn);
  } finally {
    if (was) model.train();
  }
}
