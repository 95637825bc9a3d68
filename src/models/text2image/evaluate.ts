/** Drawing many captions in batches, and scoring the drawings with the judge. */
import * as F from '../../autograd/ops/index.js';
import { noGrad } from '../../autograd/grad-mode.js';
import { captionWords, SCENE_PIXELS, type DigitScene } from '../../data/digit-scenes.js';
import { Tensor } from '../../tensor/tensor.js';
import { encodeCaptions } from './captions.js';
import { judgeImages, type DigitJudge, type JudgeScores } from './judge.js';
import { pixelLoss, type TextToImage } from './model.js';

/** Draws each caption (as canonical word lists) in batches of `batch`: [n·84·84] in [0, 1]. */
export function drawCaptions(model: TextToImage, captions: readonly (readonly string[])[], vocab: readonly string[], batch = 100): Float32Array {
  const out = new Float32Array(captions.length * SCENE_PIXELS);
  for (let s = 0; s < captions.length; s += batch) {
    const { tokens, lengths } = encodeCaptions(captions.slice(s, s + batch), vocab);
    out.set(model.draw(tokens, lengths), s * SCENE_PIXELS);
  }
  return out;
}

/** Scores of a model on scenes: the judge's reading of the drawings of their captions, and the pixel loss. */
export interface SceneEvaluation extends JudgeScores {
  /** Mean per-pixel BCE between the drawings and the real scenes. */
  pixelLoss: number;
}

/** Draws every scene's caption and compares it with the scene (pixel loss) and its label (judge). */
export function evaluateOnScenes(model: TextToImage, judge: DigitJudge, scenes: readonly DigitScene[], vocab: readonly string[]): { scores: SceneEvaluation; images: Float32Array } {
  const images = drawCaptions(model, scenes.map((s) => captionWords(s.caption)), vocab);
  const n = scenes.length;
  const target = new Float32Array(n * SCENE_PIXELS);
  scenes.forEach((s, i) => target.set(s.image, i * SCENE_PIXELS));
  // BCE of probabilities p against y, clamped as the loss on logits would see it
  const loss = noGrad(() => {
    const p = new Tensor(images.map((v) => Math.min(Math.max(v, 1e-7), 1 - 1e-7)), [n, SCENE_PIXELS]);
    return pixelLoss(F.log(F.div(p, F.sub(1, p))), new Tensor(target, [n, SCENE_PIXELS])).item();
  });
  const scores = judgeImages(judge, images, scenes.map((s) => s.cells));
  return { scores: { ...scores, pixelLoss: loss }, images };
}
