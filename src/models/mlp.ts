/**
 * Plain multilayer perceptrons for the "why deep nets are hard to train" experiments: a chosen
 * nonlinearity and initialisation, optional dropout and Gaussian input noise.
 */
import type { Generator } from '../tensor/rng.js';
import { Linear } from '../nn/layers/linear.js';
import { ReLU, Sigmoid, Tanh } from '../nn/layers/activations.js';
import { Dropout } from '../nn/layers/dropout.js';
import { GaussianNoise } from '../nn/layers/gaussian-noise.js';
import { Sequential } from '../nn/layers/containers.js';
import type { Module } from '../nn/module.js';
import { kaimingNormal_, xavierNormal_, zeros_ } from '../nn/init.js';

export type MlpActivation = 'sigmoid' | 'tanh' | 'relu';
/** 'default': PyTorch's U(±1/√fan_in); 'he': N(0, 2/fan_in); 'xavier': N(0, 2/(fan_in + fan_out)) with the activation's gain. */
export type MlpInit = 'default' | 'he' | 'xavier';

/** Configuration of {@link buildMlp}. */
export interface MlpConfig {
  /** Widths from input to output, e.g. [784, 64, 64, 10]. */
  sizes: readonly number[];
  activation: MlpActivation;
  init?: MlpInit; // default 'default'
  /** Dropout rate after every hidden activation. Default 0. */
  dropout?: number;
  /** Dropout rate on the inputs. Default 0. */
  inputDropout?: number;
  /** Std of Gaussian noise added to the inputs in training. Default 0. */
  inputNoise?: number;
  generator?: Generator;
}

/**
 * Sequential([GaussianNoise], [Dropout], Linear, act, [Dropout], ..., Linear): hidden layers get
 * the activation, the output layer gives logits.
 */
export function buildMlp(c: MlpConfig): Sequential {
  const { sizes, activation } = c;
  if (sizes.length < 2 || !sizes.every((s) => Number.isInteger(s) && s > 0)) throw new Error(`buildMlp: sizes must be at least two positive integers, got [${sizes.join(',')}]`);
  if (!['sigmoid', 'tanh', 'relu'].includes(activation)) throw new Error(`buildMlp: activation must be sigmoid, tanh or relu, got '${activation}'`);
  const init = c.init ?? 'default';
  if (!['default', 'he', 'xavier'].includes(init)) throw new Error(`buildMlp: init must be default, he or xavier, got '${init}'`);
  const g = c.generator;
  const mods: Module[] = [];
  if (c.inputNoise) mods.push(new GaussianNoise(c.inputNoise, g));
  if (c.inputDropout) mods.push(new Dropout(c.inputDropout, g));
  for (let i = 0; i + 1 < sizes.length; i++) {
    const lin = new Linear(sizes[i], sizes[i + 1], { generator: g });
    const hidden = i + 2 < sizes.length;
    if (init === 'he') kaimingNormal_(lin.weight, { nonlinearity: 'relu', generator: g });
    if (init === 'xavier') xavierNormal_(lin.weight, activation === 'tanh' ? 5 / 3 : 1, g);
    if (init !== 'default') zeros_(lin.bias!);
    mods.push(lin);
    if (hidden) {
      mods.push(activation === 'sigmoid' ? new Sigmoid() : activation === 'tanh' ? new Tanh() : new ReLU());
      if (c.dropout) mods.push(new Dropout(c.dropout, g));
    }
  }
  return new Sequential(...mods);
}
