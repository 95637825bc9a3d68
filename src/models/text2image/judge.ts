/**
 * The judge of drawn scenes: a small CNN digit classifier, trained on real training digits,
 * applied to each 28x28 cell of an 84x84 picture.
 *
 * A cell counts as empty when its ink (the sum of its pixel values in [0, 1]) is below
 * {@link EMPTY_INK}. An ink threshold rather than an 11th "empty" class: what a learned empty class
 * accepts depends on which blank, noisy or smudged cells it was shown, and a generator could be
 * judged by that choice; the ink of a cell is a quantity one can check by eye, and every real
 * digit has far more of it (the faintest of the 8000 digits of the training pool holds 21.9, the
 * median 99.6), while a cell a generator leaves blank holds almost none.
 */
import * as F from '../../autograd/ops/index.js';
import { noGrad } from '../../autograd/grad-mode.js';
import { Conv2d } from '../../nn/layers/conv.js';
import { Linear } from '../../nn/layers/linear.js';
import { Module } from '../../nn/module.js';
import type { Generator } from '../../tensor/rng.js';
import { Tensor } from '../../tensor/tensor.js';
import { fmtShape } from '../../tensor/shape.js';
import { randomShift } from '../../data/augment.js';
import { trainClassifier, type EpochRow, type LabelledSet } from '../train-classifier.js';

/** Side of a cell and of a scene, in pixels, and cells per side. */
export const CELL = 28;
export const GRID = 3;
export const SCENE = CELL * GRID;

/** Below this much ink (sum of pixel values of a 28x28 cell) a cell is empty: under half the faintest real digit. */
export const EMPTY_INK = 10;

/**
 * LeNet-like classifier. Shapes: x [N, 784] or [N, 1, 28, 28] in [0, 1] -> logits [N, 10].
 * conv 5x5 (16) → ReLU → max-pool 2 → conv 5x5 (32) → ReLU → max-pool 2 → linear 1568 → 64 → 10.
 */
export class DigitJudge extends Module {
  conv1: Conv2d;
  conv2: Conv2d;
  fc1: Linear;
  fc2: Linear;

  constructor(generator?: Generator) {
    super();
    this.conv1 = new Conv2d(1, 16, 5, { padding: 2, generator });
    this.conv2 = new Conv2d(16, 32, 5, { padding: 2, generator });
    this.fc1 = new Linear(32 * 7 * 7, 64, { generator });
    this.fc2 = new Linear(64, 10, { generator });
  }

  forward(x: Tensor): Tensor {
    const n = x.shape[0];
    if (!((x.ndim === 2 && x.shape[1] === CELL * CELL) || (x.ndim === 4 && x.shape[1] === 1 && x.shape[2] === CELL && x.shape[3] === CELL))) {
      throw new Error(`DigitJudge: input must be [N, 784] or [N, 1, 28, 28], got ${fmtShape(x.shape)}`);
    }
    let h = F.reshape(x, [n, 1, CELL, CELL]);
    h = F.maxPool2d(F.relu(this.conv1.forward(h)), 2); // (N, 16, 14, 14)
    h = F.maxPool2d(F.relu(this.conv2.forward(h)), 2); // (N, 32, 7, 7)
    h = F.relu(this.fc1.forward(F.reshape(h, [n, 32 * 7 * 7])));
    return this.fc2.forward(h); // (N, 10)
  }
}

/** Cuts pictures [N, 84·84] (or [N, 1, 84, 84]) into their cells [N·9, 784], row-major from the top-left cell. */
export function cutCells(images: ArrayLike<number>, n: number): Float32Array {
  if (images.length !== n * SCENE * SCENE) throw new Error(`cutCells: ${n} pictures of 84x84 need ${n * SCENE * SCENE} values, got ${images.length}`);
  const out = new Float32Array(n * GRID * GRID * CELL * CELL);
  let o = 0;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < GRID * GRID; c++) {
      const top = Math.floor(c / GRID) * CELL;
      const left = (c % GRID) * CELL;
      for (let y = 0; y < CELL; y++) {
        const row = i * SCENE * SCENE + (top + y) * SCENE + left;
        for (let x = 0; x < CELL; x++) out[o++] = images[row + x];
      }
    }
  }
  return out;
}

/** What the judge sees in one cell: null when empty, else the digit it reads. */
export type CellReading = number | null;

/** Reads every cell of `n` pictures: [n][9] of digit or null (empty). */
export function readCells(judge: DigitJudge, images: ArrayLike<number>, n: number): CellReading[][] {
  const cells = cutCells(images, n);
  const per = CELL * CELL;
  const ink = new Float64Array(n * 9);
  for (let k = 0; k < n * 9; k++) {
    let s = 0;
    for (let j = 0; j < per; j++) s += cells[k * per + j];
    ink[k] = s;
  }
  const pred = new Int32Array(n * 9);
  const wasTraining = judge.training;
  judge.eval();
  try {
    noGrad(() => {
      const chunk = 900;
      for (let s = 0; s < n * 9; s += chunk) {
        const m = Math.min(chunk, n * 9 - s);
        const x = new Tensor(cells.slice(s * per, (s + m) * per), [m, per]);
        pred.set(F.argmax(judge.forward(x), 1).values() as ArrayLike<number>, s);
      }
    });
  } finally {
    judge.train(wasTraining);
  }
  return Array.from({ length: n }, (_, i) => Array.from({ length: 9 }, (_, c) => (ink[i * 9 + c] < EMPTY_INK ? null : pred[i * 9 + c])));
}

/** The judge's scores of drawn pictures against the cells they should show. */
export interface JudgeScores {
  /** Cells that should hold a digit and show that digit (not empty, classified right), as a fraction. */
  digitAccuracy: number;
  /** Cells that should be empty and are, as a fraction. */
  emptyAccuracy: number;
  /** Pictures with all 9 cells right. */
  sceneAccuracy: number;
  digitCells: number;
  emptyCells: number;
  scenes: number;
}

/** Scores readings against the intended cells (digit or null per cell, row-major). */
export function scoreReadings(readings: readonly CellReading[][], expected: readonly (readonly (number | null)[])[]): JudgeScores {
  if (readings.length !== expected.length) throw new Error(`scoreReadings: ${readings.length} readings but ${expected.length} expected labels`);
  let digitCells = 0, digitRight = 0, emptyCells = 0, emptyRight = 0, scenesRight = 0;
  readings.forEach((r, i) => {
    const e = expected[i];
    if (e.length !== 9 || r.length !== 9) throw new Error(`scoreReadings: scene ${i} needs 9 cells, got ${r.length} read and ${e.length} expected`);
    let all = true;
    for (let c = 0; c < 9; c++) {
      const ok = r[c] === e[c];
      if (e[c] === null) {
        emptyCells++;
        if (ok) emptyRight++;
      } else {
        digitCells++;
        if (ok) digitRight++;
      }
      all &&= ok;
    }
    if (all) scenesRight++;
  });
  return {
    digitAccuracy: digitCells ? digitRight / digitCells : NaN,
    emptyAccuracy: emptyCells ? emptyRight / emptyCells : NaN,
    sceneAccuracy: readings.length ? scenesRight / readings.length : NaN,
    digitCells, emptyCells, scenes: readings.length,
  };
}

/** Reads and scores `n` pictures in one call. */
export function judgeImages(judge: DigitJudge, images: ArrayLike<number>, expected: readonly (readonly (number | null)[])[]): JudgeScores {
  return scoreReadings(readCells(judge, images, expected.length), expected);
}

/** Options of {@link trainJudge}. */
export interface TrainJudgeOptions {
  /** Default 3. */
  epochs?: number;
  /** Default 64. */
  batchSize?: number;
  /** Adam learning rate. Default 2e-3. */
  lr?: number;
  /** Random shifts of up to this many pixels per training digit (drawn digits sit less exactly). Default 2. */
  maxShift?: number;
  generator?: Generator;
  onEpoch?: (row: EpochRow) => void;
}

/** Trains a fresh judge on real digits (x [n, 784], y [n]) and returns it in eval mode. */
export function trainJudge(train: LabelledSet, o: TrainJudgeOptions = {}, test?: LabelledSet): { judge: DigitJudge; rows: EpochRow[] } {
  const judge = new DigitJudge(o.generator);
  const shift = o.maxShift ?? 2;
  const rows = trainClassifier(judge, train, {
    epochs: o.epochs ?? 3, batchSize: o.batchSize ?? 64, optimizer: 'adam', lr: o.lr ?? 2e-3, generator: o.generator,
    transform: shift > 0 ? (xb) => randomShift(xb, shift, CELL, o.generator) : undefined,
    evalTrain: false, test, onEpoch: o.onEpoch,
  });
  judge.eval();
  return { judge, rows };
}
