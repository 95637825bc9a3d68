import * as F from '../../autograd/ops/index.js';
import type { Batch } from '../../data/batching.js';
import { corpusBleu } from '../../metrics/bleu.js';
import { crossEntropy } from '../../nn/losses.js';
import { Tensor } from '../../tensor/tensor.js';
import { PAD_ID } from '../../text/vocab.js';
import { inference } from '../../nn/inference.js';
import type { TranslationModel } from './model.js';
import { translateIds, type SearchOptions, type Translation } from './search.js';
import type { TextPipeline } from '../../text/text-pipeline.js';

/** Token-level cross-entropy of a batch (padding ignored). Shapes: logits (B, T, V), tgtOut (B·T). */
export function batchLoss(logits: Tensor, tgtOut: Int32Array, labelSmoothing = 0): Tensor {
  const [B, T, V] = logits.shape;
  return crossEntropy(F.reshape(logits, [B * T, V]), new Tensor(tgtOut, [B * T]), { ignoreIndex: PAD_ID, labelSmoothing });
}

/** Mean per-token negative log-likelihood over batches, without label smoothing. */
export function meanLoss(model: TranslationModel, batches: readonly Batch[]): number {
  let sum = 0, tokens = 0;
  inference(model, () => {
    for (const b of batches) {
      sum += batchLoss(model.forward(b).logits, b.tgtOut).item() * b.tgtTokens;
      tokens += b.tgtTokens;
    }
  });
  return tokens > 0 ? sum / tokens : NaN;
}

/** Translations of a set of pairs with their corpus BLEU against the references. */
export interface BleuEvaluation {
  bleu: number;
  signature: string;
  hypotheses: string[];
  translations: Translation[];
  /** Mean summed log-probability of the returned hypotheses (model score). */
  meanLogProb: number;
  seconds: number;
}

export function evaluateBleu(
  model: TranslationModel,
  pipeline: TextPipeline,
  pairs: readonly { zh: string; en: string }[],
  search: SearchOptions,
  lowercase = false,
): BleuEvaluation {
  const t0 = performance.now();
  const sources = pairs.map((p) => {
    const ids = pipeline.encodeSrc(p.zh).ids;
    return ids.length > 0 ? ids : [1];
  });
  const translations = translateIds(model, sources, search);
  const hypotheses = translations.map((t) => pipeline.decodeTgt(t.nBest[0]?.tokens ?? []));
  const b = corpusBleu(hypotheses, [pairs.map((p) => p.en)], { lowercase });
  const meanLogProb = translations.reduce((s, t) => s + (t.nBest[0]?.logProb ?? 0), 0) / Math.max(1, translations.length);
  return { bleu: b.score, signature: b.signature, hypotheses, translations, meanLogProb, seconds: (performance.now() - t0) / 1000 };
}

/** Length buckets of source sentences (in source tokens), e.g. [[1, 5], [6, 10], ...]. */
export const DEFAULT_LENGTH_BUCKETS: readonly (readonly [number, number])[] = [[1, 6], [7, 9], [10, 12], [13, 15], [16, 19], [20, Infinity]];

/** Corpus BLEU per source-length bucket. */
export function bleuByLength(
  srcLengths: readonly number[],
  hypotheses: readonly string[],
  references: readonly string[],
  buckets: readonly (readonly [number, number])[] = DEFAULT_LENGTH_BUCKETS,
  lowercase = false,
): { label: string; n: number; bleu: number }[] {
  return buckets.map(([lo, hi]) => {
    const idx = srcLengths.map((_, i) => i).filter((i) => srcLengths[i] >= lo && srcLengths[i] <= hi);
    const label = hi === Infinity ? `${lo}+` : `${lo}-${hi}`;
    if (idx.length === 0) return { label, n: 0, bleu: NaN };
    const b = corpusBleu(idx.map((i) => hypotheses[i]), [idx.map((i) => references[i])], { lowercase });
    return { label, n: idx.length, bleu: b.score };
  });
}
