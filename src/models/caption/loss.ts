import * as F from '../../autograd/ops/index.js';
import { crossEntropy } from '../../nn/losses.js';
import { Tensor } from '../../tensor/tensor.js';
import { PAD_ID } from '../../text/vocab.js';
import type { CaptionModel } from './model.js';
import { doublyStochasticPenalty } from './regulariser.js';

/** Loss of one teacher-forced batch, with its parts for logging. */
export interface CaptionLoss {
  /** What to minimise: cross-entropy + regulariser. */
  loss: Tensor;
  /** Mean cross-entropy per target word (nats). */
  crossEntropy: number;
  /** The regulariser's value (0 without attention). */
  penalty: number;
}

/**
 * Mean per-word cross-entropy over the non-padding targets, plus for attention models λ times the
 * doubly stochastic regulariser. Shapes: images (B, 1, 84, 84), tokensIn and tokensOut (B, T) int32.
 */
export function captionLoss(model: CaptionModel, images: Tensor, tokensIn: Tensor, tokensOut: Tensor, lambda: number): CaptionLoss {
  const out = model.forward(images, tokensIn);
  const [B, T, V] = out.logits.shape;
  const ce = crossEntropy(F.reshape(out.logits, [B * T, V]), F.reshape(tokensOut, [B * T]), { ignoreIndex: PAD_ID });
  if (!out.attention || lambda === 0) return { loss: ce, crossEntropy: ce.item(), penalty: 0 };
  const tv = tokensOut.values();
  const mask = new Float32Array(B * T);
  for (let i = 0; i < mask.length; i++) mask[i] = tv[i] === PAD_ID ? 0 : 1;
  const pen = doublyStochasticPenalty(out.attention, new Tensor(mask, [B, T]), lambda);
  return { loss: F.add(ce, pen), crossEntropy: ce.item(), penalty: pen.item() };
}
