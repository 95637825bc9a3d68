/**
 * Captions as the text → image model reads them: checked against the scene grammar (so a caption
 * that names no place, or a word the grammar does not know, is refused with that word named),
 * rewritten in the grammar's own words ("at" → "in", "middle center" → "center", no commas), then
 * turned into token ids. Id 0 is padding.
 */
import { CAPTION_WORDS, captionOf, captionWords, cellsOf, parseCaption, type SceneCells } from '../../data/digit-scenes.js';
import { Tensor } from '../../tensor/tensor.js';

/** The padding token, id 0 of every text → image vocabulary. */
export const T2I_PAD = '<pad>';

/** The vocabulary a new model is built with: padding, then the scene grammar's words. */
export function defaultCaptionVocab(): string[] {
  return [T2I_PAD, ...CAPTION_WORDS];
}

/** A caption ready for the model: its canonical words and the 9-cell label it stands for. */
export interface ParsedCaption {
  words: string[];
  cells: SceneCells;
}

/**
 * Parses `caption` with the scene grammar and checks every canonical word against `vocab`.
 * Errors start with `fn` and name the offending word.
 */
export function prepareCaption(caption: string, vocab: readonly string[], fn = 'text2image'): ParsedCaption {
  const known = new Set(vocab);
  let objects;
  try {
    objects = parseCaption(caption);
  } catch (e) {
    throw new Error(`${fn}: cannot draw "${caption}": ${(e as Error).message}`);
  }
  const words = captionWords(captionOf(objects));
  for (const w of words) {
    if (!known.has(w) || w === T2I_PAD) throw new Error(`${fn}: the word "${w}" of "${caption}" is not in the model's vocabulary`);
  }
  return { words, cells: cellsOf(objects, fn) };
}

/** Token ids [B, T] (int32, right-padded with 0) and the length of each row. */
export interface CaptionBatch {
  tokens: Tensor;
  lengths: number[];
}

/** Encodes word lists (each word in `vocab`) into one padded batch. */
export function encodeCaptions(captions: readonly (readonly string[])[], vocab: readonly string[]): CaptionBatch {
  const ids = new Map(vocab.map((w, i) => [w, i]));
  const b = captions.length;
  if (b === 0) throw new Error('encodeCaptions: no captions');
  const lengths = captions.map((c) => c.length);
  const t = Math.max(...lengths);
  if (t === 0) throw new Error('encodeCaptions: every caption is empty');
  const data = new Int32Array(b * t);
  captions.forEach((words, i) => {
    words.forEach((w, j) => {
      const id = ids.get(w);
      if (id === undefined || id === 0) throw new Error(`encodeCaptions: the word "${w}" (caption ${i}) is not in the vocabulary`);
      data[i * t + j] = id;
    });
  });
  return { tokens: new Tensor(data, [b, t]), lengths };
}
