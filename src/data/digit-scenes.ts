/**
 * Digit scenes: 84x84 grayscale pictures made of a 3x3 grid of 28x28 cells, 1 to 4 of them holding
 * a handwritten digit, with an English caption that names each digit and its cell ("a seven in the
 * top left and a two in the center") and the structured label the caption stands for.
 *
 * This file is browser-safe: it composes scenes from digit images it is given, writes captions and
 * parses them back. Loading the MNIST digits (with the project's seeded split) is in
 * `digit-scenes-node.ts`.
 */
import { Generator } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';

/** Side of a scene in pixels. */
export const SCENE_SIDE = 84;
/** Side of one cell in pixels (one MNIST digit). */
export const CELL_SIDE = 28;
/** Cells per row and per column. */
export const GRID_SIDE = 3;
/** Number of cells, numbered row-major from the top-left cell (0) to the bottom-right cell (8). */
export const CELL_COUNT = 9;
/** Pixels per scene. */
export const SCENE_PIXELS = SCENE_SIDE * SCENE_SIDE;

/** Digit words, index = digit. */
export const DIGIT_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'] as const;
const ROW_WORDS = ['top', 'middle', 'bottom'] as const;
const COL_WORDS = ['left', 'center', 'right'] as const;

/** Name of cell `c` (row-major from the top left): "top left", ..., "center" for the middle cell. */
export function cellName(c: number): string {
  if (!(Number.isInteger(c) && c >= 0 && c < CELL_COUNT)) throw new Error(`cellName: cell must be an integer in 0..8, got ${c}`);
  if (c === 4) return 'center';
  return `${ROW_WORDS[Math.floor(c / GRID_SIDE)]} ${COL_WORDS[c % GRID_SIDE]}`;
}

/** Every word a caption can contain (the caption vocabulary, without special tokens). */
export const CAPTION_WORDS: readonly string[] = ['a', 'an', 'in', 'the', 'and', ...DIGIT_WORDS, ...ROW_WORDS, ...COL_WORDS];

/** One digit in a scene. */
export interface SceneObject {
  digit: number;
  /** Cell index, row-major from the top left (0..8). */
  cell: number;
}

/**
 * The structured label of a scene: for each of the 9 cells (row-major from the top left), the
 * digit it holds or null for an empty cell.
 */
export type SceneCells = (number | null)[];

/** A scene: the picture, its caption and its label. */
export interface DigitScene {
  /** [84*84] grayscale pixels in [0, 1], row-major, 1 = ink. */
  image: Float32Array;
  /** The digits in the order the caption mentions them. */
  objects: SceneObject[];
  /** The label: digit per cell, null when empty. */
  cells: SceneCells;
  caption: string;
  /** Index in the digit pool of each object's image (same order as `objects`), to check disjointness. */
  sources: number[];
}

/** Digit images to compose scenes from: `count` images of 784 pixels in [0, 1] with their labels. */
export interface DigitPool {
  /** [count * 784] pixels, row-major per image. */
  images: Float32Array;
  labels: ArrayLike<number>;
  count: number;
}

/** Options of {@link makeScenes}. */
export interface SceneOptions {
  /** Fewest digits per scene. Default 1. */
  minDigits?: number;
  /** Most digits per scene. Default 4. */
  maxDigits?: number;
  /**
   * Order in which the caption mentions the digits: 'random' (seeded, the default) or 'reading'
   * (row by row from the top left), which makes the caption a function of the picture.
   */
  order?: 'random' | 'reading';
}

function article(digit: number): string {
  return digit === 8 ? 'an' : 'a';
}

/** The caption of `objects`, in the given order: "a seven in the top left and a two in the center". */
export function captionOf(objects: readonly SceneObject[]): string {
  if (objects.length === 0) throw new Error('captionOf: a scene needs at least one digit');
  return objects.map((o) => `${article(o.digit)} ${DIGIT_WORDS[o.digit]} in the ${cellName(o.cell)}`).join(' and ');
}

/** The 9-cell label of a list of objects; throws if two objects share a cell. */
export function cellsOf(objects: readonly SceneObject[], fn = 'cellsOf'): SceneCells {
  const cells: SceneCells = new Array<number | null>(CELL_COUNT).fill(null);
  for (const o of objects) {
    if (!(Number.isInteger(o.digit) && o.digit >= 0 && o.digit <= 9)) throw new Error(`${fn}: digit must be an integer in 0..9, got ${o.digit}`);
    if (!(Number.isInteger(o.cell) && o.cell >= 0 && o.cell < CELL_COUNT)) throw new Error(`${fn}: cell must be an integer in 0..8, got ${o.cell}`);
    if (cells[o.cell] !== null) throw new Error(`${fn}: the ${cellName(o.cell)} cell is named twice`);
    cells[o.cell] = o.digit;
  }
  return cells;
}

/** Label as 9 characters, row-major from the top left, digit or '-' for empty: "7---2----". */
export function formatCells(cells: SceneCells): string {
  if (cells.length !== CELL_COUNT) throw new Error(`formatCells: expected 9 cells, got ${cells.length}`);
  return cells.map((d) => (d === null ? '-' : String(d))).join('');
}

/** Inverse of {@link formatCells}. */
export function parseCells(text: string): SceneCells {
  if (!/^[0-9-]{9}$/.test(text)) throw new Error(`parseCells: expected 9 characters of digits or '-', got "${text}"`);
  return [...text].map((ch) => (ch === '-' ? null : Number(ch)));
}

/** The objects of a label in reading order (row by row from the top left). */
export function objectsOf(cells: SceneCells): SceneObject[] {
  const out: SceneObject[] = [];
  cells.forEach((d, cell) => {
    if (d !== null) out.push({ digit: d, cell });
  });
  return out;
}

/** Caption of a scene as the list of its words (captions have no punctuation). */
export function captionWords(caption: string): string[] {
  return caption.trim().toLowerCase().split(/[\s,.;]+/).filter((w) => w.length > 0);
}

/**
 * Parses a caption back into the digits it names, in the order of mention. Accepts what
 * {@link captionOf} writes, any capitalisation, commas between items, "at" for "in", "middle
 * center" for "center" and a final period. Errors name the word that does not fit.
 */
export function parseCaption(caption: string): SceneObject[] {
  const words = captionWords(caption);
  if (words.length === 0) throw new Error('parseCaption: empty caption');
  const known = new Set([...CAPTION_WORDS, 'at']);
  for (const w of words) {
    if (!known.has(w)) throw new Error(`parseCaption: unknown word "${w}" in "${caption}" (known words: ${[...known].join(' ')})`);
  }
  let i = 0;
  const expect = (what: string, ok: (w: string | undefined) => boolean): string => {
    const w = words[i];
    if (!ok(w)) throw new Error(`parseCaption: expected ${what} at word ${i + 1} of "${caption}", got ${w === undefined ? 'the end' : `"${w}"`}`);
    i++;
    return w as string;
  };
  const objects: SceneObject[] = [];
  for (;;) {
    expect('"a" or "an"', (w) => w === 'a' || w === 'an');
    const digit = DIGIT_WORDS.indexOf(expect('a digit word (zero..nine)', (w) => (DIGIT_WORDS as readonly string[]).includes(w ?? '')) as (typeof DIGIT_WORDS)[number]);
    expect('"in"', (w) => w === 'in' || w === 'at');
    expect('"the"', (w) => w === 'the');
    const first = expect('a position (top, middle, bottom or center)', (w) => w === 'center' || (ROW_WORDS as readonly string[]).includes(w ?? ''));
    let cell: number;
    if (first === 'center') cell = 4;
    else {
      const row = ROW_WORDS.indexOf(first as (typeof ROW_WORDS)[number]);
      const col = COL_WORDS.indexOf(expect(`left, center or right after "${first}"`, (w) => (COL_WORDS as readonly string[]).includes(w ?? '')) as (typeof COL_WORDS)[number]);
      cell = row * GRID_SIDE + col;
    }
    objects.push({ digit, cell });
    if (i === words.length) break;
    expect('"and" or the end of the caption', (w) => w === 'and');
  }
  cellsOf(objects, 'parseCaption');
  return objects;
}

/** The 9-cell label a caption stands for (see {@link parseCaption}). */
export function parseCaptionCells(caption: string): SceneCells {
  return cellsOf(parseCaption(caption), 'parseCaption');
}

/** Draws the digit images (784 pixels each) into their cells of a blank 84x84 scene. */
export function composeScene(digits: readonly { pixels: ArrayLike<number>; cell: number }[]): Float32Array {
  const image = new Float32Array(SCENE_PIXELS);
  for (const { pixels, cell } of digits) {
    if (pixels.length !== CELL_SIDE * CELL_SIDE) throw new Error(`composeScene: a digit image needs ${CELL_SIDE * CELL_SIDE} pixels, got ${pixels.length}`);
    if (!(Number.isInteger(cell) && cell >= 0 && cell < CELL_COUNT)) throw new Error(`composeScene: cell must be an integer in 0..8, got ${cell}`);
    const top = Math.floor(cell / GRID_SIDE) * CELL_SIDE;
    const left = (cell % GRID_SIDE) * CELL_SIDE;
    for (let y = 0; y < CELL_SIDE; y++) {
      for (let x = 0; x < CELL_SIDE; x++) image[(top + y) * SCENE_SIDE + left + x] = pixels[y * CELL_SIDE + x];
    }
  }
  return image;
}

/** One scene drawn with `g`: 1..4 distinct cells, a random pool image per cell, caption in the chosen order. */
export function makeScene(pool: DigitPool, g: Generator, o: SceneOptions = {}): DigitScene {
  const lo = o.minDigits ?? 1;
  const hi = o.maxDigits ?? 4;
  if (!(Number.isInteger(lo) && Number.isInteger(hi) && lo >= 1 && hi >= lo && hi <= CELL_COUNT)) {
    throw new Error(`makeScene: need integers 1 <= minDigits <= maxDigits <= 9, got ${lo}..${hi}`);
  }
  if (pool.count < hi) throw new Error(`makeScene: the digit pool holds ${pool.count} images, fewer than ${hi} digits per scene`);
  const k = g.randint(lo, hi + 1);
  const cellOrder = g.shuffle(Array.from({ length: CELL_COUNT }, (_, i) => i));
  const chosenCells = cellOrder.slice(0, k);
  const sources: number[] = [];
  while (sources.length < k) {
    const s = g.randint(0, pool.count);
    if (!sources.includes(s)) sources.push(s);
  }
  let objects = chosenCells.map((cell, i) => ({ digit: pool.labels[sources[i]], cell, source: sources[i] }));
  if ((o.order ?? 'random') === 'reading') objects = objects.sort((a, b) => a.cell - b.cell);
  else if (o.order !== 'random' && o.order !== undefined) throw new Error(`makeScene: order must be 'random' or 'reading', got ${String(o.order)}`);
  const image = composeScene(objects.map((ob) => ({ pixels: pool.images.subarray(ob.source * 784, (ob.source + 1) * 784), cell: ob.cell })));
  const plain = objects.map(({ digit, cell }) => ({ digit, cell }));
  return { image, objects: plain, cells: cellsOf(plain, 'makeScene'), caption: captionOf(plain), sources: objects.map((ob) => ob.source) };
}

/** `n` scenes from `pool`, deterministic for `seed`. */
export function makeScenes(pool: DigitPool, n: number, seed: number, o: SceneOptions = {}): DigitScene[] {
  if (!(Number.isInteger(n) && n >= 0)) throw new Error(`makeScenes: n must be a non-negative integer, got ${n}`);
  const g = new Generator(seed);
  return Array.from({ length: n }, () => makeScene(pool, g, o));
}

/** The scene images as one tensor [n, 1, 84, 84] (NCHW, the layout of Conv2d). */
export function scenesToTensor(scenes: readonly DigitScene[]): Tensor {
  const data = new Float32Array(scenes.length * SCENE_PIXELS);
  scenes.forEach((s, i) => data.set(s.image, i * SCENE_PIXELS));
  return new Tensor(data, [scenes.length, 1, SCENE_SIDE, SCENE_SIDE]);
}
