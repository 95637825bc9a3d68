import { corpusBleu } from '../../metrics/bleu.js';
import { DIGIT_WORDS, parseCaption, type SceneCells } from '../../data/digit-scenes.js';

/** A reference scene as the metrics need it. */
export interface CaptionReference {
  caption: string;
  cells: SceneCells;
}

/** A generated caption as the metrics need it: its words and, for attention models, one row of 9 weights per word. */
export interface CaptionHypothesis {
  words: readonly string[];
  attention: readonly (readonly number[])[] | null;
}

/** Captioning scores over a set of scenes (percentages, as BLEU). */
export interface CaptionScores {
  /** Corpus BLEU-4 against the one reference caption per scene (the project's sacreBLEU-compatible scorer, 13a tokens). */
  bleu: number;
  /** Captions equal to the reference word for word. */
  exactMatch: number;
  /** Captions that parse and name exactly the scene's digit-cell pairs, in any order of mention. */
  sceneAccuracy: number;
  /** Of the generated digit words, those whose most-attended cell holds that digit (NaN without attention). */
  attentionAccuracy: number;
  /** How many digit words the attention accuracy is over. */
  digitWords: number;
  scenes: number;
}

/** True when `caption` parses to exactly the digit-cell pairs of `cells`. */
export function sceneCorrect(caption: string, cells: SceneCells): boolean {
  let objects;
  try {
    objects = parseCaption(caption);
  } catch {
    return false;
  }
  if (objects.length !== cells.filter((c) => c !== null).length) return false;
  return objects.every((o) => cells[o.cell] === o.digit);
}

/** Index of the largest of `row` (first on ties). */
function argmax(row: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}

/** BLEU-4, exact match, scene accuracy and attention accuracy of `hyps` against `refs` (same order). */
export function captionScores(refs: readonly CaptionReference[], hyps: readonly CaptionHypothesis[]): CaptionScores {
  if (refs.length !== hyps.length) throw new Error(`captionScores: ${refs.length} references but ${hyps.length} hypotheses`);
  const n = refs.length;
  const texts = hyps.map((h) => h.words.join(' '));
  const bleu = n > 0 ? corpusBleu(texts, [refs.map((r) => r.caption)]).score : NaN;
  let exact = 0, scene = 0, digitWords = 0, attended = 0;
  let anyAttention = false;
  refs.forEach((r, i) => {
    if (texts[i] === r.caption) exact++;
    if (sceneCorrect(texts[i], r.cells)) scene++;
    const att = hyps[i].attention;
    if (!att) return;
    anyAttention = true;
    hyps[i].words.forEach((w, t) => {
      const digit = (DIGIT_WORDS as readonly string[]).indexOf(w);
      if (digit < 0 || !att[t]) return;
      digitWords++;
      if (r.cells[argmax(att[t])] === digit) attended++;
    });
  });
  const pct = (k: number) => (n > 0 ? (100 * k) / n : NaN);
  return {
    bleu, exactMatch: pct(exact), sceneAccuracy: pct(scene),
    attentionAccuracy: anyAttention && digitWords > 0 ? (100 * attended) / digitWords : NaN, digitWords, scenes: n,
  };
}
