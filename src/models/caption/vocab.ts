import { CAPTION_WORDS, captionWords } from '../../data/digit-scenes.js';
import { BOS_ID, EOS_ID, PAD_ID, SPECIALS, Vocab } from '../../text/vocab.js';

/** The fixed caption vocabulary: the four specials, then every word of the scene grammar. */
export function captionVocab(): Vocab {
  return new Vocab([...SPECIALS, ...CAPTION_WORDS]);
}

/** Ids of a caption's words; an unknown word is an error that names it. */
export function encodeCaption(vocab: Vocab, caption: string): number[] {
  const words = captionWords(caption);
  if (words.length === 0) throw new Error('encodeCaption: empty caption');
  return words.map((w) => {
    if (!vocab.has(w)) throw new Error(`encodeCaption: unknown word "${w}" in "${caption}"`);
    return vocab.id(w);
  });
}

/** Teacher-forcing batch: inputs [BOS, w1..wn] and targets [w1..wn, EOS], both padded with PAD to the longest. */
export function captionBatch(captions: readonly number[][]): { tokensIn: Int32Array; tokensOut: Int32Array; B: number; T: number } {
  const B = captions.length;
  const T = Math.max(...captions.map((c) => c.length)) + 1;
  const tokensIn = new Int32Array(B * T).fill(PAD_ID);
  const tokensOut = new Int32Array(B * T).fill(PAD_ID);
  captions.forEach((c, b) => {
    tokensIn[b * T] = BOS_ID;
    c.forEach((id, t) => {
      tokensIn[b * T + t + 1] = id;
      tokensOut[b * T + t] = id;
    });
    tokensOut[b * T + c.length] = EOS_ID;
  });
  return { tokensIn, tokensOut, B, T };
}
